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


class ErrorThresholdExceeded(PimflowError):
    """More records were refused than the profile's feedback threshold allows."""
