"""The Linnworks writer over real HTTP against the Linnworks sandbox."""
from __future__ import annotations

from dataclasses import replace

import pytest
import requests

from linnworks.api import ids
from linnworks.items.desired import DesiredItem, ImageMode, ImageRef, WriteOptions
from linnworks.items.report import Status
from linnworks.items.writer import LinnworksWriter

pytestmark = pytest.mark.integration

READS = {"Inventory/GetStockItemIdsBySKU", "Stock/GetStockItemsFullByIds"}
AMAZON, EBAY, SHOP = ("AMAZON", "Amazon UK"), ("EBAY", "eBay DE"), ("SHOPIFY", "Shop")


def chair(sku: str = "CHAIR-1", **changes) -> DesiredItem:
    item = DesiredItem(
        sku=sku, title="Oak chair", barcode="4006381333931", retail_price=129.0, purchase_price=51.6,
        weight=6500.0, width=45.0, height=90.0, depth=50.0, metadata="A solid oak chair.",
        channel_prices={AMAZON: 139.0, EBAY: 134.5}, channel_titles={EBAY: "Eichenstuhl"},
        channel_descriptions={SHOP: "<p>Solid oak</p>"},
        extended_properties={"colour": "oak", "material": "wood"},
        images=(ImageRef("media/chair-front.jpg", "https://images.example/chair-front.jpg"),
                ImageRef("media/chair-side.jpg", "https://images.example/chair-side.jpg")))
    return replace(item, **changes)


def writes(stats: dict) -> dict:
    return {method: n for method, n in stats["calls"].items() if method not in READS}


def test_items_are_created_from_scratch_with_every_part(client, control):
    report = LinnworksWriter(client).write([chair()])

    assert [(r.sku, r.status, r.stock_item_id) for r in report.results] == [
        ("CHAIR-1", Status.CREATED, ids.stock_item_id("CHAIR-1"))]
    stored = control.item("CHAIR-1")
    item = stored["item"]
    assert (item["ItemTitle"], item["BarcodeNumber"], item["RetailPrice"], item["PurchasePrice"]) == (
        "Oak chair", "4006381333931", 129.0, 51.6)
    assert (item["Weight"], item["Width"], item["Height"], item["Depth"], item["MetaData"]) == (
        6500.0, 45.0, 90.0, 50.0, "A solid oak chair.")
    assert {(p["Source"], p["SubSource"]): p["Price"] for p in stored["prices"]} == {AMAZON: 139.0, EBAY: 134.5}
    assert [(t["Source"], t["SubSource"], t["Title"]) for t in stored["titles"]] == [("EBAY", "eBay DE", "Eichenstuhl")]
    assert [d["Description"] for d in stored["descriptions"]] == ["<p>Solid oak</p>"]
    # exactly the properties the item asks for: nothing of pimflow's own (its image ledger is not in Linnworks)
    assert {p["ProperyName"]: p["PropertyValue"] for p in stored["extended_properties"]} == {
        "colour": "oak", "material": "wood"}
    images = stored["images"]
    assert [(i["Origin"], i["IsMain"]) for i in images] == [
        ("https://images.example/chair-front.jpg", True), ("https://images.example/chair-side.jpg", False)]
    # One call per method, except images (one per image): nothing sent one row at a time.
    assert writes(control.stats()) == {
        "Inventory/AddInventoryItemBulk": 1, "Inventory/CreateInventoryItemPrices": 1,
        "Inventory/CreateInventoryItemTitles": 1, "Inventory/CreateInventoryItemDescriptions": 1,
        "Inventory/CreateInventoryItemExtendedProperties": 1, "Inventory/AddImageToInventoryItem": 2}


def test_a_second_identical_run_makes_no_write_call(client, control):
    writer, items = LinnworksWriter(client), [chair("CHAIR-1"), chair("CHAIR-2"), chair("SKU-000001")]
    writer.write(items)
    control.reset_stats()

    report = writer.write(items)

    assert [r.status for r in report.results] == [Status.UNCHANGED] * 3 and report.diff == []
    assert control.stats()["calls"] == {"Inventory/GetStockItemIdsBySKU": 1, "Stock/GetStockItemsFullByIds": 1}


def test_one_changed_field_of_one_sku_makes_only_that_write(client, control):
    writer = LinnworksWriter(client)
    writer.write([chair("CHAIR-1"), chair("CHAIR-2")])
    control.reset_stats()

    report = writer.write([chair("CHAIR-1"), chair("CHAIR-2", retail_price=119.0)])

    assert [r.status for r in report.results] == [Status.UNCHANGED, Status.UPDATED]
    assert [(d.sku, d.field, d.old, d.new, d.action) for d in report.diff] == [
        ("CHAIR-2", "retail_price", 129.0, 119.0, "update")]
    assert writes(control.stats()) == {"Inventory/UpdateInventoryItemField": 1}
    assert control.item("CHAIR-2")["item"]["RetailPrice"] == 119.0


