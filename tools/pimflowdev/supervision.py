"""Watching `make airflow`'s Airflow: `airflow standalone` starts the scheduler, DAG processor,
triggerer and API server, and carries on when one of them dies (it only relays their output).
A stack whose scheduler died still serves the UI but never runs anything again, so the stack
watches each component itself and says which one stopped (components are found as processes, by
their command line, among standalone's children)."""
from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, TextIO

#: What `airflow standalone` runs, as `airflow <name>` (the API server retitles itself `airflow api_server -- ...`).
COMPONENTS = ("scheduler", "dag-processor", "triggerer", "api-server")
_COMMAND = re.compile(r"(?:^|[\s/])airflow\s+(scheduler|dag-processor|triggerer|api[-_]server)(?:\s|$)")


def running_components(standalone_pid: int) -> dict[str, int]:
    """The components of `airflow standalone` that are running: name → pid (a dead component,
    not yet reaped by standalone, no longer counts)."""
    found: dict[str, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, ppid = stat.read_text().rsplit(")", 1)[1].split()[:2]
            argv = (stat.parent / "cmdline").read_bytes().split(b"\0")
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
        if int(ppid) != standalone_pid or state in "ZX":
            continue
        match = _COMMAND.search(" ".join(part.decode("utf-8", "replace") for part in argv))
        if match:
            found[match.group(1).replace("_", "-")] = int(stat.parent.name)
    return found


#: The API server the stack starts beside standalone for the Execution API alone (pimflowdev.stack),
#: and its log, next to standalone's.
EXECUTION_API = "execution-api"
EXECUTION_API_LOG = "execution-api.log"


def missing_components(process: subprocess.Popen) -> list[str]:
    """The components of the running stack that no longer run (all of them once standalone exited);
    with the Execution API server when the stack started one (`process.execution_api`) and it exited."""
    if process.poll() is not None:
        return list(COMPONENTS)
    running = running_components(process.pid)
    missing = [name for name in COMPONENTS if name not in running]
    execution_api = getattr(process, "execution_api", None)  # a bare standalone has none
    if execution_api is not None and execution_api.poll() is not None:
        missing.append(EXECUTION_API)
    return missing


def supervise(process: subprocess.Popen, log_path: Path, stopping: Callable[[], bool] = lambda: False,
              every: float = 1.0, out: TextIO | None = None) -> int:
    """Watch the stack until `stopping()`: 0 then; 1 as soon as standalone or one of its components
    stopped, after saying which, what it means, and the end of its log."""
    out = out or sys.stderr
    while not stopping():
        missing = missing_components(process)
        if missing:
            report(process, missing, log_path, out)
            return 1
        time.sleep(every)
    return 0


def report(process: subprocess.Popen, missing: list[str], log_path: Path, out: TextIO) -> None:
    if process.poll() is not None:
        print(f"\nERROR: airflow standalone exited (code {process.returncode}): Airflow is down.", file=out)
        lines = last_lines(log_path)
    else:
        consequence = ("; nothing is scheduled or run any more" if "scheduler" in missing else "")
        print(f"\nERROR: Airflow's {' and '.join(missing)} stopped{consequence}. "
              f"Stopping the stack: run it again to restart.", file=out)
        lines = [line for name in missing for line in (
            last_lines(log_path.with_name(EXECUTION_API_LOG)) if name == EXECUTION_API else last_lines(log_path, name))]
    if lines:
        print(f"The end of {log_path}:", file=out)
        for line in lines:
            print(f"  {line}", file=out)
    out.flush()


def last_lines(log_path: Path, component: str | None = None, count: int = 20) -> list[str]:
    """The last `count` lines of the stack's log (`standalone.log`), only `component`'s when named
    (standalone prefixes each line with the component's name)."""
    try:
        lines = log_path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    if component:
        lines = [line for line in lines if line.startswith(component) and "|" in line[:20]]
    return lines[-count:]
