"""Images: add by URL (one per call), uploader + UploadImagesToInventoryItem, main image, reads."""
from __future__ import annotations

import hashlib

import pytest

pytestmark = pytest.mark.integration

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _add(lw, url, sku="SKU-000012", **extra):
    return lw.call("Inventory/AddImageToInventoryItem", json={"request": {"ItemNumber": sku, "ImageUrl": url, **extra}})


def _upload(lw, content=PNG, name="a.png", token=None):
    return lw.http.post(f"{lw.sandbox.data_url}/api/Uploader/UploadFile",
                        params={"type": "Image", "expiredInHours": 24, "token": token or lw.token},
                        files={"file": (name, content, "image/png")})


def test_add_image_by_url_answers_ids_and_first_image_is_main(lw):
    answer = _add(lw, "https://cdn.example.test/one.jpg")
    assert answer.status_code == 200
    body = answer.json()
    assert body["StockItemId"] == lw.item_id("SKU-000012")
    assert body["ImageId"] and body["ImageUrl"].startswith(lw.sandbox.data_url) and body["ImageThumbnailUrl"]
    second = _add(lw, "https://cdn.example.test/two.jpg").json()
    images = lw.ok("Inventory/GetInventoryItemImages", "GET", params={"inventoryItemId": body["StockItemId"]})
    assert [(i["pkRowId"], i["IsMain"], i["SortOrder"]) for i in images] == [
        (body["ImageId"], True, 0), (second["ImageId"], False, 1)]
    assert images[0]["ChecksumValue"] == hashlib.md5(b"https://cdn.example.test/one.jpg").hexdigest()


def test_add_image_with_is_main_moves_the_main_flag(lw):
    _add(lw, "https://cdn.example.test/one.jpg")
    new = _add(lw, "https://cdn.example.test/two.jpg", IsMain=True).json()
    images = lw.ok("Inventory/GetInventoryItemImages", "GET", params={"itemNumber": "SKU-000012"})
    assert [i["pkRowId"] for i in images if i["IsMain"]] == [new["ImageId"]]


@pytest.mark.parametrize("url", ["", "ftp://x.test/a.jpg", "not a url"])
def test_add_image_refuses_a_bad_url(lw, url):
    answer = _add(lw, url)
    assert answer.status_code == 400
    assert lw.stored("SKU-000012")["images"] == []


def test_add_image_to_unknown_sku_is_refused(lw):
    answer = _add(lw, "https://cdn.example.test/a.jpg", sku="NOPE")
    assert answer.status_code == 400
    assert answer.json()["Message"] == "Could not determine inventory item id from SKU"


def test_upload_then_attach_images_and_fetch_the_bytes(lw):
    uploaded = _upload(lw)
    assert uploaded.status_code == 200
    file_id = uploaded.json()[0]["FileId"]
    item_id = lw.item_id("SKU-000013")
    pictures = lw.ok("Inventory/UploadImagesToInventoryItem", json={"inventoryItemId": item_id, "imageIds": [file_id]})
    assert len(pictures) == 1 and pictures[0]["IsMain"] is True and pictures[0]["SortOrder"] == 0
    image = lw.stored("SKU-000013")["images"][0]
    assert image["pkRowId"] == pictures[0]["PictureId"]
    assert image["ChecksumValue"] == hashlib.md5(PNG).hexdigest()
    assert lw.http.get(image["FullSource"]).content == PNG


def test_uploader_takes_the_session_token_in_the_query(lw):
    answer = _upload(lw, token="0a0a0a0a-0000-4000-8000-000000000000")
    assert answer.status_code == 401
    assert answer.json()["Message"] == "Token is wrong."


def test_upload_images_with_an_unknown_file_id_attaches_nothing(lw):
    good = _upload(lw).json()[0]["FileId"]
    answer = lw.call("Inventory/UploadImagesToInventoryItem", json={
        "inventoryItemId": lw.item_id("SKU-000013"), "imageIds": [good, "0a0a0a0a-0000-4000-8000-000000000000"]})
    assert answer.status_code == 400
    assert lw.stored("SKU-000013")["images"] == []


def test_set_main_image_changes_flags_but_not_order(lw):
    first = _add(lw, "https://cdn.example.test/1.jpg").json()["ImageId"]
    second = _add(lw, "https://cdn.example.test/2.jpg").json()["ImageId"]
    answer = lw.call("Inventory/SetInventoryItemImageAsMain", json={
        "inventoryItemId": lw.item_id("SKU-000012"), "mainImageId": second})
    assert answer.status_code == 204
    images = lw.stored("SKU-000012")["images"]
    assert [(i["pkRowId"], i["IsMain"], i["SortOrder"]) for i in images] == [(first, False, 0), (second, True, 1)]