def test_an_existing_item_keeps_what_the_profile_does_not_manage(client, control):
    seeded = control.item("SKU-000001")
    amazon_row = next(p for p in seeded["prices"] if p["Source"] == "AMAZON")

    LinnworksWriter(client).write([DesiredItem("SKU-000001", channel_prices={AMAZON: 1.5},
                                               extended_properties={"colour": "red"})])

    stored = control.item("SKU-000001")
    assert [(p["pkRowId"], p["Price"]) for p in stored["prices"]] == [(amazon_row["pkRowId"], 1.5)]
    assert stored["titles"] == seeded["titles"]  # the seeded eBay title is not managed here
    assert stored["item"]["ItemTitle"] == seeded["item"]["ItemTitle"]


def test_missing_skus_are_skipped_without_create_products(client, control):
    report = LinnworksWriter(client, WriteOptions(create_products=False)).write(
        [chair("CHAIR-NEW"), DesiredItem("SKU-000002", title="Renamed")])

    assert [r.status for r in report.results] == [Status.SKIPPED, Status.UPDATED]
    assert control.item("CHAIR-NEW") is None
    assert "Inventory/AddInventoryItemBulk" not in control.stats()["calls"]


def test_a_refused_sku_comes_back_with_method_message_and_values_while_others_are_written(client, control):
    bad_image = chair("CHAIR-BAD", images=(ImageRef("media/x.jpg", "ftp://images.example/x.jpg"),))
    no_title = DesiredItem("CHAIR-NO-TITLE", retail_price=3.0)

    report = LinnworksWriter(client).write([chair("CHAIR-OK"), bad_image, no_title])

    ok, image_refused, item_refused = report.results
    assert ok.status is Status.CREATED
    assert (image_refused.status, image_refused.endpoint, image_refused.sent) == (
        Status.REFUSED, "Inventory/AddImageToInventoryItem", {"ImageUrl": "ftp://images.example/x.jpg", "IsMain": True})
    assert "Invalid image url" in image_refused.message
    assert control.item("CHAIR-BAD")["prices"]  # the rest of that SKU was written
    assert (item_refused.status, item_refused.endpoint, item_refused.message) == (
        Status.REFUSED, "Inventory/AddInventoryItemBulk", "ItemTitle is required")
    assert item_refused.sent["RetailPrice"] == 3.0
    assert control.item("CHAIR-NO-TITLE") is None


def test_a_refused_row_batch_is_halved_so_the_other_skus_are_still_written(client, control):
    control.settings(fail_next=[{"method": "Inventory/CreateInventoryItemTitles", "status": 400}])

    report = LinnworksWriter(client).write([chair("CHAIR-1"), chair("CHAIR-2")])

    assert [r.status for r in report.results] == [Status.CREATED, Status.CREATED]
    assert control.stats()["calls"]["Inventory/CreateInventoryItemTitles"] == 3
    assert all(control.item(sku)["titles"] for sku in ("CHAIR-1", "CHAIR-2"))


def test_a_refused_batch_of_one_sku_refuses_it_with_linnworks_message(client, control):
    control.settings(fail_next=[{"method": "Inventory/CreateInventoryItemTitles", "status": 400}])

    result, = LinnworksWriter(client).write([chair("CHAIR-1")]).results

    assert (result.status, result.endpoint) == (Status.REFUSED, "Inventory/CreateInventoryItemTitles")
    assert result.message == "The request is invalid."
    assert [row["Title"] for row in result.sent] == ["Eichenstuhl"]


def test_a_dry_run_writes_nothing_and_returns_the_diff(client, control):
    report = LinnworksWriter(client, WriteOptions(dry_run=True)).write(
        [chair("CHAIR-DRY"), DesiredItem("SKU-000003", title="New title")])

    assert [r.status for r in report.results] == [Status.CREATED, Status.UPDATED]
    assert set(control.stats()["calls"]) <= READS
    assert control.item("CHAIR-DRY") is None
    rows = {(d.sku, d.field): (d.old, d.new, d.action) for d in report.diff}
    assert rows[("SKU-000003", "title")] == ("Demo product 3", "New title", "update")
    assert rows[("CHAIR-DRY", "price[AMAZON|Amazon UK]")] == (None, 139.0, "create")
    assert rows[("CHAIR-DRY", "image[0]")] == (None, "media/chair-front.jpg", "add")


