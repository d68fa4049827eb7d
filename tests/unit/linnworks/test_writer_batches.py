"""The writer's batching and orchestration with a fake client (no HTTP): batch limits, halving
refused batches, refusals kept per SKU, reads sized to the input, dry runs; and the one new client
call (DeleteInventoryItemImageBulk) with `responses`."""
from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest
from linnworks_unit_helpers import api, body_of

from linnworks.api import ids
from linnworks.api.errors import LinnworksAuthError, LinnworksRequestError, LinnworksServerError
from linnworks.api.models import AddedImage, BulkAddResult, ImageDeleteFailure, ItemFailure, ItemImage, StockItemFull
from linnworks.common.lanes import batch_tasks, run_lanes
from linnworks.common.report import Tally
from linnworks.items.desired import DesiredItem, ImageRef, WriteOptions
from linnworks.items.image_ledger import LedgerEntry, MemoryImageLedger, key_digest
from linnworks.items.report import Status
from linnworks.items.writer import LinnworksWriter

TITLES = "Inventory/CreateInventoryItemTitles"


def refusing(bad: set[str], calls: list):
    """A send() that refuses, like Linnworks, any batch holding a row of a bad SKU."""
    def send(rows):
        calls.append(list(rows))
        if bad & {row.split(":")[0] for row in rows}:
            raise LinnworksRequestError(TITLES, 400, "Title too long")
    return send


def rows_for(skus, per_sku=1):
    return [(sku, f"{sku}:{n}") for sku in skus for n in range(per_sku)]


def test_batches_are_cut_at_the_limit_across_skus():
    calls, tally = [], Tally()
    run_lanes({"t": batch_tasks(TITLES, rows_for([f"S{i}" for i in range(5)], 2), 4, refusing(set(), calls), tally)}, 4)
    assert sorted(len(batch) for batch in calls) == [2, 4, 4]
    assert tally.written == {f"S{i}" for i in range(5)} and tally.calls[TITLES] == 3


def test_a_refused_batch_is_halved_until_only_the_sku_at_fault_is_refused():
    calls, tally = [], Tally()
    skus = [f"S{i}" for i in range(8)]
    for task in batch_tasks(TITLES, rows_for(skus, 2), 200, refusing({"S5"}, calls), tally):
        task()
    assert set(tally.refusals) == {"S5"}
    refusal, = tally.refusals["S5"]
    assert (refusal.endpoint, refusal.message, refusal.sent) == (TITLES, "Title too long", ["S5:0", "S5:1"])
    assert tally.written == set(skus) - {"S5"}
    assert len(calls) == 1 + 2 * 3  # the batch, then two halves on each of three levels


def test_without_halving_every_sku_of_a_refused_batch_is_refused_with_the_message():
    calls, tally = [], Tally()
    for task in batch_tasks(TITLES, rows_for(["A", "B"]), 200, refusing({"B"}, calls), tally, split=False):
        task()
    assert set(tally.refusals) == {"A", "B"} and len(calls) == 1


def test_a_server_error_refuses_its_skus_without_resending():
    calls, tally = [], Tally()

    def send(rows):
        calls.append(rows)
        raise LinnworksServerError(TITLES, 503, "Service unavailable", maybe_committed=True)

    for task in batch_tasks(TITLES, rows_for(["A", "B"]), 200, send, tally):
        task()
    assert len(calls) == 1 and tally.refusals["A"][0].message == "HTTP 503: Service unavailable"


def test_lanes_run_side_by_side_and_an_error_that_is_not_about_data_stops_the_run():
    seen, lock = [], threading.Lock()

    def task(name):
        with lock:
            seen.append(name)

    run_lanes({"a": [lambda: task("a1"), lambda: task("a2")], "b": [lambda: task("b1")], "empty": []}, 4)
    assert sorted(seen) == ["a1", "a2", "b1"]

    def fail():
        raise LinnworksAuthError("credentials refused")

    with pytest.raises(LinnworksAuthError):
        run_lanes({"a": [fail], "b": [lambda: task("b2")]}, 2)


