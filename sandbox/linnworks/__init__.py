"""A local Linnworks-compatible server pair (auth host + data host) with in-memory state."""
from .runner import LinnworksSandbox, serve
from .settings import SandboxSettings
from .state import SandboxState

__all__ = ["LinnworksSandbox", "SandboxSettings", "SandboxState", "serve"]