def test_images_are_uploaded_as_bytes_and_a_new_first_image_becomes_main(client, control):
    content = {"media/a.png": b"\x89PNG first", "media/b.png": b"\x89PNG second"}

    def image(key: str) -> ImageRef:
        return ImageRef(key, fetch=lambda: content[key])

    writer = LinnworksWriter(client, WriteOptions(image_mode=ImageMode.UPLOAD))
    writer.write([chair(images=(image("media/a.png"),))])
    report = writer.write([chair(images=(image("media/b.png"), image("media/a.png")))])

    assert [(d.field, d.new, d.action) for d in report.diff] == [("image[0]", "media/b.png", "add")]
    images = control.item("CHAIR-1")["images"]
    main = next(i for i in images if i["IsMain"])
    assert requests.get(main["FullSource"], timeout=10).content == b"\x89PNG second"
    assert len(images) == 2
    control.reset_stats()
    assert writer.write([chair(images=(image("media/b.png"), image("media/a.png")))]).diff == []
    assert writes(control.stats()) == {}


def test_an_items_images_go_to_the_uploader_in_one_call_and_keep_their_order(client, control):
    content = {f"media/{n}.png": f"\x89PNG image {n}".encode() for n in range(3)}
    images = tuple(ImageRef(key, fetch=lambda key=key: content[key]) for key in content)
    control.reset_stats()

    report = LinnworksWriter(client, WriteOptions(image_mode=ImageMode.UPLOAD)).write(
        [chair("CHAIR-1", images=images), chair("CHAIR-2", images=images[:1])])

    assert [r.status for r in report.results] == [Status.CREATED, Status.CREATED]
    calls = writes(control.stats())
    assert calls["Uploader/UploadFile"] == 2 and calls["Inventory/UploadImagesToInventoryItem"] == 2
    stored = sorted(control.item("CHAIR-1")["images"], key=lambda image: image["SortOrder"])
    assert [requests.get(image["FullSource"], timeout=10).content for image in stored] == list(content.values())
    assert stored[0]["IsMain"] and len(control.item("CHAIR-2")["images"]) == 1


def test_throttling_is_waited_out_and_never_refuses_a_sku(client, control):
    control.settings(quota_window_seconds=0.5, quota_overrides={"Inventory/AddImageToInventoryItem": 2})

    report = LinnworksWriter(client).write([chair("CHAIR-1"), chair("CHAIR-2")])

    assert [r.status for r in report.results] == [Status.CREATED, Status.CREATED]
    assert control.stats()["status_codes"].get("429", 0) >= 1
    assert all(len(control.item(sku)["images"]) == 2 for sku in ("CHAIR-1", "CHAIR-2"))


def test_images_attached_by_a_try_stopped_before_its_ledger_are_adopted_not_attached_again(client, control):
    content = {"media/a.png": b"\x89PNG first", "media/b.png": b"\x89PNG second"}
    images = tuple(ImageRef(key, fetch=lambda key=key: content[key]) for key in content)
    LinnworksWriter(client, WriteOptions(image_mode=ImageMode.UPLOAD)).write([chair(images=images)])
    # A worker killed after the attach call and before the ledger write leaves this state: the
    # images on the item, a ledger that does not name them (a new writer's ledger is empty).
    writer = LinnworksWriter(client, WriteOptions(image_mode=ImageMode.UPLOAD))
    control.reset_stats()

    report = writer.write([chair(images=images)])

    calls = writes(control.stats())
    assert "Uploader/UploadFile" not in calls and "Inventory/UploadImagesToInventoryItem" not in calls
    assert len(control.item("CHAIR-1")["images"]) == 2
    assert [(d.field, d.action) for d in report.diff if d.field.startswith("image")] == [
        ("image[0]", "add"), ("image[1]", "add")]  # planned as adds, then adopted by checksum
    assert [entry.attached for entries in writer.image_ledger.entries([ids.stock_item_id("CHAIR-1")]).values()
            for entry in entries] == [False, False]
    control.reset_stats()
    assert writer.write([chair(images=images)]).diff == []
    assert writes(control.stats()) == {}


def add_by_hand(client, sku: str, content: bytes) -> str:
    """What a person does in Linnworks: upload a picture and attach it to the item."""
    file_id = client.upload_file(content, "by-hand.png", "image/png")
    picture, = client.attach_uploaded_images(ids.stock_item_id(sku), [file_id])
    return picture.picture_id


