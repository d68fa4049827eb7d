"""The delivery thread of the sandbox's Event Platform: it POSTs queued events to their subscription's
URL, signed, and treats the answer as the platform does (api.akeneo.com/event-platform, "Key platform
behaviors"):

- 2xx: delivered. With `duplicate_rate`, the same request (same bytes, same event ids) goes again.
- 429, 5xx, a timeout (`timeout_seconds`, 5 s like the platform) or no connection: retried after
  each of `retry_delays` (5, 10 and 20 minutes like the platform), then given up.
- 404 or a redirection (3xx): the subscription is suspended at once; what is queued for it is lost.
- any other 4xx (401...): refused, not retried.

The HTTP answer to the write that produced an event never waits for any of this: writes only queue.
"""
from __future__ import annotations

import threading
from typing import Optional

import httpx

from sandbox.akeneo.events import EventPlatform, Pending, encode, timestamp


class Deliverer:
    """One daemon thread per platform, started with the first subscription."""

    def __init__(self, platform: EventPlatform) -> None:
        self.platform = platform
        self._stop = False
        self._thread = threading.Thread(target=self._run, name="akeneo-sandbox-events", daemon=True)
        self._http = httpx.Client(follow_redirects=False)

    def start(self) -> None:
        self._thread.start()

    def alive(self) -> bool:
        return self._thread.is_alive() and not self._stop

    def stop(self, timeout: float = 10.0) -> None:
        with self.platform.cond:
            self._stop = True
            self.platform.cond.notify_all()
        self._thread.join(timeout)
        self._http.close()

    # ----- the loop
    def _run(self) -> None:
        platform = self.platform
        while True:
            with platform.cond:
                pending = self._next(platform)
                while pending is None and not self._stop:
                    platform.cond.notify_all()  # drain() waiters: idle now
                    platform.cond.wait(self._wait_time(platform))
                    pending = self._next(platform)
                if self._stop:
                    return
                platform.in_flight += 1
                subscription = platform.subscriptions.get(pending.subscription_id)
                batch = platform.switches.batch_size > 1
                if pending.body is None:
                    pending.body, pending.batch = encode(pending.events, batch), batch
                delay = platform.switches.delay_ms / 1000
                timeout = platform.switches.timeout_seconds
            status, error = None, "the delivery thread failed"
            try:
                if delay:
                    platform.sleep(delay)
                status, error = self._send(subscription, pending, timeout)
            finally:
                with platform.cond:
                    platform.in_flight -= 1
                    self._settle(platform, subscription, pending, status, error)
                    platform.cond.notify_all()

    @staticmethod
    def _wait_time(platform: EventPlatform) -> Optional[float]:
        """Until the next retry is due; None (a notify wakes us) when nothing is scheduled or all is held."""
        if platform.switches.hold or not platform.queue:
            return None
        return max(0.0, min(p.due for p in platform.queue) - platform.monotonic())

    @staticmethod
    def _next(platform: EventPlatform) -> Optional[Pending]:
        """The next delivery to send, or None. Takes it out of the queue, with the first attempts of
        the same subscription queued after it up to `batch_size`; `out_of_order_rate` lets a later
        delivery of the same subscription go first."""
        if platform.switches.hold:
            return None
        now = platform.monotonic()
        due = [p for p in platform.queue if p.due <= now]
        if not due:
            return None
        chosen = due[0]
        later = [p for p in due[1:] if p.subscription_id == chosen.subscription_id]
        if later and platform.rand.random() < platform.switches.out_of_order_rate:
            chosen = later[0]
        platform.queue.remove(chosen)
        if chosen.attempt == 0 and chosen.body is None and not chosen.duplicate:
            room = platform.switches.batch_size - len(chosen.events)
            for other in [p for p in due if p is not chosen and p.subscription_id == chosen.subscription_id
                          and p.attempt == 0 and p.body is None and not p.duplicate][:max(room, 0)]:
                platform.queue.remove(other)
                chosen.events.extend(other.events)
        return chosen

    def _send(self, subscription, pending: Pending, timeout: float) -> tuple[Optional[int], Optional[str]]:
        if subscription is None or subscription.status != "active":
            return None, "subscription not active"
        headers = subscription.headers(pending.body, pending.batch)
        try:
            answer = self._http.post(subscription.url, content=pending.body, headers=headers, timeout=timeout)
        except httpx.TimeoutException:
            return None, "timeout"
        except httpx.HTTPError as exc:
            return None, f"{type(exc).__name__}: {exc}"
        return answer.status_code, None

    @staticmethod
    def _settle(platform: EventPlatform, subscription, pending: Pending, status: Optional[int],
                error: Optional[str]) -> None:
        """Log the attempt and decide what follows it (under the platform's lock)."""
        at = timestamp(platform.now())
        if subscription is None or subscription.status != "active":
            platform.log.add(f"lost: subscription {getattr(subscription, 'status', 'deleted')}", pending, at=at)
            return
        if status is not None and 200 <= status < 300:
            platform.log.add("delivered", pending, status=status, at=at)
            if not pending.duplicate and platform.rand.random() < platform.switches.duplicate_rate:
                platform.queue.insert(0, Pending(pending.subscription_id, pending.events,
                                                 due=platform.monotonic(), attempt=pending.attempt,
                                                 duplicate=True, body=pending.body, batch=pending.batch))
            return
        if status == 404 or (status is not None and 300 <= status < 400):
            platform.log.add("suspended", pending, status=status, at=at)
            platform.set_status(subscription, "suspended", f"the destination answered {status}")
            return
        transient = status is None or status == 429 or status >= 500
        if not transient:
            platform.log.add("refused", pending, status=status, at=at)
            return
        delays = platform.switches.retry_delays
        if pending.attempt >= len(delays):
            platform.log.add("given_up", pending, status=status, error=error, at=at)
            return
        platform.log.add("retrying", pending, status=status, error=error, at=at)
        pending.due = platform.monotonic() + delays[pending.attempt]
        pending.attempt += 1
        platform.queue.append(pending)
