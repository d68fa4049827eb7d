"""A profile's operational settings: what Airflow users set on every DAG, as profile keys.

`timeouts` (the run's `dagrun_timeout`, each task's `execution_timeout`, how long a run waits for
its turn), `notify` (Airflow notifiers called when a run or a task fails, or when the error
threshold is crossed), `queue`, `priority_weight`, `weight_rule` and `pool`. They are validated
with the rest of the profile; the DAG factory applies them (`pimflow.factory`), and a defaults file
can set them for every profile of a folder (`pimflow.defaults`).

Durations are written with units (`90s`, `15m`, `2h`, `1d`, `1h30m`): a bare number would leave
the reader guessing whether it is seconds or minutes.
"""
from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, ValidationInfo, \
    WithJsonSchema, field_validator

_DURATION = re.compile(r"^(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?$")
DURATION_PATTERN = r"^(?=\d)(\d+d)?(\d+h)?(\d+m)?(\d+s)?$"
DURATION_EXAMPLES = ("90s", "15m", "2h", "1d", "1h30m")
#: The steps whose tasks take an execution timeout of their own (wait_turn has `wait_turn`).
STEPS = ("extract", "transform", "load_parents", "load", "link", "feedback")
#: What Airflow stores a task's priority in (a 32-bit integer column).
PRIORITY_MIN, PRIORITY_MAX = -2_147_483_648, 2_147_483_647
#: The prefix of the account pools pimflow's write tasks take turns in (`pimflow.pools`).
ACCOUNT_POOL_PREFIX = "pimflow_"
_POOL_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
#: The longest duration (as `pimflow.profile.MAX_DAYS`: a longer one overflows Airflow's date arithmetic).
MAX_DAYS = 36_500
#: How long a run waits for its profile's turn before it fails, unless `timeouts.wait_turn` says otherwise.
DEFAULT_WAIT_TURN = timedelta(days=7)


