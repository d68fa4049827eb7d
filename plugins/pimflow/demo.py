"""`make demo`: run the shipped demo profiles through real Airflow (`airflow dags test`) and print
each run's summary with its output and feedback paths."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

from pimflow.staging import read_json, staging_base

REPO = Path(__file__).resolve().parents[2]
DEMO_DAGS = ("demo_feed_to_feed",)


def airflow_env() -> dict:
    env = dict(os.environ)
    env.setdefault("AIRFLOW_HOME", str(REPO / ".airflow" / "home"))
    env.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(REPO / "dags"))
    env.setdefault("AIRFLOW__CORE__PLUGINS_FOLDER", str(REPO / "plugins"))
    env.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    env.setdefault("PIMFLOW_PROFILES_DIR", str(REPO / "include" / "profiles"))
    return env


def airflow(*args: str, env: dict, log: Path) -> int:
    binary = Path(sys.executable).with_name("airflow")
    with log.open("a", encoding="utf-8") as handle:
        handle.write(f"\n$ airflow {' '.join(args)}\n")
        handle.flush()
        return subprocess.call([str(binary), *args], env=env, stdout=handle, stderr=subprocess.STDOUT)


def latest_summary(dag_id: str, env: dict) -> dict | None:
    os.environ.update({k: v for k, v in env.items() if k.startswith("AIRFLOW")})
    runs = staging_base() / dag_id / "runs"
    summaries = [run / "summary.json" for run in runs.iterdir()] if runs.exists() else []
    summaries = [s for s in summaries if s.exists()]
    if not summaries:
        return None
    return read_json(max(summaries, key=lambda s: s.stat().st_mtime))


def main() -> int:
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    env = airflow_env()
    home = Path(env["AIRFLOW_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    log = home / "demo.log"
    print(f"Airflow home: {home} (SQLite); full Airflow output in {log}")
    if airflow("db", "migrate", env=env, log=log) != 0:
        print(f"airflow db migrate failed: see {log}", file=sys.stderr)
        return 1
    failed = 0
    for dag_id in DEMO_DAGS:
        print(f"\n== airflow dags test {dag_id}")
        started = time.monotonic()
        code = airflow("dags", "test", dag_id, env=env, log=log)
        summary = latest_summary(dag_id, env)
        if code != 0 or summary is None:
            print(f"   FAILED (exit {code}); see {log}", file=sys.stderr)
            failed += 1
            continue
        print(f"   finished in {time.monotonic() - started:.1f} s")
        print(f"   window     {summary['window']}")
        print(f"   read {summary['read']}, written {summary['written']}, "
              f"unchanged {summary['statuses'].get('unchanged', 0)}, skipped {summary['statuses'].get('skipped', 0)}, "
              f"refused {summary['refused']}")
        for key, value in summary.get("extra", {}).items():
            print(f"   {key:<10} {value}")
        print(f"   feedback   {summary['feedback']}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
