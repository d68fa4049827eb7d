"""The defaults file of a profiles folder: settings every profile of the folder shares.

`_defaults.yaml` (or `_defaults.yml`, in any case) beside the profiles is never a profile: its keys
are merged under every profile of its folder, the profile's own values winning. Mappings merge key
by key, at every depth (`timeouts`, `notify`, `feedback`...); anything else the profile gives (a
text, a number, a list, null) replaces the defaults' value whole, so a profile's `tags` or
`notify.on_failure` list replaces the defaults' list, and `pool: null` takes a default pool away.

It holds only what profiles can share: every key of a profile except `DEFAULTS_FORBIDDEN` (what a
profile syncs is its own). It is validated as the profiles are (the same rules, the same words),
once per content; an invalid defaults file makes every profile of its folder invalid, each naming
it, rather than building DAGs without the settings their folder gives them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pimflow.errors import ProfileError

#: The names of a defaults file (compared in lower case).
DEFAULTS_NAMES = ("_defaults.yaml", "_defaults.yml")
#: Keys only a profile itself may give: what it is and what it syncs.
DEFAULTS_FORBIDDEN = ("id", "description", "source", "target", "mapping")
#: Stands for what a profile gives when the defaults file is validated on its own.
_STUB = {"id": "defaults", "source": {"kind": "feed", "path": "in.csv"}, "target": {"kind": "feed", "path": "out.csv"}}


def is_defaults_file(path: Path) -> bool:
    return path.name.lower() in DEFAULTS_NAMES


@dataclass(frozen=True)
class FolderDefaults:
    """A folder's defaults: the file (None when there is none), its validated mapping, or its problems."""

    path: Path | None = None
    values: dict = field(default_factory=dict)
    problems: tuple[tuple[str, str], ...] = ()

    @property
    def invalid(self) -> bool:
        return bool(self.problems)

    def error(self) -> DefaultsFileError:
        return DefaultsFileError(str(self.path), list(self.problems))

    def problems_for_profile(self) -> list[tuple[str, str]]:
        """The defaults file's problems, as the problems of a profile of its folder."""
        return [("", f"its defaults file {self.path} is invalid: {field_ or '(file)'}: {reason}")
                for field_, reason in self.problems]


class DefaultsFileError(ProfileError):
    """A defaults file that cannot be used: names the file, the field path and the reason."""

    def describe(self) -> str:
        return "\n".join([f"{self.file}: invalid defaults file",
                          *(f"  {field_ or '(file)'}: {reason}" for field_, reason in self.problems)])


_CACHE: dict[tuple, FolderDefaults] = {}


def defaults_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if is_defaults_file(p) and p.is_file())


def folder_defaults(directory: Path) -> FolderDefaults:
    """The defaults of the profiles in `directory`: validated once per text (and notifier settings),
    so that a folder of hundreds of profiles reads and checks its defaults file once per parse."""
    files = defaults_files(Path(directory))
    if not files:
        return FolderDefaults()
    if len(files) > 1:
        return FolderDefaults(files[0], problems=(("", "the folder has more than one defaults file ("
                                                   + ", ".join(p.name for p in files) + "): keep one"),))
    path = files[0]
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return FolderDefaults(path, problems=(("", f"cannot be read: {exc}"),))
    from pimflow.notifiers import allowed_modules

    key = (str(path.resolve()), text, tuple(allowed_modules()))
    if key not in _CACHE:
        if len(_CACHE) > 64:
            _CACHE.clear()
        _CACHE[key] = _validated(path, text)
    return _CACHE[key]


def _validated(path: Path, text: str) -> FolderDefaults:
    from pydantic import ValidationError

    from pimflow.loader import describe_error, yaml_problem
    from pimflow.profile import Profile

    data, problem = yaml_problem(text)
    if problem:
        return FolderDefaults(path, problems=(("", problem),))
    if data is None:
        return FolderDefaults(path)  # an empty file: no defaults
    if not isinstance(data, dict):
        return FolderDefaults(path, problems=(("", "a defaults file is a YAML mapping (key: value lines), "
                                                   "like a profile"),))
    problems = [(key, "only a profile itself says this (a defaults file holds what every profile of the folder "
                      f"shares; not {', '.join(DEFAULTS_FORBIDDEN)})") for key in data if key in DEFAULTS_FORBIDDEN]
    shared = {key: value for key, value in data.items() if key not in DEFAULTS_FORBIDDEN}
    try:
        Profile.model_validate(merge(shared, _STUB))
    except ValidationError as exc:
        problems += [describe_error(error) for error in exc.errors()]
    except RecursionError:
        problems.append(("", "nested too deeply to be a defaults file"))
    return FolderDefaults(path, problems=tuple(problems)) if problems else FolderDefaults(path, data)


def merge(defaults: dict, profile: dict) -> dict:
    """`profile` over `defaults`: mappings merge key by key at every depth; any other value the
    profile gives (text, number, list, null) replaces the defaults' whole."""
    merged = dict(defaults)
    for key, value in profile.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def from_defaults(location: tuple, profile: Any, defaults: Any) -> bool:
    """Whether the value at `location` (a validation error's) of the merged profile came from the
    defaults file rather than the profile."""
    for part in location:
        if isinstance(profile, dict) and part in profile:
            profile = profile[part]
            defaults = defaults.get(part) if isinstance(defaults, dict) else None
            continue
        if isinstance(profile, dict):
            return isinstance(defaults, dict) and part in defaults
        return False  # a value the profile gives whole (a list, a text): the profile's
    return False


def defaults_json_schema() -> dict:
    """JSON Schema of a defaults file, for editors: a profile's schema without the keys only a
    profile gives, and with every key optional (a profile's own rules apply to each value)."""
    from pimflow.profile import profile_json_schema

    schema = profile_json_schema()
    schema["title"] = "pimflow profile defaults"
    schema["description"] = ("_defaults.yaml: settings merged under every profile of its folder (the profile's "
                             "values win; mappings merge key by key, lists and other values are replaced whole).")
    for key in DEFAULTS_FORBIDDEN:
        schema["properties"].pop(key, None)
    schema.pop("required", None)
    used: set[str] = set()
    pending = [schema["properties"]]
    while pending:  # keep the definitions the remaining keys use
        node = pending.pop()
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            name = ref.rsplit("/", 1)[-1] if ref.startswith("#/$defs/") else None
            if name and name not in used:
                used.add(name)
                pending.append(schema["$defs"][name])
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    schema["$defs"] = {name: definition for name, definition in schema["$defs"].items() if name in used}
    return schema
