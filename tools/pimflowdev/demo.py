"""`make demo`: run the shipped demo profiles through real Airflow (`airflow dags test`) against the
sandboxes, and print each run's summary with its output and feedback paths.

The story: a supplier feed becomes a shop feed; an agency feed goes into Akeneo; Akeneo's catalog
goes to Linnworks; Linnworks' stock comes back to Akeneo as listable quantities per channel.
"""
from __future__ import annotations

import os
import random
import subprocess
import sys
import time
import warnings
from pathlib import Path

import requests

from pimflow.loader import load_profiles
from pimflow.staging import read_json, staging_base

REPO = Path(__file__).resolve().parents[2]
DEMO_ORDER = ("demo_feed_to_feed", "demo_feed_to_akeneo", "demo_akeneo_to_linnworks", "demo_stock_to_akeneo")
NEEDS_SANDBOXES = {"akeneo", "linnworks", "linnworks_stock"}
DEMO_PRODUCTS = 200
DEMO_VARIANT_SHARE = 0.5  # half the demo catalog's products are variants of one- and two-level models
QUOTA_WINDOW = 3  # seconds per Linnworks quota window in the demo (60 in reality)


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


def latest_summary(dag_id: str) -> dict | None:
    runs = staging_base() / dag_id / "runs"
    summaries = [run / "summary.json" for run in runs.iterdir()] if runs.exists() else []
    summaries = [s for s in summaries if s.exists()]
    return read_json(max(summaries, key=lambda s: s.stat().st_mtime)) if summaries else None


def seed_stock(sandboxes) -> None:
    """Stock in two locations for the items the Akeneo → Linnworks demo created (the sandbox's
    control API stands in for warehouse activity)."""
    from linnworks.api.client import LinnworksClient
    from linnworks.api.settings import LinnworksSettings

    settings = LinnworksSettings.from_connection(_Connection(sandboxes.connections()["linnworks_default"]))
    with LinnworksClient(settings) as client:
        locations = [location.stock_location_id for location in client.get_stock_locations()][:2]
        known = client.find_stock_item_ids([f"PF-{n:06d}" for n in range(1, DEMO_PRODUCTS + 1)])
    rng = random.Random(5)
    rows = [{"SKU": sku, "LocationId": location, "StockLevel": rng.randint(0, 40), "InOrderBook": rng.randint(0, 5)}
            for sku in sorted(known) for location in locations]
    if rows:
        requests.put(f"{sandboxes.linnworks_data_url}/_sandbox/stock", json=rows, timeout=30).raise_for_status()
    print(f"   (seeded stock for {len(known)} item(s) in {len(locations)} location(s) of the Linnworks sandbox)")


class _Connection:
    """An Airflow-connection-shaped view of the demo's connection dict."""

    def __init__(self, data: dict):
        self.login, self.password = data.get("login"), data.get("password")
        self.host, self.extra_dejson = data.get("host"), data.get("extra") or {}


def print_summary(summary: dict, seconds: float) -> None:
    statuses = summary["statuses"]
    print(f"   finished in {seconds:.1f} s — {summary['window']}")
    print(f"   read {summary['read']}, written {summary['written']} (created {statuses.get('created', 0)}, "
          f"updated {statuses.get('updated', 0)}), unchanged {statuses.get('unchanged', 0)}, "
          f"skipped {statuses.get('skipped', 0)}, refused {summary['refused']}")
    for key, value in summary.get("extra", {}).items():
        print(f"   {key:<10} {value}")
    print(f"   feedback   {summary['feedback']}")


