"""Finding and validating profile files. A bad profile never stops the good ones from loading."""
from __future__ import annotations

import os
import re
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from pimflow.defaults import FolderDefaults, folder_defaults, from_defaults, is_defaults_file, merge
from pimflow.errors import ProfileError
from pimflow.paths import path_problems
from pimflow.profile import PLANNED_SOURCE_KINDS, PLANNED_TARGET_KINDS, ImpossibleDate, Profile

PROFILE_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class LoadedProfile:
    path: Path
    profile: Profile
    defaults: Path | None = None  # the folder's defaults file, when the profile took settings from one

    @property
    def directory(self) -> Path:
        return self.path.parent


def default_profiles_dir() -> Path:
    configured = os.environ.get("PIMFLOW_PROFILES_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2] / "include" / "profiles"


def profile_files(directory: Path) -> list[Path]:
    """The profile files of `directory`: `.yaml` or `.yml`, in any case (`x.YAML` too), but for the
    folder's defaults file (`pimflow.defaults`), which is never a profile."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.suffix.lower() in PROFILE_SUFFIXES and p.is_file()
                  and not is_defaults_file(p))


def stray_files(directory: Path) -> list[Path]:
    """Files of `directory` named like a profile that are not read as one (`x.yaml.bak`, `x.yaml~`,
    `x.yaml.txt`): reported, so that a profile renamed by mistake is not silently left out."""
    if not directory.is_dir():
        return []
    read = set(profile_files(directory))
    return sorted(p for p in directory.iterdir() if p not in read and not p.name.startswith(".") and p.is_file()
                  and not is_defaults_file(p) and any(suffix in p.name.lower() for suffix in PROFILE_SUFFIXES))


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML's safe loader, but a key given twice in one mapping is an error, not a silent override."""


def _mapping_without_duplicates(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if not isinstance(key, Hashable):
            continue  # construct_mapping refuses it ("found unhashable key"), with its line and column
        if key in seen:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping", node.start_mark, f"key {key!r} appears twice", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


def _timestamp_or_text(loader: yaml.SafeLoader, node: yaml.ScalarNode):
    """A timestamp, or, when it is shaped like one but names no real date or time (`2026-02-30`,
    `25:00:00`, `+99:00`), its text with the reason (PyYAML would raise a bare ValueError): a text
    field takes it as written; a date field (start_date) refuses it, naming the field and why."""
    try:
        return loader.construct_yaml_timestamp(node)
    except (ValueError, OverflowError) as exc:
        return ImpossibleDate(loader.construct_scalar(node), str(exc))


_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates)
_UniqueKeyLoader.add_constructor(_TIMESTAMP_TAG, _timestamp_or_text)

if yaml.__with_libyaml__:
    class _FastUniqueKeyLoader(yaml.CSafeLoader):
        """The same loader on libyaml's C parser (shipped in PyYAML's wheels): about ten times faster."""

    _FastUniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates)
    _FastUniqueKeyLoader.add_constructor(_TIMESTAMP_TAG, _timestamp_or_text)
    #: The loader that reads profiles (the pure-Python one only where libyaml is missing).
    PROFILE_LOADER: type = _FastUniqueKeyLoader
else:  # pragma: no cover (PyYAML built without libyaml)
    PROFILE_LOADER = _UniqueKeyLoader

#: What libyaml and PyYAML's own parser read differently (found by fuzzing PyYAML 6.0.3 with mutated
#: profiles): a tab, a '?' or a ':' before a flow indicator inside [...] or {...}, a bare '!' tag, a
#: byte-order mark. A text holding any of these characters goes to the pure parser.
_PURE_PARSER_ONLY = re.compile(r"[\t?!\ufeff]|:[,\[\]{}]")


def load_yaml(text: str):
    """Parse a profile's text as the pure-Python loader does (same result, same refusals), fast.

    libyaml parses; a text it refuses is parsed again by the pure-Python loader, so the error keeps
    the words and the line and column profiles always got (a refusal is rare, so this costs nothing)."""
    if PROFILE_LOADER is _UniqueKeyLoader or _PURE_PARSER_ONLY.search(text):
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 (safe loader)
    try:
        return yaml.load(text, Loader=PROFILE_LOADER)  # noqa: S506 (safe loader)
    except yaml.YAMLError:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 (raises; if it does not, its reading stands)


