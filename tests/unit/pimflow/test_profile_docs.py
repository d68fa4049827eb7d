"""The profile in the Airflow UI: a DAG's docs render its profile file and say, in words, what it reads,
maps and writes, when it runs, what fails it, and what an untouched Trigger covers; no password shows."""
from __future__ import annotations

from pathlib import Path

import pytest

from pimflow.factory import build_dag
from pimflow.loader import load_profiles
from pimflow.profile_docs import masked, profile_doc, threshold_text, untouched_trigger

ROOT = Path(__file__).resolve().parents[3]
SHIPPED, _ = load_profiles(ROOT / "include" / "profiles")


def load(tmp_path: Path, text: str):
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    loaded, errors = load_profiles(files=[path])
    assert not errors, errors[0].describe()
    return loaded[0]


@pytest.mark.parametrize("loaded", SHIPPED, ids=lambda loaded: loaded.profile.id)
def test_the_dag_docs_show_the_profile_file_whole_and_say_what_it_reads_maps_and_writes(loaded):
    profile = loaded.profile
    doc = build_dag(loaded).doc_md
    assert doc == profile_doc(loaded)
    assert f"```yaml\n{loaded.path.read_text(encoding='utf-8').rstrip()}\n```" in doc
    for heading in ("Trigger", "Reads", "Maps", "Writes", "When it runs, and when it fails", "Profile file"):
        assert f"\n#### {heading}\n" in doc, heading
    reads, maps, writes, runs = (doc.split(f"#### {a}\n")[1].split("\n#### ")[0]
                                 for a in ("Reads", "Maps", "Writes", "When it runs, and when it fails"))
    for kind, text in ((profile.source, reads), (profile.target, writes)):
        connection = getattr(kind, "connection", None)
        assert (f"connection `{connection}`" if connection else f"`{kind.path}`") in text
    for column in profile.mapping.columns:
        assert f"\n| `{column.name}` |" in maps
    assert (f"`{profile.schedule}`" if profile.schedule else "**Schedule**: none") in runs
    assert threshold_text(profile) in runs
    assert untouched_trigger(profile) in doc


def test_an_akeneo_profile_says_an_untouched_trigger_syncs_the_changes_since_the_last_successful_run():
    [loaded] = [item for item in SHIPPED if item.profile.id == "demo_akeneo_to_linnworks"]
    trigger = profile_doc(loaded).split("#### Trigger\n")[1].split("\n#### ")[0]
    assert "changed in Akeneo since the end of the last successful run" in trigger
    assert "Logical Date is not used" in trigger and "first run is a full sync" in trigger
    dag = build_dag(loaded)
    assert dag.description.startswith(loaded.profile.description)
    assert dag.description.endswith("Trigger syncs the changes since the last successful run")
    maps = profile_doc(loaded).split("#### Maps\n")[1]
    assert "| retail price | `price` in EUR |" in maps
    assert "| channel title on EBAY / eBay DE | `name~de_DE` |" in maps


def test_a_mapping_is_a_table_of_its_columns(tmp_path):
    loaded = load(tmp_path, """
id: docs_mapping
source: {kind: feed, path: in.csv}
target: {kind: feed, path: out.csv}
mapping:
  columns:
    - {name: sku, required: true}
    - {name: price, from: "price@EUR", type: decimal, round: 2}
    - {name: weight_kg, from: weight, unit: KGM}
    - {name: brand, value: "A|B"}
    - {name: url, template: "https://shop/{sku}", default: none}
feedback: {max_errors: 3}
incremental: {full_every_runs: 4}
""")
    doc = profile_doc(loaded)
    assert "| `sku` | `sku` |  | refused | string |" in doc
    assert "| `price` | `price@EUR` | round to 2 |  | decimal |" in doc
    assert "| `weight_kg` | `weight` | unit KGM |  | string |" in doc
    assert "| `brand` | the constant `A\\|B` |  |  | string |" in doc  # a pipe does not split the cell
    assert "| `url` | template `https://shop/{sku}` |  | `none` | string |" in doc
    assert "- **Schedule**: none, manual runs only." in doc
    assert "more than 3 records are refused; then the output feed is not published" in doc
    assert "every run reads the whole source" in doc  # a feed: the reconcile setting changes nothing


def test_a_password_in_a_url_never_reaches_the_docs(tmp_path):
    loaded = load(tmp_path, """
id: docs_secret
source: {kind: feed, path: "https://reader:s3cr3t@feeds.example.com/in.csv"}
target: {kind: akeneo, connection: akeneo_shop}
feedback: {path: "sftp://drop:hunter2@files.example.com/feedback/{run_id}.csv"}
""")
    doc = profile_doc(loaded)
    assert "s3cr3t" not in doc and "hunter2" not in doc
    assert "`https://reader:***@feeds.example.com/in.csv`" in doc
    assert "path: \"https://reader:***@feeds.example.com/in.csv\"" in doc  # the file as shown
    assert "connection `akeneo_shop`" in doc and "pool `pimflow_akeneo_shop`" in doc
    assert masked("s3://aws_default@bucket/x") == "s3://aws_default@bucket/x"  # a connection id, no password


def test_the_threshold_says_what_already_happened_for_each_target(tmp_path):
    for target, expected in (("{kind: feed, path: out.csv}", "then the output feed is not published"),
                             ("{kind: akeneo}", "already written the other records to Akeneo (nothing is undone)")):
        loaded = load(tmp_path, f"id: docs_threshold\nsource: {{kind: feed, path: in.csv}}\ntarget: {target}\n"
                                "feedback: {max_error_rate: 0.1}\n")
        assert threshold_text(loaded.profile).endswith(expected + ".")
        assert "more than 10.0% of the records read are refused" in threshold_text(loaded.profile)
    loaded = load(tmp_path, "id: docs_none\nsource: {kind: feed, path: in.csv}\ntarget: {kind: feed, path: o.csv}\n")
    assert threshold_text(loaded.profile).startswith("none: refused records never fail the run")