# -- the writer over a fake client -----------------------------------------------------------------
class FakeClient:
    """What the writer calls, in memory; `existing` maps SKU -> StockItemFull."""

    def __init__(self, existing=(), refuse_bulk: str | None = None, undeletable=()):
        self.settings = SimpleNamespace(concurrency=2)
        self.existing = {item.item_number: item for item in existing}
        self.refuse_bulk = refuse_bulk
        self.undeletable = set(undeletable)
        self.log: list[tuple[str, object]] = []

    def find_stock_item_ids(self, skus):
        self.log.append(("lookup", len(skus)))
        return {sku: self.existing[sku].stock_item_id for sku in skus if sku in self.existing}

    def get_items_full(self, item_ids, requirements=()):
        self.log.append(("full", len(item_ids)))
        by_id = {item.stock_item_id: item for item in self.existing.values()}
        return [by_id[item_id] for item_id in item_ids]

    def add_items(self, items):
        items = list(items)
        self.log.append(("add", len(items)))
        if self.refuse_bulk:
            raise LinnworksRequestError("Inventory/AddInventoryItemBulk", 400, self.refuse_bulk)
        result = BulkAddResult()
        for item in items:
            if item.item_title:
                result.added[item.item_number] = item.stock_item_id
            else:
                result.failed.append(ItemFailure(sku=item.item_number, message="ItemTitle is required"))
        return result

    def update_item_field(self, item_id, field, value):
        self.log.append(("field", (item_id, field.value, value)))

    def add_image_by_url(self, item_id, url, is_main=False, present=None):
        self.log.append(("add_image_by_url", (item_id, url, is_main)))
        return AddedImage(stock_item_id=item_id, image_id=f"new-{url.rsplit('/', 1)[-1]}")

    def set_main_image(self, item_id, image_id):
        self.log.append(("set_main_image", (item_id, image_id)))

    def delete_images(self, by_item):
        self.log.append(("delete_images", by_item))
        return [ImageDeleteFailure(stock_item_id=item_id, image_id=image_id, message="Image is in use")
                for item_id, image_ids in by_item.items() for image_id in image_ids if image_id in self.undeletable]

    def __getattr__(self, name):  # any other write: recorded
        if name.startswith(("create_", "update_", "delete_")):
            return lambda *args: self.log.append((name, args))
        raise AttributeError(name)


def existing(sku: str, **fields) -> StockItemFull:
    return StockItemFull(stock_item_id=ids.stock_item_id(sku), item_number=sku, **fields)


def writes(client: FakeClient) -> list:
    return [entry for entry in client.log if entry[0] not in ("lookup", "full")]


def test_reads_are_one_lookup_and_one_full_read_per_200_skus():
    client = FakeClient([existing(f"S{i}", item_title="t") for i in range(450)])
    report = LinnworksWriter(client).write(DesiredItem(f"S{i}", title="t") for i in range(450))
    assert sorted(client.log) == sorted([("lookup", 200), ("lookup", 200), ("lookup", 50),
                                         ("full", 200), ("full", 200), ("full", 50)])
    assert report.counts()["unchanged"] == 450


def test_only_changed_fields_are_written_and_reported():
    client = FakeClient([existing("A", item_title="Old"), existing("B", item_title="Same")])
    report = LinnworksWriter(client).write([DesiredItem("A", title="New"), DesiredItem("B", title="Same")])
    assert writes(client) == [("field", (ids.stock_item_id("A"), "Title", "New"))]
    assert [(r.sku, r.status) for r in report.results] == [("A", Status.UPDATED), ("B", Status.UNCHANGED)]
    assert [(d.sku, d.field, d.old, d.new, d.action) for d in report.diff] == [("A", "title", "Old", "New", "update")]


def test_a_dry_run_reads_and_diffs_but_writes_nothing():
    client = FakeClient([existing("A", item_title="Old")])
    report = LinnworksWriter(client, WriteOptions(dry_run=True)).write(
        [DesiredItem("A", title="New"), DesiredItem("NEW", title="x", channel_titles={("EBAY", "DE"): "y"})])
    assert writes(client) == [] and report.dry_run
    assert [r.status for r in report.results] == [Status.UPDATED, Status.CREATED]
    assert {(d.sku, d.action) for d in report.diff} == {("A", "update"), ("NEW", "create")}


def test_missing_skus_are_skipped_when_products_are_not_created():
    client = FakeClient()
    report = LinnworksWriter(client, WriteOptions(create_products=False)).write([DesiredItem("NEW", title="x")])
    assert report.results[0].status is Status.SKIPPED and writes(client) == []
    assert [(d.sku, d.action) for d in report.diff] == [("NEW", "skip")]


def test_items_refused_by_the_bulk_add_get_nothing_more_and_others_go_on():
    client = FakeClient()
    report = LinnworksWriter(client).write([
        DesiredItem("OK", title="x", channel_titles={("EBAY", "DE"): "y"}),
        DesiredItem("NOTITLE", channel_titles={("EBAY", "DE"): "z"})])
    ok, refused = report.results
    assert ok.status is Status.CREATED and ok.stock_item_id == ids.stock_item_id("OK")
    assert (refused.status, refused.endpoint, refused.message, refused.stock_item_id) == (
        Status.REFUSED, "Inventory/AddInventoryItemBulk", "ItemTitle is required", None)
    assert refused.sent == {"ItemNumber": "NOTITLE", "StockItemId": ids.stock_item_id("NOTITLE")}
    titles, = [args for name, args in client.log if name == "create_titles"]
    assert [row.stock_item_id for row in titles[0]] == [ids.stock_item_id("OK")]