def yaml_problem(text: str) -> tuple[object, str | None]:
    """The YAML `text` read (as `load_yaml`), or why it is not valid YAML."""
    try:
        return load_yaml(text), None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = " ".join(filter(None, (getattr(exc, "problem", None) or str(exc), f"({where})" if where else "")))
        return None, f"not valid YAML: {reason}"
    except RecursionError:
        return None, "not valid YAML: nested too deeply (an unclosed [ or { ?)"


def parse_profile(path: Path) -> Profile:
    """Read and validate one file, over its folder's defaults file when there is one
    (`pimflow.defaults`); raise ProfileError naming the file, the field and the reason."""
    if is_defaults_file(path):
        raise ProfileError(str(path), [("", "this is the defaults file of the profiles in its folder, not a profile "
                                            "(check it with pimflow validate)")])
    return _parse(path, folder_defaults(path.parent))


def profile_argument(text: str) -> Profile | None:
    """A command's PROFILE argument when it names a YAML file: the file's validated profile; None
    when the text is not a file name (then it is a profile id). ValueError with the message a
    person reads (no such file; or the file, field and reason) when the file cannot be used."""
    path = Path(text)
    if path.suffix.lower() not in (".yaml", ".yml") and not path.is_file():
        return None
    if not path.is_file():
        raise ValueError(f"{text}: no such profile file")
    try:
        return parse_profile(path)
    except ProfileError as exc:
        raise ValueError(exc.describe()) from None


def _parse(path: Path, defaults: FolderDefaults) -> Profile:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(str(path), [("", f"cannot be read: {exc}")]) from None
    data, problem = yaml_problem(text)
    if problem:
        raise ProfileError(str(path), [("", problem)])
    if not isinstance(data, dict):
        raise ProfileError(str(path), [("", "a profile is a YAML mapping (key: value lines)")])
    if defaults.invalid:  # no profile of the folder is built without the settings its folder gives it
        raise ProfileError(str(path), defaults.problems_for_profile())
    merged = merge(defaults.values, data) if defaults.values else data
    try:
        profile = Profile.model_validate(merged)
    except ValidationError as exc:
        raise ProfileError(str(path), [_attributed(describe_error(error), error["loc"], data, defaults)
                                       for error in exc.errors()]) from None
    except RecursionError:
        raise ProfileError(str(path), [("", "nested too deeply to be a profile")]) from None
    problems = path_problems(profile, path.parent)  # local files stay under the data roots
    if problems:
        raise ProfileError(str(path), [_attributed(problem, tuple(problem[0].split(".")), data, defaults)
                                       for problem in problems])
    return profile


def _attributed(problem: tuple[str, str], location: tuple, data: dict, defaults: FolderDefaults) -> tuple[str, str]:
    """`problem`, saying so when the value it is about came from the defaults file. A rule about the
    whole profile names the key it is about first (`batch_size: Akeneo accepts at most 100...`)."""
    if not location:
        named = re.match(r"([a-z_]+): ", problem[1])
        location = (named.group(1),) if named else ()
    if defaults.values and location and from_defaults(tuple(location), data, defaults.values):
        return problem[0], f"{problem[1]} (set in the defaults file {defaults.path})"
    return problem


def describe_error(error: dict) -> tuple[str, str]:
    """A pydantic error as (field path, reason), in a profile's words."""
    kinds = set(PLANNED_SOURCE_KINDS) | set(PLANNED_TARGET_KINDS)
    location = list(error["loc"])
    # a discriminated union puts the chosen kind into the path (source.feed.delimiter): drop it
    if len(location) > 1 and location[0] in ("source", "target") and location[1] in kinds:
        location.pop(1)
    path = ".".join(str(part) if not isinstance(part, int) else f"[{part}]" for part in location)
    path = path.replace(".[", "[")
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key (check the spelling; see `pimflow schema`)"
    elif error["type"] == "missing":
        message = "required key is missing"
    elif "input" in error and error["type"] not in ("value_error", "assertion_error"):
        message = f"{message} (got {_shown(error['input'])})"
    return path, message


def _shown(value) -> str:
    try:
        return repr(str(value) if isinstance(value, ImpossibleDate) else value)
    except RecursionError:  # a runaway [[[[...]]]]
        return f"a {type(value).__name__} nested too deeply to show"


