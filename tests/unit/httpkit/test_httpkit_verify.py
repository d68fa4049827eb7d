"""Verify before resend: a write whose answer was lost is resent only when the read-back says it
did not land; when it did, the call succeeds with what was read back."""
from __future__ import annotations

import pytest
import requests
import responses

from httpkit.verify import Landed, NotLanded, send_verified


class AnswerLost(Exception):
    """Stands for a timeout, a dropped connection or a 5xx after the request went out."""


class Refused(Exception):
    """Stands for a 4xx: the server answered, and said no."""


def lost(error: BaseException) -> bool:
    return isinstance(error, AnswerLost)


class Target:
    """A fake server side: `answers` says what each send does ("ok", "lost after landing",
    "lost before landing", "refused")."""

    def __init__(self, *answers: str):
        self.answers = list(answers)
        self.stored: set[str] = set()
        self.sent: list[list[str]] = []
        self.reads = 0

    def send(self, rows: list[str]) -> str:
        self.sent.append(list(rows))
        answer = self.answers.pop(0)
        if answer == "refused":
            raise Refused("HTTP 400: bad row")
        if answer != "lost before landing":
            self.stored.update(rows)
        if answer.startswith("lost"):
            raise AnswerLost("HTTP 502")
        return f"created {len(rows)}"

    def verify(self, rows: list[str]):
        self.reads += 1
        missing = [row for row in rows if row not in self.stored]
        return NotLanded(missing) if missing else Landed(f"verified {len(rows)}")


def write(target: Target, rows: list[str], max_resends: int = 3, pauses: list[int] | None = None):
    return send_verified(target.send, rows, target.verify, answer_lost=lost, max_resends=max_resends,
                         pause=(pauses.append if pauses is not None else lambda n: None))


def test_a_lost_answer_whose_write_landed_is_sent_once_and_returns_the_verified_state():
    target = Target("lost after landing")
    assert write(target, ["a", "b"]) == "verified 2"
    assert target.sent == [["a", "b"]] and target.reads == 1


def test_a_lost_answer_whose_write_did_not_land_is_resent_once():
    target = Target("lost before landing", "ok")
    assert write(target, ["a", "b"]) == "created 2"
    assert target.sent == [["a", "b"], ["a", "b"]] and target.reads == 1


def test_only_the_part_that_did_not_land_is_resent():
    target = Target("lost before landing", "ok")
    target.stored.add("a")  # landed earlier, e.g. half of a batch
    write(target, ["a", "b"])
    assert target.sent[1] == ["b"]


def test_a_refusal_is_never_retried_nor_verified():
    target = Target("refused", "ok")
    with pytest.raises(Refused):
        write(target, ["a"])
    assert target.sent == [["a"]] and target.reads == 0


def test_a_success_needs_no_read_back():
    target = Target("ok")
    assert write(target, ["a"]) == "created 1" and target.reads == 0


def test_resends_stop_at_the_limit_and_the_last_loss_is_raised_once_read_back():
    target = Target(*["lost before landing"] * 5)
    pauses: list[int] = []
    with pytest.raises(AnswerLost):
        write(target, ["a"], max_resends=2, pauses=pauses)
    assert len(target.sent) == 3 and target.reads == 3
    assert pauses == [1, 2, 3]  # a backoff before each read-back


def test_a_last_lost_answer_whose_write_landed_is_a_success_not_an_error():
    target = Target("lost before landing", "lost before landing", "lost after landing")
    assert write(target, ["a"], max_resends=2) == "verified 1"
    assert len(target.sent) == 3


def test_no_resend_allowed_still_reads_back_a_lost_answer_and_never_resends():
    target = Target("lost after landing")
    assert write(target, ["a"], max_resends=0) == "verified 1"
    assert target.sent == [["a"]] and target.reads == 1
    target = Target("lost before landing")
    with pytest.raises(AnswerLost):
        write(target, ["a"], max_resends=0)
    assert target.sent == [["a"]] and target.reads == 1


@responses.activate
def test_over_http_a_dropped_post_is_read_back_before_it_is_sent_again():
    orders = "https://shop.test/api/orders"
    responses.post(orders, body=requests.ConnectionError("Connection aborted."))
    responses.post(orders, json={"id": "o-1"}, status=201)
    responses.get(orders + "/o-1", status=404)

    def send(order: dict) -> dict:
        response = requests.post(orders, json=order, timeout=5)
        response.raise_for_status()
        return response.json()

    def verify(order: dict):
        found = requests.get(f"{orders}/{order['id']}", timeout=5)
        return Landed(found.json()) if found.ok else NotLanded(order)

    answer = send_verified(send, {"id": "o-1"}, verify, max_resends=1,
                           answer_lost=lambda e: isinstance(e, requests.ConnectionError))
    assert answer == {"id": "o-1"}
    assert [call.request.method for call in responses.calls] == ["POST", "GET", "POST"]