def event_run(sandboxes, env: dict, log: Path) -> bool:
    """An event-started run of demo_akeneo_events (`pimflowdev.demo_events`): a product renamed in the
    Akeneo sandbox reaches Linnworks through Akeneo's events, pimflow's receiver and an
    asset-triggered run. In its own process, like the runs above (Airflow reads its settings at import)."""
    print("\n== Akeneo event → asset-triggered run of demo_akeneo_events   (Akeneo's Event Platform, pimflow's receiver)")
    started = time.monotonic()
    with log.open("a", encoding="utf-8") as handle:
        handle.write("\n$ python -m pimflowdev.demo_events\n")
        handle.flush()
        done = subprocess.run([sys.executable, "-m", "pimflowdev.demo_events", sandboxes.akeneo_url,
                               sandboxes.linnworks_data_url], env=env, stdout=subprocess.PIPE, stderr=handle,
                              text=True)
    with log.open("a", encoding="utf-8") as handle:  # Airflow's own output goes to the log, ours is shown
        handle.write(done.stdout)
    print("\n".join(line for line in done.stdout.splitlines() if line.startswith(("   ", "demo_akeneo_events:"))))
    summary = latest_summary("demo_akeneo_events")
    if done.returncode != 0 or summary is None:
        print(f"   FAILED (exit {done.returncode}); see {log}", file=sys.stderr)
        return False
    print_summary(summary, time.monotonic() - started)
    if summary.get("events"):
        print(f"   events     {len(summary['events'].get('handled', []))} handled: "
              f"{', '.join(summary['events'].get('handled', []))}")
    return True


def main() -> int:
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    env = airflow_env()
    os.environ.update({k: v for k, v in env.items() if k.startswith(("AIRFLOW", "PIMFLOW"))})
    home = Path(env["AIRFLOW_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    log = home / "demo.log"
    print(f"Airflow home: {home} (SQLite); full Airflow output in {log}")
    if airflow("db", "migrate", env=env, log=log) != 0:
        print(f"airflow db migrate failed: see {log}", file=sys.stderr)
        return 1
    loaded, _ = load_profiles(Path(env["PIMFLOW_PROFILES_DIR"]))
    profiles = {item.profile.id: item.profile for item in loaded}
    demos = [dag_id for dag_id in DEMO_ORDER if dag_id in profiles]
    for dag_id in demos:  # the sandboxes start empty each time: so does the incremental state
        state = staging_base() / dag_id / "state.json"
        if state.exists():
            state.unlink()
    sandboxes = None
    failed = 0
    try:
        for dag_id in demos:
            profile = profiles[dag_id]
            if sandboxes is None and {profile.source.kind, profile.target.kind} & NEEDS_SANDBOXES:
                from pimflowdev.sandboxes import start_sandboxes

                sandboxes = start_sandboxes(products=DEMO_PRODUCTS, log_dir=home, quota_window_seconds=QUOTA_WINDOW,
                                            variant_share=DEMO_VARIANT_SHARE)
                env.update(sandboxes.connection_env())
                print(f"\nSandboxes: Akeneo {sandboxes.akeneo_url} ({DEMO_PRODUCTS} products), "
                      f"Linnworks {sandboxes.linnworks_auth_url} (auth) / {sandboxes.linnworks_data_url} (data); "
                      f"Linnworks' per-minute quotas play in {QUOTA_WINDOW:g} s windows")
            if dag_id == "demo_stock_to_akeneo" and sandboxes is not None:
                seed_stock(sandboxes)
            print(f"\n== airflow dags test {dag_id}   ({profile.description})")
            started = time.monotonic()
            code = airflow("dags", "test", dag_id, env=env, log=log)
            summary = latest_summary(dag_id)
            if code != 0 or summary is None:
                print(f"   FAILED (exit {code}); see {log}", file=sys.stderr)
                failed += 1
                continue
            print_summary(summary, time.monotonic() - started)
        if sandboxes is not None and "demo_akeneo_events" in profiles:
            demos.append("demo_akeneo_events")
            failed += not event_run(sandboxes, env, log)
    finally:
        if sandboxes is not None:
            sandboxes.stop()
    print(f"\n{len(demos) - failed} of {len(demos)} demo profiles ran; task logs under {home / 'logs'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
