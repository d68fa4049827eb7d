"""A mapping that reads a column the input does not have (a typo in `from`, a template placeholder,
`price@EUR` where the feed has `price`) fails the run before anything is staged, written or
published, naming the file, the mapping column and the closest names; not retried (issue 17)."""
from __future__ import annotations

import uuid

import pytest

pytestmark = pytest.mark.integration

FEED = "sku,name,price,link\nA-1,Shoe,89.90,x\nA-2,Pole,39.00,y\n"

PROFILE = """
id: {dag_id}
retries: 2
source: {{kind: feed, path: in.csv}}
target: {{kind: feed, path: out.csv}}
mapping:
  columns:
    - {{name: sku}}
{column}
"""


@pytest.mark.parametrize("column, message", [
    ("    - {name: title, from: nmae}",
     "mapping column 'title': from 'nmae' is not a column of the input (did you mean 'name'?)"),
    ("    - {name: url, template: 'https://shop.test/{skuu}'}",
     "mapping column 'url': template placeholder {skuu} is not a column of the input (did you mean 'sku'?)"),
    ("    - {name: amount, from: price@EUR}",
     "mapping column 'amount': from 'price@EUR' is not a column of the input (did you mean 'price'?)"),
    ("    - {name: colour}",
     "mapping column 'colour': input column 'colour' (its own name) is not a column of the input"),
], ids=["from", "template", "currency-suffix", "own-name"])
def test_a_mapping_reference_to_a_missing_column_fails_before_anything_is_published(
        tmp_path, run_profile, capfd, column, message):
    from airflow.models import TaskInstance
    from airflow.utils.session import create_session

    (tmp_path / "in.csv").write_text(FEED, encoding="utf-8")
    (tmp_path / "out.csv").write_text("the shop's current feed\n", encoding="utf-8")
    dag_id = f"test_refs_{uuid.uuid4().hex[:8]}"
    path = tmp_path / "profile.yaml"
    path.write_text(PROFILE.format(dag_id=dag_id, column=column), encoding="utf-8")

    dag_run, staging = run_profile(path)

    assert dag_run.state == "failed"
    with create_session() as session:
        tries = {ti.task_id: (ti.state, ti.try_number) for ti in
                 session.query(TaskInstance).filter_by(dag_id=dag_id, run_id=dag_run.run_id)}
    assert tries["extract"] == ("failed", 1)  # not retried
    assert (tmp_path / "out.csv").read_text(encoding="utf-8") == "the shop's current feed\n"  # not replaced
    assert not list(staging.glob("**/chunk-*"))  # nothing staged
    output = capfd.readouterr()
    assert f"{tmp_path / 'in.csv'}: {message}" in output.out + output.err
