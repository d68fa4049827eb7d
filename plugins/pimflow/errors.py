"""pimflow's own errors."""
from __future__ import annotations


class PimflowError(Exception):
    """Base of pimflow's errors."""


class ProfileError(PimflowError):
    """A profile file cannot be used: names the file, the field path and the reason."""

    def __init__(self, file: str, problems: list[tuple[str, str]]):
        self.file = file
        self.problems = problems
        super().__init__(self.describe())

    def describe(self) -> str:
        lines = [f"{self.file}: invalid profile"]
        lines += [f"  {field or '(file)'}: {reason}" for field, reason in self.problems]
        return "\n".join(lines)


class NotRetried(PimflowError):
    """A failure that running the task again cannot fix (a whole-file problem, a setting naming what
    the systems lack, a path the profile may not use): the task fails at once, without its retries."""


def deterministic_errors() -> tuple[type[BaseException], ...]:
    """The errors a task fails on without its retries (`pimflow.factory`): pimflow's `NotRetried`
    and `ProfileError`, and the clients' invalid connection settings. Imported when a task fails,
    never at DAG-parse time."""
    from akeneo.errors import AkeneoConfigError
    from linnworks.api.errors import LinnworksConfigError

    return NotRetried, ProfileError, AkeneoConfigError, LinnworksConfigError


class ErrorThresholdExceeded(PimflowError):
    """More records were refused than the profile's feedback threshold allows."""
