"""DAG parse cost: the two DAG files with 1, 100 and 300 profiles, as the DAG processor and a task process parse them.

Run: `python -m bench.dag_parse [--profiles N ...] [--repeat N]`. The profiles are copies of the shipped
ones with distinct ids, in a temporary folder. Each measurement is a fresh subprocess that first imports
what the parsing process already holds (Airflow: the DAG processor's manager imported it, froze its heap
with gc.freeze and forked; a task runs in the task SDK), then times, in CPU seconds of that process (so
other work on the machine does not count):
- DAG processor: each DAG file parsed on its own (`BundleDagBag` of that one file) and its DAGs serialized,
  as the processor does every file every 30 s; the two files are summed;
- task process: `pimflow_profiles.py` parsed with Airflow's parsing context naming one DAG, as a task does
  before it runs.
The best of --repeat runs is shown. Every parse is checked: all DAGs and no import error for the processor,
exactly the named DAG for the task. Target: both files under 3 s for 300 profiles.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DAGS = ROOT / "dags"
DAG_FILES = ("pimflow_profiles.py", "pimflow_profile_errors.py")
TARGET_PROFILES, TARGET_SECONDS = 300, 3.0

CHILD = """
import gc, json, sys, time
from pathlib import Path
import airflow.sdk  # already imported by the DAG processor's manager (it forks) and by a task runner
from airflow.dag_processing.dagbag import BundleDagBag
from airflow.serialization.serialized_objects import DagSerialization

mode, path, bundle = sys.argv[1:4]
if mode == "processor":
    gc.freeze()  # as the manager does before it forks parsers (airflow.dag_processing.manager, before_run)
cpu, wall = time.process_time(), time.perf_counter()
bag = BundleDagBag(dag_folder=path, bundle_path=Path(bundle), bundle_name="dags-folder", load_op_links=False,
                   safe_mode=mode == "processor")
if mode == "processor":  # the processor sends every DAG back serialized
    serialized = [DagSerialization.to_dict(dag) for dag in bag.dags.values()]
cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
print(json.dumps({"dag_ids": sorted(bag.dag_ids), "import_errors": sorted(bag.import_errors), "cpu": cpu, "wall": wall}))
"""


def write_profiles(folder: Path, count: int) -> list[str]:
    """`count` copies of the shipped profiles (round robin) with distinct ids; returns the ids."""
    shipped = sorted((ROOT / "include" / "profiles").glob("*.yaml"))
    ids = []
    for number in range(count):
        source = shipped[number % len(shipped)]
        text, found = re.subn(r"^id: *(\S+)", lambda m: f"id: {m.group(1)}_{number:04d}", source.read_text(),
                              count=1, flags=re.MULTILINE)
        assert found, f"no id line in {source}"
        ids.append(re.search(r"^id: *(\S+)", text, re.MULTILINE).group(1))
        (folder / f"p{number:04d}_{source.name}").write_text(text, encoding="utf-8")
    return ids


def parse(mode: str, dag_file: str, profiles: Path, home: Path, dag_id: str | None = None) -> dict:
    env = {**os.environ, "AIRFLOW_HOME": str(home), "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
           "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"), "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
           "AIRFLOW__CORE__UNIT_TEST_MODE": "False", "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
           "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "600",  # CPU time is measured; a busy machine must not time out
           "PIMFLOW_PROFILES_DIR": str(profiles),
           "PYTHONPATH": os.pathsep.join(filter(None, (str(ROOT / "plugins"), os.environ.get("PYTHONPATH"))))}
    for name in ("_AIRFLOW_PARSING_CONTEXT_DAG_ID", "_AIRFLOW_PARSING_CONTEXT_TASK_ID"):
        env.pop(name, None)
    if dag_id:  # what the task runner sets while it parses the DAG file (airflow.sdk.get_parsing_context)
        env.update(_AIRFLOW_PARSING_CONTEXT_DAG_ID=dag_id, _AIRFLOW_PARSING_CONTEXT_TASK_ID="extract")
    result = subprocess.run([sys.executable, "-c", CHILD, mode, str(DAGS / dag_file), str(DAGS)],
                            env=env, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise RuntimeError(f"parsing {dag_file} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def measure(count: int, repeat: int, workdir: Path) -> dict:
    profiles = workdir / f"profiles_{count}"
    profiles.mkdir()
    ids = write_profiles(profiles, count)
    home = workdir / "airflow_home"
    processor, task, problems = [], [], []
    for _ in range(repeat):
        files = {name: parse("processor", name, profiles, home) for name in DAG_FILES}
        processor.append(sum(r["cpu"] for r in files.values()))
        if files["pimflow_profiles.py"]["dag_ids"] != sorted(ids) or any(r["import_errors"] for r in files.values()):
            problems.append(f"{count} profiles: the DAG processor did not get every DAG without import errors")
        one = ids[len(ids) // 2]
        parsed = parse("task", "pimflow_profiles.py", profiles, home, dag_id=one)
        task.append(parsed["cpu"])
        if parsed["dag_ids"] != [one]:
            problems.append(f"{count} profiles: the task process built {len(parsed['dag_ids'])} DAGs, not only {one}")
    return {"profiles": count, "processor": min(processor), "task": min(task), "problems": problems}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, nargs="+", default=[1, 100, TARGET_PROFILES])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="pimflow_dag_parse_") as temp:
        rows = [measure(count, args.repeat, Path(temp)) for count in args.profiles]
    print(f"DAG parse cost, CPU s of the parsing process, best of {args.repeat} "
          f"(Python {sys.version.split()[0]})")
    print(f"{'profiles':>8} {'DAG processor, both files (s)':>30} {'task process (s)':>17}  target")
    missed = False
    for row in rows:
        target = ""
        if row["profiles"] == TARGET_PROFILES:
            met = row["processor"] < TARGET_SECONDS
            missed |= not met
            target = f"both files < {TARGET_SECONDS:g} s: {'met' if met else 'MISSED'}"
        print(f"{row['profiles']:>8} {row['processor']:>30.2f} {row['task']:>17.2f}  {target}")
    problems = [problem for row in rows for problem in row["problems"]]
    for problem in dict.fromkeys(problems):
        print("WRONG:", problem)
    return 1 if missed or problems else 0


if __name__ == "__main__":
    sys.exit(main())
