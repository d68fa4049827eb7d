"""A feed → Linnworks run whose kit lines give a component quantity that is not a whole number of at
least 1 (issue 17): each such line is refused in transform, before any item is written, with its SKU,
column, cell and reason in the feedback file; the other lines, kits included, are written."""
from __future__ import annotations

import csv
import json
import uuid

import pytest
import requests

pytestmark = pytest.mark.integration

FEED = (
    "sku;name;PACK-products\n"
    "MUG;Mug;\n"
    "CAP;Cap;\n"
    "KIT-1;Mug and cap;MUG|2<###>CAP|1\n"
    "KIT-2;Two mugs;MUG|two\n"
    "KIT-3;No cap;CAP|0\n"
    "KIT-4;Minus a mug;MUG|-1<###>CAP|1\n"
)

PROFILE = """
id: {dag_id}
retries: 0
source: {{kind: feed, path: kits.csv, delimiter: ";"}}
target:
  kind: linnworks
  titles:
    - {{attribute: name, to: item}}
  compositions: {{association: PACK}}
"""

EXPECTED_FEEDBACK = [
    ["sku", "name", "PACK-products", "linnworks_endpoint", "linnworks_message"],
    ["KIT-2", "Two mugs", "MUG|two", "invalid_value",
     "kit KIT-2: PACK-products 'MUG|two': the quantity 'two' is not a whole number of at least 1; nothing written"],
    ["KIT-3", "No cap", "CAP|0", "invalid_value",
     "kit KIT-3: PACK-products 'CAP|0': the quantity '0' is not a whole number of at least 1; nothing written"],
    ["KIT-4", "Minus a mug", "MUG|-1<###>CAP|1", "invalid_value",
     "kit KIT-4: PACK-products 'MUG|-1<###>CAP|1': 'MUG|-1': the quantity '-1' is not a whole number of at least 1; "
     "nothing written"],
]


def feedback(staging) -> list[list[str]]:
    with (staging / "feedback.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle, delimiter=";"))


def linnworks(sandboxes, what: str):
    answer = requests.get(f"{sandboxes.linnworks_data_url}/_sandbox/{what}", timeout=10)
    return answer.json() if answer.status_code == 200 else None


def test_a_kit_line_with_a_bad_quantity_is_refused_before_any_item_is_written(connected, tmp_path, run_profile):
    (tmp_path / "kits.csv").write_text(FEED, encoding="utf-8")
    path = tmp_path / "profile.yaml"
    path.write_text(PROFILE.format(dag_id=f"feed_kits_{uuid.uuid4().hex[:8]}"), encoding="utf-8")

    dag_run, staging = run_profile(path)

    assert dag_run.state == "success"
    assert feedback(staging) == EXPECTED_FEEDBACK
    for sku in ("KIT-2", "KIT-3", "KIT-4"):
        assert linnworks(connected, f"items/{sku}") is None, f"{sku} was written"
    for sku in ("MUG", "CAP", "KIT-1"):
        assert linnworks(connected, f"items/{sku}") is not None, f"{sku} was not written"
    assert linnworks(connected, "compositions") == {"KIT-1": {"MUG": 2, "CAP": 1}}
    summary = json.loads((staging / "summary.json").read_text())
    assert summary["read"] == 6 and summary["refused"] == 3 and summary["refused_before_sending"] == 3
    assert summary["written"] == 3
