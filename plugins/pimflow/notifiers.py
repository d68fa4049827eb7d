"""The notifiers a profile names (`notify:`): which classes it may name, checking one when the
profile is parsed, and calling them when a run fails or crosses its error threshold.

A profile is data whoever may edit it controls, so what it hands a notifier is limited:
- the class must be under one of the module paths of `[pimflow] notifiers` (env
  `AIRFLOW__PIMFLOW__NOTIFIERS`, separated by commas; default `airflow.providers`, the providers'
  notifiers): nothing else is imported;
- its arguments may not hold Jinja templates: a notifier renders its text with the task's context,
  whose `conn` and `var` read every connection's secrets and every variable. pimflow fills in its
  own placeholders instead (`PLACEHOLDERS`), with values that cannot smuggle a template in.

A notifier renders its templates in place, once, so each call makes a fresh one from the profile's
settings (`ProfileNotifier`). A notifier that fails is logged and never raised: it must not hide why
the run failed, nor fail a run that did not.
"""
from __future__ import annotations

import importlib
import inspect
import logging
import os
import re
import weakref
from collections.abc import Iterator, Mapping
from typing import Any

log = logging.getLogger("pimflow")

#: The module paths notifier classes may come from, unless `[pimflow] notifiers` says otherwise.
DEFAULT_ALLOWED = "airflow.providers"
#: What pimflow fills into a notifier's text: the profile, the run, why the notifier is called, and
#: the run's one-line summary (as in the run's note).
PLACEHOLDERS = ("dag_id", "run_id", "reason", "summary")
#: Stands for each placeholder when a notifier is made to check its arguments, at parse time.
SAMPLE_VALUES = {"dag_id": "profile", "run_id": "manual__2026-01-01T00:00:00+00:00",
                 "reason": "the run failed", "summary": "read 1 · written 1"}
NO_SUMMARY = "no summary (the run ended before its feedback step)"
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_JINJA = re.compile(r"\{[{%#]")
_IMPORT_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$")
#: A placeholder's value is cut to this many characters (an exception's message can be long).
VALUE_CHARS = 500


def allowed_modules() -> list[str]:
    """The module paths of `[pimflow] notifiers` (a class path names a single class)."""
    configured = os.environ.get("AIRFLOW__PIMFLOW__NOTIFIERS")
    if configured is None:
        try:
            from airflow.configuration import conf

            configured = conf.get("pimflow", "notifiers", fallback=None)
        except ImportError:  # pragma: no cover - only outside an Airflow install
            configured = None
    if configured is None:
        configured = DEFAULT_ALLOWED
    return [entry.strip() for entry in configured.replace("\n", ",").split(",") if entry.strip()]


def is_allowed(path: str) -> bool:
    return any(path == entry or path.startswith(entry + ".") for entry in allowed_modules())


def notifier_class(path: str) -> type:
    """The notifier class `path` names; ValueError saying why when it is none pimflow may use (not
    allowed, not importable, not a subclass of Airflow's BaseNotifier)."""
    if not isinstance(path, str) or not _IMPORT_PATH.match(path):
        raise ValueError(f"{path!r} is not an import path (module.Class)")
    if not is_allowed(path):
        allowed = ", ".join(allowed_modules()) or "none"
        raise ValueError(f"{path!r} is not under the modules profiles may take notifiers from ({allowed}); "
                         "an administrator adds it to [pimflow] notifiers (env AIRFLOW__PIMFLOW__NOTIFIERS)")
    module_name, _, name = path.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ValueError(f"{path!r} cannot be imported: {exc} (is its provider package installed?)") from None
    except Exception as exc:  # a module that fails as it is imported
        raise ValueError(f"{path!r} cannot be imported: {type(exc).__name__}: {exc}") from None
    found = getattr(module, name, None)
    if found is None:
        raise ValueError(f"{path!r}: module {module_name!r} has no {name!r}")
    from airflow.sdk.bases.notifier import BaseNotifier

    if not (isinstance(found, type) and issubclass(found, BaseNotifier)):
        raise ValueError(f"{path!r} is not a notifier (a subclass of airflow.sdk.bases.notifier.BaseNotifier)")
    return found