def test_a_refused_bulk_call_refuses_its_skus_instead_of_raising():
    report = LinnworksWriter(FakeClient(refuse_bulk="request is empty")).write([DesiredItem("A", title="x")])
    assert (report.results[0].status, report.results[0].message) == (Status.REFUSED, "request is empty")


def test_a_repeated_sku_in_any_letter_case_is_refused_and_its_first_record_written():
    report = LinnworksWriter(FakeClient()).write([DesiredItem("A", title="x"), DesiredItem("a", title="y")])
    assert [r.status for r in report.results] == [Status.CREATED, Status.REFUSED]
    assert "more than once" in report.results[1].message


def entry(key: str, image_id: str, attached: bool = True) -> LedgerEntry:
    return LedgerEntry(key_digest(key), image_id, attached)


def test_dropped_images_are_deleted_in_one_call_across_items_and_failures_refused():
    ledger = MemoryImageLedger()
    for sku in ("A", "B"):
        ledger.save({ids.stock_item_id(sku): [entry("keep", f"{sku}-keep"), entry("old", f"{sku}-old")]})
    client = FakeClient([existing(sku, images=[ItemImage(pk_row_id=f"{sku}-keep", is_main=True),
                                              ItemImage(pk_row_id=f"{sku}-old"), ItemImage(pk_row_id=f"{sku}-hand")])
                         for sku in ("A", "B")], undeletable={"B-old"})
    keep = (ImageRef("keep", "https://img/keep"),)
    report = LinnworksWriter(client, WriteOptions(), ledger).write([DesiredItem("A", images=keep),
                                                                     DesiredItem("B", images=keep)])

    deletes = [args for name, args in client.log if name == "delete_images"]
    assert deletes == [{ids.stock_item_id("A"): ["A-old"], ids.stock_item_id("B"): ["B-old"]}]  # never *-hand
    assert [(r.sku, r.status, r.message) for r in report.results] == [
        ("A", Status.UPDATED, None), ("B", Status.REFUSED, "Image is in use")]
    assert ledger.entries([ids.stock_item_id("A"), ids.stock_item_id("B")]) == {
        ids.stock_item_id("A"): [entry("keep", "A-keep")],
        ids.stock_item_id("B"): [entry("keep", "B-keep"), entry("old", "B-old")]}  # B keeps "old" recorded
    assert not [name for name, _ in client.log if "extended_properties" in name]


def test_images_leave_no_extended_property_and_their_ledger_is_kept_apart():
    ledger = MemoryImageLedger()
    client = FakeClient([existing("A")])
    images = (ImageRef("m/1.jpg", "https://img/1.jpg"), ImageRef("m/2.jpg", "https://img/2.jpg"))
    LinnworksWriter(client, WriteOptions(), ledger).write([DesiredItem("A", images=images),
                                                           DesiredItem("NEW", title="x", images=images[:1])])
    assert [args for name, args in client.log if name == "add_image_by_url"] == [
        (ids.stock_item_id("A"), "https://img/1.jpg", True), (ids.stock_item_id("A"), "https://img/2.jpg", False),
        (ids.stock_item_id("NEW"), "https://img/1.jpg", True)]
    assert not [name for name, _ in client.log if "extended_properties" in name]
    assert ledger.entries([ids.stock_item_id("A"), ids.stock_item_id("NEW")]) == {
        ids.stock_item_id("A"): [entry("m/1.jpg", "new-1.jpg"), entry("m/2.jpg", "new-2.jpg")],
        ids.stock_item_id("NEW"): [entry("m/1.jpg", "new-1.jpg")]}


def test_an_earlier_versions_ledger_property_moves_into_the_ledger_and_leaves_the_item():
    from linnworks.api.models import ExtendedProperty

    item_id = ids.stock_item_id("A")
    legacy = ExtendedProperty(pk_row_id="p-ledger", fk_stock_item_id=item_id, propery_name="pimflow_images",
                              property_value=f"{key_digest('m/1.jpg')}:img-1;{key_digest('m/old.jpg')}:img-old")
    client = FakeClient([existing("A", item_extended_properties=[legacy], images=[
        ItemImage(pk_row_id="img-1", is_main=True), ItemImage(pk_row_id="img-old")])])
    ledger = MemoryImageLedger()
    report = LinnworksWriter(client, WriteOptions(), ledger).write(
        [DesiredItem("A", images=(ImageRef("m/1.jpg", "https://img/1.jpg"),))])
    assert report.results[0].status is Status.UPDATED
    assert ("delete_extended_properties", (item_id, ["p-ledger"])) in client.log
    assert ("delete_images", {item_id: ["img-old"]}) in client.log
    assert ledger.entries([item_id]) == {item_id: [entry("m/1.jpg", "img-1")]}


