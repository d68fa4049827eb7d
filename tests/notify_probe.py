"""A notifier for tests: each call appends what it got to a JSON lines file, so a test reads back
which notifier was called, with which text (after pimflow's placeholders and the notifier's own
Jinja rendering) and which parts of the context. Profiles name it as `tests.notify_probe.FileNotifier`
(allowed with AIRFLOW__PIMFLOW__NOTIFIERS)."""
from __future__ import annotations

import json
from pathlib import Path

from airflow.sdk.bases.notifier import BaseNotifier

#: What the tests allow profiles to name, besides the providers' notifiers.
ALLOWED = "airflow.providers,tests.notify_probe"


class FileNotifier(BaseNotifier):
    """Appends {message, reason, summary, threshold, task_id} to `path`; `message` is a template
    field, so the notifier renders it with Jinja as e-mail or Slack notifiers render theirs."""

    template_fields = ("message",)

    def __init__(self, path: str, message: str = "", tags: list | None = None):
        super().__init__()
        self.path, self.message, self.tags = path, message, tags or []

    def notify(self, context) -> None:
        ti = context.get("ti")
        record = {"message": self.message, "tags": self.tags, "reason": context.get("reason"),
                  "summary": context.get("summary"), "threshold": context.get("threshold"),
                  "task_id": getattr(ti, "task_id", None)}
        with Path(self.path).open("a", encoding="utf-8") as out:
            out.write(json.dumps(record, default=str) + "\n")


class FailingNotifier(BaseNotifier):
    """Raises when called: a notifier that fails must never hide why the run failed."""

    def notify(self, context) -> None:
        raise RuntimeError("the mail server is down")


def calls(path: Path) -> list[dict]:
    """What the FileNotifier writing to `path` got, one dict per call (none when it was never called)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