def _texts(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """Every text inside an argument's value, with where it is (`blocks[0].text`)."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _texts(key, where) if isinstance(key, str) else iter(())
            yield from _texts(item, f"{where}.{key}")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _texts(item, f"{where}[{index}]")


def check_arguments(class_path: str | None, arguments: dict[str, Any]) -> None:
    """Refuse (ValueError) what a profile may not hand a notifier, then what its class does not take:
    a Jinja template, an unknown placeholder, a text the class would read as a template file, an
    argument its constructor has no parameter for, or a value it refuses when it is made."""
    for name, value in arguments.items():
        for where, text in _texts(value, name):
            if _JINJA.search(text):
                raise ValueError(f"{where}: {_cut(text)!r} holds a Jinja template ({{{{ }}}}, {{% %}} or {{# #}}); "
                                 "a profile may not use them (they can read Airflow's connections and variables): "
                                 f"write the placeholders {_placeholder_list()} instead")
            unknown = sorted({found for found in _PLACEHOLDER.findall(text) if found not in PLACEHOLDERS})
            if unknown:
                raise ValueError(f"{where}: unknown placeholder {{{unknown[0]}}} (known: {_placeholder_list()})")
    if class_path is None:  # the class itself was refused: its own error says why
        return
    cls = notifier_class(class_path)
    templated, extensions = set(getattr(cls, "template_fields", ())), tuple(getattr(cls, "template_ext", ()) or ())
    for name, value in arguments.items():
        for where, text in _texts(value, name) if name in templated and extensions else ():
            if text.endswith(extensions):
                raise ValueError(f"{where}: {_cut(text)!r} ends in {text[text.rfind('.'):]!r}, so {cls.__name__} "
                                 "would read it as a template file: write the text itself")
    try:
        inspect.signature(cls).bind(**arguments)
    except TypeError as exc:
        raise ValueError(f"{cls.__name__} does not take these arguments: {exc} "
                         f"(it takes: {_parameters(cls)})") from None
    except ValueError:  # no signature to read: making it below says what is wrong
        pass
    try:
        make(cls, arguments, SAMPLE_VALUES)
    except Exception as exc:
        raise ValueError(f"{cls.__name__} refuses these arguments: {type(exc).__name__}: {exc}") from None


def _parameters(cls: type) -> str:
    try:
        names = [p.name for p in inspect.signature(cls).parameters.values()
                 if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    except (TypeError, ValueError):
        return "unknown"
    return ", ".join(names) or "no arguments"


def _placeholder_list() -> str:
    return ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)


def _cut(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def neutralised(text: str) -> str:
    """`text` with no Jinja opening left in it (`{{` becomes `{ {`): a value pimflow fills in (a task's
    error message can quote a feed's cells) must never become a template the notifier runs."""
    while _JINJA.search(text):
        text = _JINJA.sub(lambda match: match.group(0)[0] + " " + match.group(0)[1], text)
    return text


def filled(value: Any, values: Mapping[str, str]) -> Any:
    """`value` (an argument: text, or lists and mappings of them) with its placeholders filled in."""
    if isinstance(value, str):
        text = _PLACEHOLDER.sub(lambda match: str(values.get(match.group(1), match.group(0)))[:VALUE_CHARS], value)
        return neutralised(text) if text != value else text
    if isinstance(value, Mapping):
        return {key: filled(item, values) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [filled(item, values) for item in value]
    return value


def make(cls: type, arguments: dict[str, Any], values: Mapping[str, str]):
    """A notifier of class `cls` made with the profile's arguments, placeholders filled in."""
    return cls(**{name: filled(value, values) for name, value in arguments.items()})


class ProfileNotifier:
    """One notifier of a profile, as an Airflow callback (`event`: on_failure, on_task_failure or
    on_threshold). Made afresh at each call, with its placeholders filled in, then called with the
    context (plus `summary`: the run summary as `summary.json` holds it, or None). A failure is logged."""

    def __init__(self, spec, event: str, dag_id: str):
        self.spec, self.event, self.dag_id = spec, event, dag_id
        self._dag = None  # a weak reference to the profile's DAG (`bind`)

    def bind(self, dag) -> None:
        """Remember the profile's DAG: `dag.test()` calls run callbacks with the scheduler's copy of
        the DAG in the context, which cannot render templates (the DAG processor gives the DAG)."""
        self._dag = weakref.ref(dag)

    def __repr__(self) -> str:
        return f"ProfileNotifier({self.event}: {self.spec.class_path})"

    def __call__(self, context) -> None:
        try:
            if "summary" not in context:
                context["summary"] = run_summary(self.dag_id, _run_id(context))
            values = placeholder_values(self.event, context, self.dag_id)
            notifier = make(notifier_class(self.spec.class_path), self.spec.arguments, values)
            dag = self._dag() if self._dag is not None else None
            if dag is not None and not hasattr(context.get("dag"), "get_template_env"):
                context["dag"] = dag
            notifier(context)
        except Exception as exc:  # never hide why the run failed, never fail a run in its place
            log.error("%s notifier %s of %s failed: %s: %s", self.event, self.spec.class_path, self.dag_id,
                      type(exc).__name__, exc)


def _run_id(context) -> str | None:
    dag_run = context.get("dag_run")
    return context.get("run_id") or getattr(dag_run, "run_id", None)


def run_summary(dag_id: str, run_id: str | None) -> dict | None:
    """The summary the run's feedback task wrote (`summary.json`), when this attempt of the run
    wrote one; None otherwise (the run failed before its feedback step)."""
    if not run_id:
        return None
    from pimflow.staging import RunStaging, read_json, staging_base

    staging = RunStaging(staging_base(), dag_id, run_id)
    try:
        if not read_json(staging.marker).get("finished_at"):
            return None
        return read_json(staging.summary)
    except (OSError, ValueError):
        return None


def placeholder_values(event: str, context, dag_id: str) -> dict[str, str]:
    """What the placeholders stand for in this call."""
    summary = context.get("summary") or {}
    return {"dag_id": dag_id, "run_id": _run_id(context) or "", "summary": summary.get("line") or NO_SUMMARY,
            "reason": _reason(event, context, summary)}


def _reason(event: str, context, summary: dict) -> str:
    if event == "on_threshold":
        return context.get("threshold") or summary.get("threshold") or "the error threshold was crossed"
    ti = context.get("ti") or context.get("task_instance")
    task_id = getattr(ti, "task_id", None)
    if event == "on_task_failure":
        error = context.get("exception")
        return f"task {task_id} failed" + (f": {error}" if error else "")
    reason = context.get("reason")
    if reason == "timed_out":
        return "the run took longer than timeouts.run"
    if reason == "task_failure" and task_id:
        return f"the run failed: task {task_id} failed"
    return f"the run failed ({reason})" if reason else "the run failed"


def callbacks(notifiers: list, event: str, dag_id: str) -> list[ProfileNotifier] | None:
    """The Airflow callbacks of a profile's notifiers for `event` (None: no callback at all)."""
    return [ProfileNotifier(spec, event, dag_id) for spec in notifiers] or None


def notify_threshold(profile, context, summary: dict | None) -> int:
    """Call the profile's on_threshold notifiers with the task's context plus the run summary
    (`summary`) and why the threshold failed the run (`threshold`); returns how many were called."""
    if not profile.notify.on_threshold:
        return 0
    enriched = dict(context)
    enriched.update(summary=summary, threshold=(summary or {}).get("threshold"), reason="threshold")
    for notifier in callbacks(profile.notify.on_threshold, "on_threshold", profile.id):
        notifier(dict(enriched))
    return len(profile.notify.on_threshold)
