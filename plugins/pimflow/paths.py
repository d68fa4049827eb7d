"""Where a profile may read and write local files: under its data roots, never into code folders.

A profile is data that anyone allowed to edit it controls; without this, a feed source could read
any file the worker can (`/etc/os-release`) and a feed target or feedback file could write a file
into the DAGs folder (code that Airflow then runs). A local path (relative to the profile's folder,
absolute, `~`, or a `file://` URL) must resolve, symlinks followed, under one of the data roots and
outside Airflow's DAGs and plugins folders, $AIRFLOW_HOME/config, pimflow's own `dags/` and
`plugins/`, and the files at the top of $AIRFLOW_HOME (`airflow.cfg`, `webserver_config.py`).
Remote fsspec URLs (`s3://...`) are not local files and stay allowed.

The data roots are `[pimflow] data_roots` (env `AIRFLOW__PIMFLOW__DATA_ROOTS`): folders separated by
commas, a relative one taken from the profile's folder; unset, the profile folder's parent (the
project's `include/` for the shipped profiles in `include/profiles/`).
"""
from __future__ import annotations

import os
import string
from pathlib import Path

from pimflow.errors import NotRetried

#: The placeholders a target or feedback path may use, with what stands for them when a profile is
#: validated (the run fills in the real values; `run_id` is made safe by `staging.safe_name`).
PLACEHOLDERS = {"dag_id": "{dag_id}", "run_id": "manual__2026-01-01T00_00_00_00_00",
                "ds": "2026-01-01", "ts_nodash": "20260101T000000"}
_LOCAL_PROTOCOLS = {"file", "local"}
_GLOB_CHARS = set("*?[")
_PIMFLOW_CODE = (Path(__file__).resolve().parents[1], Path(__file__).resolve().parents[2] / "dags")


class PathNotAllowed(NotRetried, ValueError):
    """A local path a profile names leaves its data roots or reaches a code folder."""


def _conf(section: str, key: str) -> str | None:
    try:
        from airflow.configuration import conf
    except ImportError:  # pragma: no cover - only outside an Airflow install
        return None
    return conf.get(section, key, fallback=None)


def _airflow_home() -> Path:
    home = os.environ.get("AIRFLOW_HOME")
    if not home:
        try:
            from airflow.configuration import AIRFLOW_HOME as home
        except ImportError:  # pragma: no cover - only outside an Airflow install
            home = str(Path.home() / "airflow")
    return Path(home).expanduser().resolve()


def data_roots(profile_dir: Path) -> list[Path]:
    """The folders a profile in `profile_dir` may read and write local files in (resolved)."""
    configured = os.environ.get("AIRFLOW__PIMFLOW__DATA_ROOTS") or _conf("pimflow", "data_roots") or ""
    entries = [entry.strip() for entry in configured.replace("\n", ",").split(",") if entry.strip()]
    if not entries:
        return [Path(profile_dir).resolve().parent]
    return [(Path(profile_dir) / Path(entry).expanduser()).resolve() for entry in entries]


def code_folders() -> list[Path]:
    """Folders no profile may touch: Airflow's DAGs and plugins folders, $AIRFLOW_HOME/config
    (where airflow_local_settings.py is imported from) and pimflow's own."""
    folders = [*_PIMFLOW_CODE, _airflow_home() / "config"]
    for key in ("dags_folder", "plugins_folder"):
        value = os.environ.get(f"AIRFLOW__CORE__{key.upper()}") or _conf("core", key)
        if value:
            folders.append(Path(value).expanduser().resolve())
    return folders


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def local_part(location: str) -> str | None:
    """The local path a location names (a `file://` URL's path too), or None for a remote URL."""
    if "://" not in location and "::" not in location:
        return location
    links = location.split("::")
    protocols = {link.split("://", 1)[0].lower() if "://" in link else "file" for link in links}
    if not protocols & _LOCAL_PROTOCOLS:
        return None
    if len(links) > 1:
        raise PathNotAllowed("a chained URL that reaches local files is not allowed (use a plain path)")
    path = location.split("://", 1)[1]
    if not path.startswith("/"):  # fsspec would take it from the worker's current folder, not the profile's
        raise PathNotAllowed(f"{location!r}: a file:// URL needs an absolute path (file:///...); "
                             "write a path relative to the profile without file://")
    return path


def check_local(location: str, profile_dir: Path, glob: bool = True) -> Path | None:
    """The resolved local path `location` names, or None for a remote URL; PathNotAllowed says why
    it may not be used (outside the data roots, or in a code folder). With `glob`, `*?[` make a
    pattern whose folder is checked (each file it finds is checked at run time, `glob=False`)."""
    text = local_part(location)
    if text is None:
        return None
    parts = Path(text).parts
    cut = next((i for i, part in enumerate(parts) if _GLOB_CHARS & set(part)), None) if glob else None
    if cut is not None and ".." in parts[cut:]:
        raise PathNotAllowed("'..' after a glob pattern is not allowed")
    fixed = Path(*parts[:cut]) if cut is not None else Path(text)
    path = Path(profile_dir) / fixed.expanduser()  # an absolute path replaces the profile's folder
    resolved = path.resolve()
    roots = data_roots(profile_dir)
    if not any(_inside(resolved, root) for root in roots):
        shown = ", ".join(str(root) for root in roots)
        via = f" (through a symlink: {resolved})" if resolved != Path(os.path.abspath(path)) else f" ({resolved})"
        raise PathNotAllowed(f"{location!r} is outside the data roots{via}; allowed: {shown} "
                             "(set [pimflow] data_roots to add folders)")
    for folder in code_folders():
        if _inside(resolved, folder):
            raise PathNotAllowed(f"{location!r} is in {folder}, a code folder: profiles never read or write there")
    home = _airflow_home()
    if resolved.parent == home and cut is None:
        raise PathNotAllowed(f"{location!r} is a file at the top of AIRFLOW_HOME ({home}): "
                             "profiles never read or write Airflow's own files")
    return resolved


def fill_placeholders(location: str, values: dict[str, str]) -> str:
    """The location with its `{name}` placeholders filled; ValueError names an unknown one."""
    for _, field, spec, conversion in string.Formatter().parse(location):
        if field is not None and (field not in PLACEHOLDERS or spec or conversion):
            shown = "{" + field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            raise ValueError(f"unknown placeholder {shown} (available: "
                             + ", ".join("{" + name + "}" for name in PLACEHOLDERS) + ")")
    return location.format(**values)


def path_problems(profile, profile_dir: Path) -> list[tuple[str, str]]:
    """Every local path of the profile that it may not use, as (field, reason)."""
    fields: list[tuple[str, str, bool]] = []  # (field, location, may use placeholders)
    if profile.source.kind == "feed":
        fields.append(("source.path", profile.source.path, False))
    if profile.target.kind == "feed":
        fields.append(("target.path", profile.target.path, True))
    if profile.feedback.path:
        fields.append(("feedback.path", profile.feedback.path, True))
    problems = []
    for field, location, templated in fields:
        try:
            if templated:
                location = fill_placeholders(location, {**PLACEHOLDERS, "dag_id": profile.id})
            check_local(location, profile_dir)
        except (PathNotAllowed, ValueError) as exc:
            problems.append((field, str(exc)))
    return problems


def contained_storage_path(location: str, profile_dir: Path):
    """`location` as an ObjectStoragePath, checked again at run time (a symlink may have appeared,
    a run id filled in); PathNotAllowed when the profile may not use it."""
    from pimflow.staging import as_storage_path

    check_local(location, profile_dir)
    return as_storage_path(location, relative_to=profile_dir)
