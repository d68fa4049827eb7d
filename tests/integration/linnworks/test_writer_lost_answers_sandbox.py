"""The writer against the sandbox when answers are lost (issue 15): a create or an add whose answer
never came back is read back before anything is sent again, so it lands once and is reported as
written; one that did not land is sent again; a retry of a stopped try adopts what that try attached."""
from __future__ import annotations

from dataclasses import replace

import pytest

from linnworks.items.desired import DesiredItem, ImageMode, ImageRef, WriteOptions
from linnworks.items.report import Status
from linnworks.items.writer import LinnworksWriter

pytestmark = pytest.mark.integration

AMAZON, EBAY, SHOP = ("AMAZON", "Amazon UK"), ("EBAY", "eBay DE"), ("SHOPIFY", "Shop")
ATTACH = "Inventory/UploadImagesToInventoryItem"
CREATES = ("Inventory/AddInventoryItemBulk", "Inventory/CreateInventoryItemPrices",
           "Inventory/CreateInventoryItemTitles", "Inventory/CreateInventoryItemDescriptions",
           "Inventory/CreateInventoryItemExtendedProperties")
CONTENT = {"media/front.png": b"\x89PNG front", "media/side.png": b"\x89PNG side"}


def uploaded(key: str) -> ImageRef:
    return ImageRef(key, fetch=lambda: CONTENT[key])


def lamp(sku: str, images=(uploaded("media/front.png"), uploaded("media/side.png")), **changes) -> DesiredItem:
    item = DesiredItem(sku=sku, title="Brass lamp", retail_price=59.0, channel_prices={AMAZON: 61.0},
                       channel_titles={EBAY: "Messinglampe"}, channel_descriptions={SHOP: "<p>Brass</p>"},
                       extended_properties={"material": "brass"}, images=tuple(images))
    return replace(item, **changes)


def stored(control, sku: str) -> dict:
    """What Linnworks holds for an item, comparable across SKUs: rows by channel, images by checksum."""
    state = control.item(sku)
    return {
        "title": state["item"]["ItemTitle"], "price": state["item"]["RetailPrice"],
        "prices": sorted((p["Source"], p["SubSource"], p["Price"]) for p in state["prices"]),
        "titles": sorted((t["Source"], t["SubSource"], t["Title"]) for t in state["titles"]),
        "descriptions": sorted((d["Source"], d["SubSource"], d["Description"]) for d in state["descriptions"]),
        "properties": sorted((p["ProperyName"], p["PropertyValue"]) for p in state["extended_properties"]),
        "images": [(i["ChecksumValue"], i["IsMain"]) for i in state["images"]],
    }


def writes(control) -> dict:
    return {method: n for method, n in control.stats()["calls"].items() if not method.split("/")[1].startswith("Get")}


def test_every_create_and_attach_whose_answer_is_lost_lands_once_and_is_reported_created(client, control):
    writer = LinnworksWriter(client, WriteOptions(image_mode=ImageMode.UPLOAD))
    writer.write([lamp("LAMP-REF")])  # the fault-free reference
    control.reset_stats()
    control.settings(fail_next=[{"method": method, "status": 500, "after_commit": True}
                                for method in (*CREATES, ATTACH)])

    report = writer.write([lamp("LAMP-1")])

    assert [(r.sku, r.status) for r in report.results] == [("LAMP-1", Status.CREATED)], report.results[0].message
    assert control.settings()["fail_next"] == []  # every fault met its call
    assert stored(control, "LAMP-1") == stored(control, "LAMP-REF")
    calls = writes(control)
    assert all(calls[method] == 1 for method in (*CREATES, ATTACH)), calls  # read back, never sent twice
    control.reset_stats()
    assert writer.write([lamp("LAMP-1")]).results[0].status is Status.UNCHANGED
    assert writes(control) == {}


def test_a_category_create_whose_answer_is_lost_is_found_by_its_id_not_created_again(client, control):
    control.settings(fail_next=[{"method": "Inventory/CreateCategory", "status": 500, "after_commit": True}])

    result, = LinnworksWriter(client).write([lamp("LAMP-6", images=(), category="Lighting/Lamps")]).results

    assert result.status is Status.CREATED, result.message
    assert [c["CategoryName"] for c in control.categories()].count("Lighting/Lamps") == 1
    assert control.item("LAMP-6")["category"]["CategoryName"] == "Lighting/Lamps"
    assert writes(control)["Inventory/CreateCategory"] == 1


