"""`make airflow` notices when a component of Airflow dies: `airflow standalone` itself carries on
(UI up, nothing scheduled), so the stack's supervisor reports the component, with the end of its
log, and exits 1. Real processes stand in for standalone and its components (`airflow <name>`
scripts that sleep); the loops below only wait for the processes, they time nothing."""
from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from pimflowdev.supervision import (COMPONENTS, EXECUTION_API_LOG, missing_components, running_components,
                                    supervise)

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc"), reason="components are found through /proc")


@pytest.fixture
def standalone(tmp_path):
    """A stand-in for `airflow standalone`: starts `airflow <component>` for each component (a script
    named airflow, as on the PATH), logs a line for each as standalone does, never reaps them."""
    airflow = tmp_path / "bin" / "airflow"
    airflow.parent.mkdir()
    airflow.write_text(f"#!{sys.executable}\nimport time\ntime.sleep(600)\n")
    airflow.chmod(0o755)
    log = tmp_path / "standalone.log"
    script = textwrap.dedent(f"""
        import subprocess, sys, time
        children = [subprocess.Popen([{str(airflow)!r}, name]) for name in {COMPONENTS!r}]
        for name in {COMPONENTS!r}:
            print(f"{{name:10}} | {{name}} started", flush=True)
        print("scheduler  | sqlite3.OperationalError: database is locked", flush=True)
        time.sleep(600)
    """)
    with log.open("w") as output:
        process = subprocess.Popen([sys.executable, "-c", script], stdout=output, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    wait_until(lambda: len(running_components(process.pid)) == len(COMPONENTS) and "locked" in log.read_text())
    yield process, log
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def wait_until(condition, guard: float = 60) -> None:
    """Wait for processes to start or die (the guard only stops a hang)."""
    deadline = time.monotonic() + guard
    while not condition():
        assert time.monotonic() < deadline, "hang guard"
        time.sleep(0.05)


def test_every_component_running_is_no_problem(standalone):
    process, log = standalone
    assert set(running_components(process.pid)) == set(COMPONENTS)
    assert missing_components(process) == []
    out = io.StringIO()
    assert supervise(process, log, stopping=iter([False, False, True]).__next__, every=0.01, out=out) == 0  # two looks
    assert out.getvalue() == ""


def test_a_dead_scheduler_is_reported_with_its_last_log_lines(standalone):
    process, log = standalone
    scheduler = running_components(process.pid)["scheduler"]
    os.kill(scheduler, signal.SIGKILL)  # standalone does not reap it: a zombie, as with the real one
    wait_until(lambda: "scheduler" not in running_components(process.pid))
    assert process.poll() is None  # standalone carries on regardless
    assert missing_components(process) == ["scheduler"]
    out = io.StringIO()
    assert supervise(process, log, stopping=lambda: False, every=0.01, out=out) == 1
    report = out.getvalue()
    assert "ERROR: Airflow's scheduler stopped; nothing is scheduled or run any more" in report
    assert "database is locked" in report and "triggerer started" not in report  # the scheduler's own lines


def test_standalone_exiting_is_reported(standalone):
    process, log = standalone
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    out = io.StringIO()
    assert supervise(process, log, every=0.01, out=out) == 1
    assert f"airflow standalone exited (code {-signal.SIGKILL})" in out.getvalue()


def test_a_dead_execution_api_server_is_reported_with_the_end_of_its_own_log(standalone):
    """The stack starts the Execution API server beside standalone (not one of its children); when it
    exits, tasks can no longer report, so the stack says so like for a component."""
    process, log = standalone
    log.with_name(EXECUTION_API_LOG).write_text("ERROR: [Errno 98] address already in use\n")
    process.execution_api = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        assert missing_components(process) == []
        process.execution_api.kill()
        process.execution_api.wait()
        assert missing_components(process) == ["execution-api"]
        out = io.StringIO()
        assert supervise(process, log, stopping=lambda: False, every=0.01, out=out) == 1
        report = out.getvalue()
        assert "ERROR: Airflow's execution-api stopped." in report
        assert "address already in use" in report and "database is locked" not in report
    finally:
        process.execution_api.kill()
        process.execution_api.wait()
