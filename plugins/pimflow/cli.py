"""The `pimflow` command: validate profiles, export the profile JSON Schema, count what a profile
selects, list and create the Airflow pools the profiles' write tasks need, show a record's history
across runs (`pimflow.history_cli`). (The sandboxes are
development tooling: `python -m pimflowdev sandbox` in a dev install.)"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pimflow.events_cli import add_parser as add_events_parser
from pimflow.history_cli import add_parser as add_history_parser
from pimflow.loader import default_profiles_dir, load_profiles, profile_files, stray_files
from pimflow.profile import profile_json_schema


def _validate(args) -> int:
    from pimflow.defaults import defaults_files, folder_defaults, is_defaults_file

    files = [Path(f) for f in args.files]
    folder = default_profiles_dir()
    if not files and not profile_files(folder) and not stray_files(folder) and not defaults_files(folder):
        print(f"no profile files found in {folder}", file=sys.stderr)
        return 1
    loaded, errors = load_profiles(files=files) if files else load_profiles()
    for path in [path for path in files if is_defaults_file(path)] if files else defaults_files(folder):
        if not folder_defaults(path.parent).invalid:
            print(f"ok    {path}  (defaults of the profiles in its folder)")
    for item in loaded:
        print(f"ok    {item.path}  ({item.profile.id}: {item.profile.source.kind} → {item.profile.target.kind})")
    for error in errors:
        print(error.describe(), file=sys.stderr)
    print(f"{len(loaded)} valid, {len(errors)} invalid", file=sys.stderr if errors else sys.stdout)
    return 1 if errors else 0


def _schema(args) -> int:
    from pimflow.defaults import defaults_json_schema

    text = json.dumps(defaults_json_schema() if args.defaults else profile_json_schema(), indent=2)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    return 0


def _count(args) -> int:
    from pimflow.kinds.akeneo import AkeneoProfileError, akeneo_client, product_id_format
    from pimflow.kinds.akeneo_source import AkeneoSourceKind
    from pimflow.loader import parse_profile
    from pimflow.window import Window

    profile = parse_profile(Path(args.profile))
    if profile.source.kind != "akeneo":
        print(f"{args.profile}: the product counter needs an akeneo source (this one is {profile.source.kind})",
              file=sys.stderr)
        return 1
    source = AkeneoSourceKind(profile.source)

    class _Run:  # what `query` reads of a run: a full sync
        window = Window("full")

    query = source.query(_Run())
    try:
        product_id_format(profile.source, "source", profile.id)  # a deprecated product_id must agree
    except AkeneoProfileError as exc:
        print(f"{args.profile}: {exc}", file=sys.stderr)
        return 1
    count = akeneo_client(profile.source.connection).count_products(query)
    print(f"{count} product(s) match the filter of {profile.id}")
    return 0


def _pools(args) -> int:
    from pimflow.pools import create_missing, needed_pools

    files = [Path(f) for f in args.files] or profile_files(default_profiles_dir())
    loaded, errors = load_profiles(files=files)
    for error in errors:  # an invalid profile is no DAG: it needs no pool, and never stops the others
        print(f"skipped: {error.describe()}", file=sys.stderr)
    needs = needed_pools(item.profile for item in loaded)
    status = dict.fromkeys(needs, "")
    if args.create:
        from airflow.utils.session import create_session

        with create_session() as session:
            created, existing = create_missing(needs, session)
        status.update({name: "created" for name in created} | {name: "exists" for name in existing})
    for need in needs.values():
        what = f"connection {need.connection}" if need.connection else "profile pool"
        print(f"{need.name:<32} {status[need.name]:<8} {what}: {', '.join(need.profiles)}".rstrip())
    if not needs:
        print("no profile writes to an Akeneo or Linnworks connection or names a pool: no pool needed")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pimflow", description="pimflow: product data sync profiles for Airflow 3")
    commands = parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser("validate", help="check profile files (default: every profile in the profiles folder)")
    validate.add_argument("files", nargs="*", help="profile YAML files")
    validate.set_defaults(run=_validate)
    schema = commands.add_parser("schema", help="print the profile JSON Schema (for editors)")
    schema.add_argument("-o", "--output", help="write to this file instead of stdout")
    schema.add_argument("--defaults", action="store_true",
                        help="the schema of a profiles folder's defaults file (_defaults.yaml) instead")
    schema.set_defaults(run=_schema)
    count = commands.add_parser("count", help="how many products an akeneo profile's filter selects")
    count.add_argument("profile", help="profile YAML file")
    count.set_defaults(run=_count)
    pools = commands.add_parser("pools", help="the Airflow pool each profile's write tasks use (one per target connection)")
    pools.add_argument("files", nargs="*", help="profile YAML files (default: every profile in the profiles folder)")
    pools.add_argument("--create", action="store_true",
                       help="create the missing pools in the metadata database, 1 slot each (existing pools keep theirs)")
    pools.set_defaults(run=_pools)
    add_history_parser(commands)
    add_events_parser(commands)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