def test_a_dry_run_leaves_the_ledger_as_it_was():
    ledger = MemoryImageLedger()
    ledger.save({ids.stock_item_id("A"): [entry("gone", "id-gone")]})
    LinnworksWriter(FakeClient([existing("A")]), WriteOptions(dry_run=True), ledger).write(
        [DesiredItem("A", images=(ImageRef("m/1.jpg", "https://img/1.jpg"),))])
    assert ledger.entries([ids.stock_item_id("A")]) == {ids.stock_item_id("A"): [entry("gone", "id-gone")]}


def test_by_url_an_image_already_on_the_item_with_the_same_bytes_is_adopted_not_added_and_never_deleted():
    """Without a ledger (lost, or never written), a URL image whose bytes the writer can fetch is
    matched by checksum; what it adopts is recorded as not attached by the writer."""
    import hashlib

    picture = b"\x89PNG picture"
    client = FakeClient([existing("A", images=[ItemImage(pk_row_id="on-item", checksum=hashlib.md5(picture).hexdigest())])])
    ledger = MemoryImageLedger()
    ref = ImageRef("m/1.jpg", "https://img/1.jpg", fetch=lambda: picture)
    LinnworksWriter(client, WriteOptions(), ledger).write([DesiredItem("A", images=(ref,))])
    assert not [name for name, _ in client.log if name == "add_image_by_url"]
    assert ("set_main_image", (ids.stock_item_id("A"), "on-item")) in client.log
    assert ledger.entries([ids.stock_item_id("A")]) == {ids.stock_item_id("A"): [entry("m/1.jpg", "on-item", False)]}

    client.existing["A"] = existing("A", images=[ItemImage(pk_row_id="on-item", is_main=True)])
    LinnworksWriter(client, WriteOptions(), ledger).write([DesiredItem("A", images=())])  # dropped in Akeneo
    assert not [name for name, _ in client.log if name == "delete_images"]
    assert ledger.entries([ids.stock_item_id("A")]) == {}  # forgotten, left on the item


def test_delete_images_sends_the_bulk_shape_and_reads_per_image_results(authorized, client):
    url = api("Inventory/DeleteInventoryItemImageBulk")
    authorized.post(url, json={"Results": [
        {"Result": {"InventoryItemId": "item-1", "ImageId": "img-1"}, "ResultStatus": "SUCCESSFUL"},
        {"Result": {"InventoryItemId": "item-1", "ImageId": "img-2"}, "ResultStatus": "FAILED", "Message": "No"}],
        "TotalResults": 2, "ResultStatus": "PARTIALLY_SUCCESSFUL"})
    failures = client.delete_images({"item-1": ["img-1", "img-2"], "item-2": []})
    assert body_of(authorized.calls[-1]) == {"request": [{"InventoryItemId": "item-1", "ImageIds": ["img-1", "img-2"]}]}
    assert [(f.stock_item_id, f.image_id, f.message) for f in failures] == [("item-1", "img-2", "No")]


def test_a_bulk_delete_whose_answer_is_lost_is_resent_only_for_the_images_still_there(authorized, client):
    url = api("Inventory/DeleteInventoryItemImageBulk")
    authorized.post(url, status=500, json={"Message": "connection reset"})
    authorized.post(api("Stock/GetStockItemsFullByIds"), json={"StockItemsFullExtended": [
        {"StockItemId": "item-1", "Images": [{"pkRowId": "IMG-2"}, {"pkRowId": "img-3"}]}]})
    authorized.post(url, json={"Results": [
        {"Result": {"InventoryItemId": "item-1", "ImageId": "img-2"}, "ResultStatus": "SUCCESSFUL"}],
        "TotalResults": 1, "ResultStatus": "SUCCESSFUL"})
    assert client.delete_images({"item-1": ["img-1", "img-2"]}) == []
    sent = [body_of(c) for c in authorized.calls if c.request.url == url]
    assert sent == [{"request": [{"InventoryItemId": "item-1", "ImageIds": ["img-1", "img-2"]}]},
                    {"request": [{"InventoryItemId": "item-1", "ImageIds": ["img-2"]}]}]
