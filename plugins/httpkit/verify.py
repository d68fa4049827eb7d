"""Verify before resend: how a write that is not safe to repeat survives a lost answer.

When a write's answer is lost (a timeout, a dropped connection, a 5xx after the request went
out) it may or may not have landed. Resending blindly could apply it twice; giving up could
leave it half done. So the write is resent only after `verify` read the target back and said
what did not land. `verify(payload)` answers `Landed(state)` (the call then returns `state` as
its success) or `NotLanded(rest)` (resend `rest`, which may be only the part still missing).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

Payload = TypeVar("Payload")
Result = TypeVar("Result")


@dataclass(frozen=True)
class Landed(Generic[Result]):
    """The write is in place; `state` is what was read back, returned as the call's result."""

    state: Result


@dataclass(frozen=True)
class NotLanded(Generic[Payload]):
    """The write (or `rest` of it) is not in place and may be sent again."""

    rest: Payload


Verify = Callable[[Payload], Landed[Result] | NotLanded[Payload]]


def send_verified(send: Callable[[Payload], Result], payload: Payload, verify: Verify, *,
                  answer_lost: Callable[[BaseException], bool], max_resends: int,
                  pause: Callable[[int], None] = lambda resend: None, what: str = "write") -> Result:
    """`send(payload)`; after a lost answer (`answer_lost(error)`), `pause`, `verify` and resend
    only what did not land, at most `max_resends` times. The last lost answer is read back too: a
    write that landed is a success, whatever answer was lost; only one that did not is raised. Any
    other error (a 4xx refusal, an expired credential) is raised at once: it is an answer, not a
    lost one."""
    reads = 0
    while True:
        try:
            return send(payload)
        except Exception as exc:
            if not answer_lost(exc):
                raise
            reads += 1
            last = reads > max_resends
            log.warning("%s: the answer was lost (%s); reading back what landed%s", what, exc,
                        "" if last else " before resending")
            pause(reads)
            outcome = verify(payload)
            if isinstance(outcome, Landed):
                return outcome.state
            if last:
                raise
        payload = outcome.rest