def test_images_in_bulk_are_wrapped_and_carry_no_sku(lw):
    _add(lw, "https://cdn.example.test/1.jpg")
    _add(lw, "https://cdn.example.test/2.jpg", sku="SKU-000014")
    by_id = lw.ok("Inventory/GetImagesInBulk", json={"request": {"StockItemIds": [lw.item_id("SKU-000012")]}})
    assert len(by_id["Images"]) == 1 and "SKU" not in by_id["Images"][0]
    assert by_id["Images"][0]["StockItemId"] == lw.item_id("SKU-000012")
    by_sku = lw.ok("Inventory/GetImagesInBulk", json={"request": {"SKUS": ["SKU-000012", "SKU-000014", "NOPE"]}})
    assert {i["StockItemId"] for i in by_sku["Images"]} == {lw.item_id("SKU-000012"), lw.item_id("SKU-000014")}


def test_delete_images_from_inventory_item(lw):
    image_id = _add(lw, "https://cdn.example.test/1.jpg").json()["ImageId"]
    lw.ok("Inventory/DeleteImagesFromInventoryItem", json={
        "inventoryItemImages": {lw.item_id("SKU-000012"): [image_id]}})
    assert lw.stored("SKU-000012")["images"] == []


DELETE_BULK = "Inventory/DeleteInventoryItemImageBulk"


def test_delete_image_bulk_deletes_by_item_id_or_sku_and_answers_one_result_per_image(lw):
    kept = _add(lw, "https://cdn.example.test/keep.jpg").json()["ImageId"]
    gone = _add(lw, "https://cdn.example.test/gone.jpg").json()["ImageId"]
    other = _add(lw, "https://cdn.example.test/other.jpg", sku="SKU-000014").json()["ImageId"]
    answer = lw.ok(DELETE_BULK, json={"request": [
        {"InventoryItemId": lw.item_id("SKU-000012"), "ImageIds": [gone]},
        {"ItemNumber": "SKU-000014", "ImageIds": [other]}]})
    assert answer == {"TotalResults": 2, "ResultStatus": "SUCCESSFUL", "Results": [
        {"Result": {"InventoryItemId": lw.item_id("SKU-000012"), "ItemNumber": None, "ImageId": gone},
         "ResultStatus": "SUCCESSFUL", "Message": None},
        {"Result": {"InventoryItemId": lw.item_id("SKU-000014"), "ItemNumber": "SKU-000014", "ImageId": other},
         "ResultStatus": "SUCCESSFUL", "Message": None}]}
    assert [image["pkRowId"] for image in lw.stored("SKU-000012")["images"]] == [kept]
    assert lw.stored("SKU-000014")["images"] == []


def test_delete_image_bulk_fails_an_image_of_another_item_alone_with_http_200(lw):
    mine = _add(lw, "https://cdn.example.test/mine.jpg").json()["ImageId"]
    theirs = _add(lw, "https://cdn.example.test/theirs.jpg", sku="SKU-000014").json()["ImageId"]
    answer = lw.ok(DELETE_BULK, json={"request": [
        {"InventoryItemId": lw.item_id("SKU-000012"), "ImageIds": [mine, theirs]}]})
    assert answer["ResultStatus"] == "PARTIALLY_SUCCESSFUL"
    assert [(r["Result"]["ImageId"], r["ResultStatus"]) for r in answer["Results"]] == [
        (mine, "SUCCESSFUL"), (theirs, "FAILED")]
    assert theirs in answer["Results"][1]["Message"]
    assert [image["pkRowId"] for image in lw.stored("SKU-000014")["images"]] == [theirs]  # not deleted


def test_delete_image_bulk_of_an_unknown_item_fails_every_image_and_a_repeat_deletes_nothing_more(lw):
    image_id = _add(lw, "https://cdn.example.test/1.jpg").json()["ImageId"]
    unknown = lw.ok(DELETE_BULK, json={"request": [{"ItemNumber": "NOPE", "ImageIds": [image_id]}]})
    assert (unknown["ResultStatus"], unknown["Results"][0]["ResultStatus"]) == ("FAILED", "FAILED")
    body = {"request": [{"InventoryItemId": lw.item_id("SKU-000012"), "ImageIds": [image_id]}]}
    assert lw.ok(DELETE_BULK, json=body)["ResultStatus"] == "SUCCESSFUL"
    assert lw.ok(DELETE_BULK, json=body)["ResultStatus"] == "FAILED"  # already gone
    assert lw.stored("SKU-000012")["images"] == []


@pytest.mark.parametrize("body", [{}, {"request": []}, {"request": {"ImageIds": []}}])
def test_delete_image_bulk_needs_the_request_list(lw, body):
    answer = lw.call(DELETE_BULK, json=body)
    assert answer.status_code == 400
