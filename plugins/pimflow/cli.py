"""The `pimflow` command: validate profiles, export the profile JSON Schema, run the sandboxes."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pimflow.loader import default_profiles_dir, load_profiles, profile_files
from pimflow.profile import profile_json_schema


def _validate(args) -> int:
    files = [Path(f) for f in args.files] or profile_files(default_profiles_dir())
    if not files:
        print(f"no profile files found in {default_profiles_dir()}", file=sys.stderr)
        return 1
    loaded, errors = load_profiles(files=files)
    for item in loaded:
        print(f"ok    {item.path}  ({item.profile.id}: {item.profile.source.kind} → {item.profile.target.kind})")
    for error in errors:
        print(error.describe(), file=sys.stderr)
    print(f"{len(loaded)} valid, {len(errors)} invalid", file=sys.stderr if errors else sys.stdout)
    return 1 if errors else 0


def _schema(args) -> int:
    text = json.dumps(profile_json_schema(), indent=2)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pimflow", description="pimflow: product data sync profiles for Airflow 3")
    commands = parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser("validate", help="check profile files (default: every profile in the profiles folder)")
    validate.add_argument("files", nargs="*", help="profile YAML files")
    validate.set_defaults(run=_validate)
    schema = commands.add_parser("schema", help="print the profile JSON Schema (for editors)")
    schema.add_argument("-o", "--output", help="write to this file instead of stdout")
    schema.set_defaults(run=_schema)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