def test_an_attach_that_failed_before_landing_is_sent_again_after_reading_back(client, control):
    writer = LinnworksWriter(client, WriteOptions(image_mode=ImageMode.UPLOAD))
    control.settings(fail_next=[{"method": ATTACH, "status": 503}])

    result, = writer.write([lamp("LAMP-2")]).results

    assert result.status is Status.CREATED
    assert writes(control)[ATTACH] == 2
    assert [checksum for checksum, _ in stored(control, "LAMP-2")["images"]] == [
        ids_md5(CONTENT["media/front.png"]), ids_md5(CONTENT["media/side.png"])]


def test_an_add_by_url_whose_answer_is_lost_is_not_added_twice(client, control):
    images = (ImageRef("media/front.jpg", "https://images.example/front.jpg"),
              ImageRef("media/side.jpg", "https://images.example/side.jpg"))
    control.settings(fail_next=[{"method": "Inventory/AddImageToInventoryItem", "status": 500, "after_commit": True},
                                {"method": "Inventory/AddImageToInventoryItem", "status": 502}])

    result, = LinnworksWriter(client).write([lamp("LAMP-3", images=images)]).results

    assert result.status is Status.CREATED, result.message
    assert [(i["Origin"], i["IsMain"]) for i in control.item("LAMP-3")["images"]] == [
        ("https://images.example/front.jpg", True), ("https://images.example/side.jpg", False)]
    assert writes(control)["Inventory/AddImageToInventoryItem"] == 3  # the lost one, the failed one, its resend


def test_an_attach_failing_every_try_is_a_transient_refusal_and_the_next_run_attaches_once(client, control):
    writer = LinnworksWriter(client, WriteOptions(image_mode=ImageMode.UPLOAD))
    control.settings(fail_next=[{"method": ATTACH, "status": 500, "times": 1 + client.settings.max_retries}])

    result, = writer.write([lamp("LAMP-4")]).results

    assert (result.status, result.endpoint, result.transient) == (Status.REFUSED, ATTACH, True)
    assert control.item("LAMP-4")["images"] == [] and control.item("LAMP-4")["prices"]  # the rest was written
    result, = writer.write([lamp("LAMP-4")]).results
    assert result.status is Status.UPDATED
    assert len(control.item("LAMP-4")["images"]) == 2


def test_a_retry_of_a_stopped_try_adopts_each_copy_of_identical_images_once(client, control):
    """Two image keys with the same bytes: Linnworks holds two images with one checksum. A try
    stopped before its ledger leaves both unnamed; the retry adopts both, and attaches nothing."""
    same = (ImageRef("media/a.png", fetch=lambda: b"\x89PNG same"), ImageRef("media/b.png", fetch=lambda: b"\x89PNG same"))
    LinnworksWriter(client, WriteOptions(image_mode=ImageMode.UPLOAD)).write([lamp("LAMP-5", images=same)])
    writer = LinnworksWriter(client, WriteOptions(image_mode=ImageMode.UPLOAD))  # its ledger: empty
    control.reset_stats()

    writer.write([lamp("LAMP-5", images=same)])

    assert len(control.item("LAMP-5")["images"]) == 2
    assert ATTACH not in writes(control) and "Uploader/UploadFile" not in writes(control)
    control.reset_stats()
    assert writer.write([lamp("LAMP-5", images=same)]).diff == []


def ids_md5(content: bytes) -> str:
    import hashlib

    return hashlib.md5(content).hexdigest()


def test_an_image_delete_whose_answer_is_lost_is_read_back_and_not_refused(client, control):
    """Sent again, a delete that landed would answer FAILED for the image already gone."""
    writer = LinnworksWriter(client, WriteOptions(image_mode=ImageMode.UPLOAD))
    writer.write([lamp("LAMP-7")])
    control.reset_stats()
    control.settings(fail_next=[{"method": "Inventory/DeleteInventoryItemImageBulk", "status": 500,
                                 "after_commit": True}])

    result, = writer.write([lamp("LAMP-7", images=(uploaded("media/side.png"),))]).results

    assert result.status is Status.UPDATED, result.message
    assert [checksum for checksum, _ in stored(control, "LAMP-7")["images"]] == [ids_md5(CONTENT["media/side.png"])]
    assert writes(control)["Inventory/DeleteInventoryItemImageBulk"] == 1
    control.reset_stats()
    assert writer.write([lamp("LAMP-7", images=(uploaded("media/side.png"),))]).results[0].status is Status.UNCHANGED
    assert writes(control) == {}
