"""Feed → Akeneo with catalog structure: a flat feed creates product models (root and sub-models,
whatever chunk they are in, before any variant), variants under them, and associations, quantified
ones as `sku|qty`; Akeneo's refusals come back in the feedback file."""
from __future__ import annotations

import csv
import json
import uuid

import pytest
import requests

from pipeline_helpers import akeneo_product, value

pytestmark = pytest.mark.integration

HEADER = ["sku", "family", "family_variant", "parent", "categories", "color", "size", "name~en_US",
          "material", "UPSELL-products", "X_SELL-product_models", "PACK-products"]
ROWS = [
    # variants first, in the first chunk: their models come later in the feed and still exist first
    ["FEED-TEE-S", "clothing", "", "feed_tee", "tshirts", "", "s", "Feed tee S", "", "", "", ""],
    ["FEED-TEE-M", "clothing", "", "feed_tee", "", "", "m", "Feed tee M", "", "FEED-TEE-S", "", ""],
    ["FEED-HOOD-BLUE-S", "clothing", "", "feed_hood_blue", "", "", "s", "Feed hoodie blue S", "", "", "", ""],
    ["FEED-HOOD-BLUE-S2", "clothing", "", "feed_hood_blue", "", "", "s", "Same axis value", "", "", "", ""],
    ["feed_hood_blue", "clothing", "clothing_by_color_size", "feed_hood", "", "blue", "", "", "", "", "", ""],
    ["feed_hood_blue2", "clothing", "clothing_by_color_size", "feed_hood", "", "Blue", "", "", "", "", "", ""],
    ["feed_tee", "clothing", "clothing_by_size", "", "tshirts", "red", "", "", "cotton", "", "", ""],
    ["feed_hood", "clothing", "clothing_by_color_size", "", "jackets", "", "", "", "wool", "", "", ""],
    ["FEED-KIT", "sports", "", "", "", "", "", "Feed kit", "", "", "feed_hood", "FEED-TEE-S|2<###>FEED-TEE-M|1"],
    ["FEED-BAD-KIT", "sports", "", "", "", "", "", "Bad kit", "", "", "", "FEED-TEE-S|0"],
]

PROFILE = """
id: {dag_id}
source:
  kind: feed
  path: structure.csv
target:
  kind: akeneo
  product_id: identifier
batch_size: 1
retries: 0
chunk_size: 4
"""
# batch_size 1: every line is its own PATCH, several in flight at once, so Akeneo alone would let
# whichever of two lines with the same axis values arrives first win. The earlier line wins (the
# later one is refused before sending), however the lines are batched.


@pytest.fixture
def structured(connected):
    requests.post(f"{connected.akeneo_url}/_sandbox/catalog", json={"products": 12, "seed": 42, "variant_share": 0.5},
                  timeout=30).raise_for_status()
    return connected


def akeneo_model(sandboxes, code: str) -> dict | None:
    answer = requests.get(f"{sandboxes.akeneo_url}/_sandbox/product-models/{code}", timeout=10)
    return answer.json() if answer.status_code == 200 else None


def test_feed_creates_models_variants_and_associations_in_order(structured, tmp_path, run_profile):
    with (tmp_path / "structure.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([HEADER, *ROWS])
    path = tmp_path / "profile.yaml"
    path.write_text(PROFILE.format(dag_id=f"structure_feed_{uuid.uuid4().hex[:8]}"), encoding="utf-8")
    dag_run, staging = run_profile(path)
    assert dag_run.state == "success"

    tee, hood, blue = (akeneo_model(structured, code) for code in ("feed_tee", "feed_hood", "feed_hood_blue"))
    assert tee["family_variant"] == "clothing_by_size" and tee["parent"] is None
    assert blue["parent"] == "feed_hood" and value(blue, "color") == "blue"
    assert value(hood, "material") == ["wool"]

    small = akeneo_product(structured, "FEED-TEE-S")
    assert small["parent"] == "feed_tee" and value(small, "size") == "s"
    medium = akeneo_product(structured, "FEED-TEE-M")
    assert medium["associations"]["UPSELL"]["products"] == ["FEED-TEE-S"]
    assert akeneo_product(structured, "FEED-HOOD-BLUE-S")["parent"] == "feed_hood_blue"
    kit = akeneo_product(structured, "FEED-KIT")
    assert kit["associations"]["X_SELL"]["product_models"] == ["feed_hood"]
    pack = kit["quantified_associations"]["PACK"]["products"]
    assert [(e["identifier"], e["quantity"]) for e in pack] == [("FEED-TEE-S", 2), ("FEED-TEE-M", 1)]

    with (staging / "feedback.csv").open(newline="", encoding="utf-8") as handle:
        refused = {row["sku"]: row for row in csv.DictReader(handle)}
    assert set(refused) == {"FEED-HOOD-BLUE-S2", "feed_hood_blue2", "FEED-BAD-KIT"}
    assert akeneo_model(structured, "feed_hood_blue2") is None
    # the axis values an earlier line of the run gives: refused before sending, naming that line
    assert refused["FEED-HOOD-BLUE-S2"]["akeneo_code"] == "conflicting_line"
    assert refused["FEED-HOOD-BLUE-S2"]["akeneo_message"] == (
        "an earlier line of this run, 'FEED-HOOD-BLUE-S', gives the variant product under product model "
        "'feed_hood_blue' the same variant axis values (size = 's'); Akeneo accepts one variant product per axis "
        "values under a model, and the earlier line wins")
    assert refused["feed_hood_blue2"]["akeneo_code"] == "conflicting_line"
    assert "'feed_hood_blue', gives the sub-model under product model 'feed_hood'" in \
        refused["feed_hood_blue2"]["akeneo_message"]
    assert refused["FEED-BAD-KIT"]["akeneo_code"] == "invalid_value"  # refused before sending
    assert "at least 1" in refused["FEED-BAD-KIT"]["akeneo_message"]
    summary = json.loads((staging / "summary.json").read_text())
    assert summary["read"] == len(ROWS) and summary["written"] == len(ROWS) - 3
