"""Feed → feed through real Airflow (`dag.test()`): exact output and feedback files."""
from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

FEED = (
    "\ufeffsku;name~en_US;price@EUR;in_stock;color\n"
    "A-1;Shoe;89.90;true;red<###>black\n"
    'A-2;"Pole; carbon";39.00;1;black\n'
    "A-3;Bottle;;false;\n"
    "\n"
    ";Lamp;24.00;true;\n"
    "A-5;Stove;forty;0;\n"
    "A-6;Mug;8.00;nope;\n"
    "A-7;Tent;249.00;true;green;extra\n"
    "A-8;Bag;129.00;;green\n"
    "A-2;Pole again;41.00;1;black\n"
)

PROFILE = """
id: {dag_id}
schedule: "@daily"
start_date: 2026-01-01
source:
  kind: feed
  path: input/*.csv
  delimiter: ";"
target:
  kind: feed
  path: out/products.csv
mapping:
  columns:
    - {{name: sku, required: true}}
    - {{name: title, from: "name~en_US"}}
    - {{name: price, from: "price@EUR", type: decimal, required: true}}
    - {{name: in_stock, type: boolean, default: "false"}}
    - {{name: colors, from: color}}
    - {{name: brand, value: ACME}}
    - {{name: url, template: "https://shop.test/{{sku}}"}}
feedback:
  max_error_rate: {max_error_rate}
chunk_size: 3
"""

EXPECTED_OUTPUT = (
    "sku,title,price,in_stock,colors,brand,url\n"
    "A-1,Shoe,89.90,true,red<###>black,ACME,https://shop.test/A-1\n"
    "A-2,Pole; carbon,39.00,true,black,ACME,https://shop.test/A-2\n"
    "A-8,Bag,129.00,false,green,ACME,https://shop.test/A-8\n"
)

EXPECTED_FEEDBACK = (
    "sku;name~en_US;price@EUR;in_stock;color;code;message\n"
    "A-3;Bottle;;false;;missing_value;price: required value is empty (from price@EUR)\n"
    ";Lamp;24.00;true;;missing_value;sku: required value is empty (from sku)\n"
    "A-5;Stove;forty;0;;invalid_value;price: 'forty' is not a valid decimal\n"
    "A-6;Mug;8.00;nope;;invalid_value;in_stock: 'nope' is not a valid boolean\n"
    "A-7;Tent;249.00;true;green;malformed_line;a.csv: line 9 has 6 fields, the header has 5\n"
    "A-2;Pole again;41.00;1;black;duplicate_identifier;a.csv: line 11 repeats sku 'A-2', already on line 3\n"
)


def write_profile(tmp_path: Path, max_error_rate: float = 0.9) -> tuple[Path, str]:
    dag_id = f"test_feed_{uuid.uuid4().hex[:8]}"
    (tmp_path / "input").mkdir(exist_ok=True)
    (tmp_path / "input" / "a.csv").write_text(FEED, encoding="utf-8")
    path = tmp_path / "profile.yaml"
    path.write_text(PROFILE.format(dag_id=dag_id, max_error_rate=max_error_rate), encoding="utf-8")
    return path, dag_id


def test_feed_to_feed_writes_exact_output_and_feedback(tmp_path, run_profile):
    profile, _ = write_profile(tmp_path)
    dag_run, staging = run_profile(profile)

    assert dag_run.state == "success"
    assert (tmp_path / "out" / "products.csv").read_text(encoding="utf-8") == EXPECTED_OUTPUT
    assert (staging / "feedback.csv").read_text(encoding="utf-8") == EXPECTED_FEEDBACK
    summary = json.loads((staging / "summary.json").read_text())
    assert summary["read"] == 9
    assert summary["written"] == 3 and summary["refused"] == 6
    assert summary["written"] + summary["refused"] == summary["read"]
    assert len(list((staging / "extract").glob("chunk-*.jsonl"))) == 3  # mapped over 3 chunks


def test_dry_run_writes_beside_staging_and_not_the_target(tmp_path, run_profile):
    profile, _ = write_profile(tmp_path)
    dag_run, staging = run_profile(profile, conf={"dry_run": True})

    assert dag_run.state == "success"
    assert not (tmp_path / "out" / "products.csv").exists()
    assert (staging / "dry_run" / "products.csv").read_text(encoding="utf-8") == EXPECTED_OUTPUT


def test_identifiers_from_the_trigger_form_select_only_those_lines(tmp_path, run_profile):
    profile, _ = write_profile(tmp_path)
    dag_run, staging = run_profile(profile, conf={"identifiers": ["A-8", "A-2", "A-404"]})

    assert dag_run.state == "success"
    lines = (tmp_path / "out" / "products.csv").read_text(encoding="utf-8").splitlines()
    assert [line.split(",")[0] for line in lines] == ["sku", "A-2", "A-8"]
    assert json.loads((staging / "window.json").read_text())["mode"] == "manual"


def test_error_threshold_fails_the_run_and_publishes_nothing(tmp_path, run_profile):
    profile, _ = write_profile(tmp_path, max_error_rate=0.5)
    dag_run, staging = run_profile(profile)

    assert dag_run.state == "failed"
    assert not (tmp_path / "out" / "products.csv").exists()
    assert (staging / "feedback.csv").read_text(encoding="utf-8") == EXPECTED_FEEDBACK


def test_feedback_beside_each_source_file_and_every_line_with_its_status(tmp_path, run_profile):
    profile, _ = write_profile(tmp_path)
    (tmp_path / "input" / "b.csv").write_text("sku;name~en_US;price@EUR;in_stock;color\nB-1;Cap;9.00;true;\n",
                                              encoding="utf-8")
    text = profile.read_text().replace("feedback:\n", "feedback:\n  beside_source: true\n  include: all\n")
    profile.write_text(text)
    dag_run, staging = run_profile(profile)

    assert dag_run.state == "success"
    beside_a = (tmp_path / "input" / "a.feedback.csv").read_text(encoding="utf-8").splitlines()
    assert beside_a[0] == "sku;name~en_US;price@EUR;in_stock;color;status;code;message"
    assert beside_a[1] == "A-1;Shoe;89.90;true;red<###>black;written;;"
    assert len(beside_a) == 1 + 9 and sum(";refused;" in line for line in beside_a) == 6
    assert (tmp_path / "input" / "b.feedback.csv").read_text(encoding="utf-8").splitlines() == [
        "sku;name~en_US;price@EUR;in_stock;color;status;code;message", "B-1;Cap;9.00;true;;written;;"]
    assert len((staging / "feedback.csv").read_text(encoding="utf-8").splitlines()) == 1 + 10


def test_an_asset_event_can_start_a_feed_profile(tmp_path):
    from airflow.sdk import Asset, AssetOrTimeSchedule

    from pimflow.factory import build_dag
    from pimflow.loader import load_profiles

    profile, _ = write_profile(tmp_path)
    profile.write_text(profile.read_text().replace('  delimiter: ";"', '  delimiter: ";"\n  asset: true'))
    [loaded], _ = load_profiles(files=[profile])
    dag = build_dag(loaded)
    assert isinstance(dag.timetable, AssetOrTimeSchedule)  # the daily schedule still runs too
    assert list(dag.timetable.asset_condition.objects) == [Asset((tmp_path / "input").as_uri())]
