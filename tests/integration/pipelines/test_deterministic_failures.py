"""An error that another try cannot fix fails its task at once, without the task's retries; the
message says what is wrong and that it was not retried (issue 17)."""
from __future__ import annotations

import uuid

import pytest

from airflow.sdk.exceptions import AirflowFailException
from akeneo.errors import AkeneoConfigError, AkeneoServerError
from pimflow.factory import fails_at_once
from pimflow.kinds.feed import FeedError
from pimflow.paths import PathNotAllowed

pytestmark = pytest.mark.integration

NOT_RETRIED = " (not retried: another try would fail the same way)"


@pytest.mark.parametrize("error", [
    FeedError("in.csv: the feed has no header line"),
    PathNotAllowed("'/etc/passwd' is outside the data roots (/etc/passwd)"),
    AkeneoConfigError("the base URL (connection host) is empty"),
])
def test_an_error_another_try_cannot_fix_fails_without_retries(error):
    with pytest.raises(AirflowFailException) as caught:
        with fails_at_once():
            raise error
    assert str(caught.value) == str(error) + NOT_RETRIED
    assert caught.value.__cause__ is error


@pytest.mark.parametrize("error", [AkeneoServerError("Akeneo answered 503: busy"), OSError("disk full"),
                                   KeyError("bug")])
def test_other_errors_keep_their_retries(error):
    with pytest.raises(type(error)) as caught:
        with fails_at_once():
            raise error
    assert caught.value is error


PROFILE = """
id: {dag_id}
retries: 2
source: {{kind: feed, path: in.csv, delimiter: ";"}}
target: {{kind: feed, path: out.csv}}
"""


def test_a_feed_without_header_fails_the_run_on_the_first_try(tmp_path, run_profile):
    from airflow.models import TaskInstance
    from airflow.utils.session import create_session

    (tmp_path / "in.csv").write_text("\n\n", encoding="utf-8")
    path = tmp_path / "profile.yaml"
    dag_id = f"test_no_retry_{uuid.uuid4().hex[:8]}"
    path.write_text(PROFILE.format(dag_id=dag_id), encoding="utf-8")

    dag_run, _ = run_profile(path)

    assert dag_run.state == "failed"
    with create_session() as session:
        tries = {ti.task_id: (ti.state, ti.try_number, ti.max_tries) for ti in
                 session.query(TaskInstance).filter_by(dag_id=dag_id, run_id=dag_run.run_id)}
    assert tries["extract"] == ("failed", 1, 2)  # 2 retries allowed, none used
    assert not (tmp_path / "out.csv").exists()