def test_an_image_dropped_from_the_desired_ones_leaves_linnworks_and_one_added_by_hand_stays(client, control):
    content = {"media/a.png": b"\x89PNG first", "media/b.png": b"\x89PNG second"}
    images = tuple(ImageRef(key, fetch=lambda key=key: content[key]) for key in content)
    writer = LinnworksWriter(client, WriteOptions(image_mode=ImageMode.UPLOAD))
    writer.write([chair(images=images)])
    by_hand = add_by_hand(client, "CHAIR-1", b"\x89PNG a person's photo")
    first = next(i["pkRowId"] for i in control.item("CHAIR-1")["images"] if i["IsMain"])
    control.reset_stats()

    report = writer.write([chair(images=images[1:])])

    assert report.results[0].status is Status.UPDATED
    stored = control.item("CHAIR-1")["images"]
    assert by_hand in {i["pkRowId"] for i in stored} and first not in {i["pkRowId"] for i in stored}
    assert sorted(requests.get(i["FullSource"], timeout=10).content for i in stored) == sorted(
        [b"\x89PNG second", b"\x89PNG a person's photo"])
    main, = [i for i in stored if i["IsMain"]]
    assert requests.get(main["FullSource"], timeout=10).content == b"\x89PNG second"
    assert writes(control.stats()) == {"Inventory/DeleteInventoryItemImageBulk": 1,
                                      "Inventory/SetInventoryItemImageAsMain": 1}
    assert [(d.field, d.old, d.action) for d in report.diff if d.action == "delete"] == [("image", first, "delete")]
    assert {p["ProperyName"] for p in control.item("CHAIR-1")["extended_properties"]} == {"colour", "material"}


def test_without_a_ledger_no_image_is_deleted(client, control):
    """A lost ledger (a fresh Airflow home): the writer cannot tell its images from a person's, so
    it deletes none; the desired ones are adopted by checksum, not uploaded again."""
    content = {"media/a.png": b"\x89PNG first", "media/b.png": b"\x89PNG second"}
    images = tuple(ImageRef(key, fetch=lambda key=key: content[key]) for key in content)
    LinnworksWriter(client, WriteOptions(image_mode=ImageMode.UPLOAD)).write([chair(images=images)])
    add_by_hand(client, "CHAIR-1", b"\x89PNG a person's photo")
    control.reset_stats()

    LinnworksWriter(client, WriteOptions(image_mode=ImageMode.UPLOAD)).write([chair(images=images[1:])])

    assert len(control.item("CHAIR-1")["images"]) == 3
    assert writes(control.stats()) == {"Inventory/SetInventoryItemImageAsMain": 1}  # nothing uploaded or deleted


def test_with_removal_off_a_dropped_image_stays(client, control):
    images = (ImageRef("media/a.png", fetch=lambda: b"\x89PNG first"),
              ImageRef("media/b.png", fetch=lambda: b"\x89PNG second"))
    writer = LinnworksWriter(client, WriteOptions(image_mode=ImageMode.UPLOAD, delete_dropped_images=False))
    writer.write([chair(images=images)])
    control.reset_stats()

    writer.write([chair(images=images[1:])])

    assert len(control.item("CHAIR-1")["images"]) == 2
    assert "Inventory/DeleteInventoryItemImageBulk" not in writes(control.stats())


def test_an_earlier_versions_ledger_property_is_taken_in_and_deleted(client, control):
    """Items written by a version that kept its image ledger in a `pimflow_images` property: the
    images it names count as pimflow's (so a dropped one is deleted) and the property goes."""
    from linnworks.api.models import ExtendedProperty
    from linnworks.items.image_ledger import key_digest

    content = {"media/a.png": b"\x89PNG first", "media/b.png": b"\x89PNG second"}
    images = tuple(ImageRef(key, fetch=lambda key=key: content[key]) for key in content)
    LinnworksWriter(client, WriteOptions(image_mode=ImageMode.UPLOAD)).write([chair(images=images)])
    stored = {requests.get(i["FullSource"], timeout=10).content: i["pkRowId"] for i in control.item("CHAIR-1")["images"]}
    value = ";".join(f"{key_digest(key)}:{stored[content[key]]}" for key in content)
    client.create_extended_properties([ExtendedProperty(fk_stock_item_id=ids.stock_item_id("CHAIR-1"),
                                                        propery_name="pimflow_images", property_value=value)])
    writer = LinnworksWriter(client, WriteOptions(image_mode=ImageMode.UPLOAD))  # its ledger: empty
    control.reset_stats()

    writer.write([chair(images=images[1:], extended_properties={})])

    assert [i["pkRowId"] for i in control.item("CHAIR-1")["images"]] == [stored[content["media/b.png"]]]
    assert "pimflow_images" not in {p["ProperyName"] for p in control.item("CHAIR-1")["extended_properties"]}
    calls = writes(control.stats())
    assert calls["Inventory/DeleteInventoryItemImageBulk"] == 1 and "Uploader/UploadFile" not in calls
    control.reset_stats()
    assert writer.write([chair(images=images[1:], extended_properties={})]).diff == []