def load_profiles(directory: Path | None = None, files: list[Path] | None = None
                  ) -> tuple[list[LoadedProfile], list[ProfileError]]:
    """Validate every profile; return the good ones and one error per bad file (duplicate ids too).

    A folder's invalid defaults file is one error of its own, and makes each profile of the folder
    an error naming it; a defaults file among `files` is checked as a defaults file."""
    loaded: list[LoadedProfile] = []
    errors: list[ProfileError] = []
    if files is None:
        directory = directory or default_profiles_dir()
        files = profile_files(directory)
        errors += [ProfileError(str(path), [("", "not read: a profile file's name ends in .yaml or .yml "
                                                 "(rename it, or move it out of the profiles folder)")])
                   for path in stray_files(directory)]
        defaults = folder_defaults(directory)
        if defaults.invalid:
            errors.append(defaults.error())
    else:
        for path in [path for path in files if is_defaults_file(path)]:
            defaults = folder_defaults(path.parent)
            if defaults.invalid:
                errors.append(defaults.error())
        files = [path for path in files if not is_defaults_file(path)]
    by_id: dict[str, Path] = {}
    folders: dict[Path, Path | None] = {}  # each folder's defaults file
    for path in files:
        try:
            profile = parse_profile(path)
        except ProfileError as exc:
            errors.append(exc)
            continue
        if profile.id in by_id:
            errors.append(ProfileError(str(path), [("id", f"{profile.id!r} is already the id of {by_id[profile.id]}")]))
            continue
        by_id[profile.id] = path
        if path.parent not in folders:
            folders[path.parent] = folder_defaults(path.parent).path
        loaded.append(LoadedProfile(path, profile, folders[path.parent]))
    return loaded, errors


def load_profile_for_dag(dag_id: str, directory: Path | None = None) -> list[LoadedProfile]:
    """The profile whose id is `dag_id` (a list of one, or empty), validating as few files as it safely can.

    A task process builds only its own DAG. Every file whose text could hold that id is validated,
    in the usual order, so the file `load_profiles` would keep for that id (the first valid one) is
    the one kept here; the other files are not validated. When no candidate has the id, every file
    is validated after all, so the result never depends on the pre-scan."""
    files = profile_files(directory or default_profiles_dir())
    candidates = [path for path in files if _may_have_id(path, dag_id)]
    loaded, _ = load_profiles(files=candidates)
    found = [item for item in loaded if item.profile.id == dag_id]
    if not found and len(candidates) < len(files):
        loaded, _ = load_profiles(files=files)
        found = [item for item in loaded if item.profile.id == dag_id]
    return found


def _may_have_id(path: Path, dag_id: str) -> bool:
    """False only when the file's id cannot be `dag_id`: an id is written as a word unless an escape
    (backslash) or a tag (!!binary reads base64 into an id) spells it. An unreadable file is a candidate."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return True
    if "\\" in text or "!" in text:
        return True
    return re.search(rf"(?<![A-Za-z0-9_.-]){re.escape(dag_id)}(?![A-Za-z0-9_.-])", text) is not None


def check_param_schemas_once() -> None:
    """Make Airflow check each trigger-form schema against JSON Schema's metaschema once per process.

    Airflow validates a DAG's params through `jsonschema.validate`, which checks the schema itself
    against the metaschema on every call: about 30 calls per pimflow DAG (building it, serializing
    it), about half of the DAG processor's time for 300 profiles. The checked schemas are
    remembered (by their JSON text); everything else `jsonschema.validate` does is unchanged, and a
    bad schema is still refused every time. Idempotent; only the `jsonschema.validate` name changes."""
    import json

    import jsonschema
    from jsonschema import exceptions, validators

    if getattr(jsonschema.validate, "_pimflow_checks_once", False):
        return
    checked: set[tuple[type, str]] = set()

    def validate(instance, schema, cls=None, *args, **kwargs):
        if cls is None:
            cls = validators.validator_for(schema)
        try:
            key = (cls, json.dumps(schema, sort_keys=True))
        except (TypeError, ValueError):  # not JSON text: checked every time, as before
            key = None
        if key is None or key not in checked:
            cls.check_schema(schema)
            if key is not None and len(checked) < 1024:
                checked.add(key)
        validator = cls(schema, *args, **kwargs)
        error = exceptions.best_match(validator.iter_errors(instance))
        if error is not None:
            raise error

    validate.__doc__ = jsonschema.validate.__doc__
    validate._pimflow_checks_once = True
    jsonschema.validate = validate