class Strict(BaseModel):
    """Unknown keys are errors (as `pimflow.profile.Strict`; this module is imported by it)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def parse_duration(value: Any) -> Any:
    """`2h`, `1h30m`, `45s`... → a timedelta; anything else is refused with an example of the form."""
    if isinstance(value, timedelta) or value is None:
        return value
    hint = f"write a number with a unit: {', '.join(DURATION_EXAMPLES)} (d days, h hours, m minutes, s seconds)"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError(f"{value!r} has no unit: {hint}")
    match = _DURATION.match(value.strip()) if isinstance(value, str) and value.strip() else None
    if match is None:
        raise ValueError(f"{value!r} is not a duration: {hint}")
    sizes = {"d": 86_400, "h": 3_600, "m": 60, "s": 1}
    seconds = sum(int(number) * sizes[unit] for unit, number in match.groupdict().items() if number)
    if seconds > MAX_DAYS * 86_400:
        raise ValueError(f"{value!r} is longer than {MAX_DAYS} days")
    if seconds == 0:
        raise ValueError(f"{value!r} is no time at all: a timeout is at least 1s")
    return timedelta(seconds=seconds)


def duration_text(duration: timedelta) -> str:
    """A timedelta in the profile's own words (`1h30m`), for the DAG docs and the schema's round trip."""
    seconds = int(duration.total_seconds())
    parts = []
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(parts) or "0s"


Duration = Annotated[
    timedelta,
    BeforeValidator(parse_duration),
    PlainSerializer(duration_text, return_type=str),
    WithJsonSchema({"type": "string", "pattern": DURATION_PATTERN, "examples": list(DURATION_EXAMPLES)}),
]


class Timeouts(Strict):
    """How long a run and its tasks may take. Unset: no limit (Airflow's default), except the wait
    for the turn."""

    run: Duration | None = Field(
        None, description="The whole run, from its start (waiting for its turn included): Airflow's dagrun_timeout. "
                           "A run that takes longer is failed and its unfinished tasks are skipped.")
    task: Duration | None = Field(
        None, description="Each try of every task (extract, transform, load_parents, load, link, feedback): "
                          "Airflow's execution_timeout; a try that takes longer fails and is retried.")
    extract: Duration | None = Field(None, description="The extract task's own timeout (instead of `task`).")
    transform: Duration | None = Field(None, description="Each transform task's own timeout (instead of `task`).")
    load_parents: Duration | None = Field(None, description="The load_parents task's own timeout (instead of `task`).")
    load: Duration | None = Field(None, description="Each load task's own timeout (instead of `task`).")
    link: Duration | None = Field(None, description="The link task's own timeout (instead of `task`).")
    feedback: Duration | None = Field(None, description="The feedback task's own timeout (instead of `task`).")
    wait_turn: Duration = Field(
        DEFAULT_WAIT_TURN, description="How long a run waits, in all, for its profile's turn (no other run of the "
                                       "profile working) before it fails: the wait_turn sensor's timeout. Each look "
                                       "is a short try; `task` does not apply to it.",
        json_schema_extra={"default": "7d"})

    def for_step(self, step: str) -> timedelta | None:
        """The execution timeout of `step`'s tasks: its own, else `task`, else none."""
        own = getattr(self, step)
        return own if own is not None else self.task


class Notifier(Strict):
    """An Airflow notifier, named by its class's import path, with the keyword arguments it is made with."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    class_path: str = Field(
        alias="class", description="Import path of a notifier class (a subclass of Airflow's BaseNotifier), e.g. "
                                   "airflow.providers.smtp.notifications.smtp.SmtpNotifier. Only classes under "
                                   "[pimflow] notifiers may be named (default: airflow.providers).")
    arguments: dict[str, Any] = Field(
        default_factory=dict, alias="with",
        description="The notifier's keyword arguments, as its class documents them. Text may use {dag_id}, "
                    "{run_id}, {reason} and {summary} (the run's one-line summary); Jinja templates ({{ ... }}) "
                    "are refused: they could read connections and variables.")

    @field_validator("class_path")
    @classmethod
    def _a_notifier_class(cls, value: str) -> str:
        from pimflow.notifiers import notifier_class

        notifier_class(value)  # raises ValueError saying why it is no notifier pimflow may use
        return value

    @field_validator("arguments")
    @classmethod
    def _accepted_arguments(cls, value: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        from pimflow.notifiers import check_arguments

        class_path = info.data.get("class_path")
        check_arguments(class_path, value)  # placeholders and Jinja first, then the class's signature
        return value


NotifierList = list[Notifier]


class Notify(Strict):
    """Notifiers called when something goes wrong with a run; each list is called in order, and a
    notifier that fails is logged, never failing the run in its place."""

    on_failure: NotifierList = Field(
        default_factory=list, description="A run failed (a task failed after its retries, the run timed out, or "
                                          "the error threshold was crossed): once per run (the DAG's "
                                          "on_failure_callback).")
    on_task_failure: NotifierList = Field(
        default_factory=list, description="A task failed after its retries: once per task, so once per chunk "
                                          "for transform and load (each task's on_failure_callback).")
    on_threshold: NotifierList = Field(
        default_factory=list, description="The run crossed the error threshold (feedback.max_error_rate or "
                                          "max_errors): called by the feedback task with the run summary "
                                          "(context['summary']), before the run fails.")


def check_pool_name(value: str) -> str:
    """A profile pool: an Airflow pool name that is not one of the account pools of write tasks."""
    if not _POOL_NAME.match(value) or len(value) > 256:
        raise ValueError(f"{value!r} is not a pool name (letters, digits, '_', '-' or '.')")
    if value.startswith(ACCOUNT_POOL_PREFIX):
        raise ValueError(f"{value!r}: pools named {ACCOUNT_POOL_PREFIX}... are the account pools of the write "
                         "tasks (one writer per account, see `pimflow pools`); choose another name")
    return value


PoolName = Annotated[str, AfterValidator(check_pool_name)]

WeightRule = Literal["downstream", "upstream", "absolute"]

#: The operational keys a profile (or the folder's defaults file) may set, for the docs and the README.
OPERATIONAL_KEYS = ("timeouts", "notify", "queue", "priority_weight", "weight_rule", "pool")
