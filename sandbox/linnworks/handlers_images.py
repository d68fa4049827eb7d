"""Item images: add by URL, the file uploader + UploadImagesToInventoryItem, main image, reads, deletes."""
from __future__ import annotations

import hashlib
from urllib.parse import urlparse

from starlette.datastructures import UploadFile

from .errors import bad_request, invalid
from .handlers_items import find_item
from .params import fields_list, optional_guid, to_bool, to_float, to_guid
from .registry import NO_CONTENT, READ, Call, api
from .store import ItemRecord, Store, Upload, new_guid
from .views import image_row, sorted_images

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def image_url(store: Store, image_id: str, thumbnail: bool = False) -> str:
    return f"{store.server_url}/_sandbox/images/{image_id}" + ("?thumbnail=true" if thumbnail else "")


def attach_image(store: Store, record: ItemRecord, checksum: str, origin: str, is_main: bool) -> dict:
    """New image row at the end of the item's list; the first image of an item is its main one."""
    image_id = new_guid()
    orders = [image["SortOrder"] for image in record.images.values()]
    is_main = is_main or not orders
    if is_main:
        for image in record.images.values():
            image["IsMain"] = False
    image = {"pkRowId": image_id, "FullSource": image_url(store, image_id),
             "Thumbnail": image_url(store, image_id, thumbnail=True), "IsMain": is_main,
             "SortOrder": max(orders) + 1 if orders else 0, "Checksum": checksum, "Origin": origin}
    store.add_row("images", record, image_id, image)
    return image


@api("Inventory/AddImageToInventoryItem", 150)
async def add_image_to_inventory_item(call: Call):
    request = call.params.obj("request")
    record = find_item(call.store, request.get("StockItemId"), request.get("ItemNumber"))
    url = request.get("ImageUrl")
    # Linnworks downloads the URL itself; the sandbox never fetches it (no outside network), it checks the form.
    parsed = urlparse(url or "")
    if not url:
        raise bad_request("ImageUrl is required")
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise bad_request(f"Invalid image url '{url}'")
    is_main = to_bool(request.get("IsMain") or False, "IsMain")
    image = attach_image(call.store, record, hashlib.md5(url.encode()).hexdigest(), url, is_main)
    return {"StockItemId": record.id, "ImageId": image["pkRowId"], "ImageUrl": image["FullSource"],
            "ImageThumbnailUrl": image["Thumbnail"]}


@api("Uploader/UploadFile", 150, token_in_query=True)
async def upload_file(call: Call):
    """Not in the spec: `POST {Server}/api/Uploader/UploadFile?type=Image&expiredInHours=24&token=...`."""
    hours = to_float(call.request.query_params.get("expiredInHours") or 24, "expiredInHours")
    form = await call.request.form(max_part_size=MAX_UPLOAD_BYTES)
    answers = []
    for _, part in form.multi_items():
        if not isinstance(part, UploadFile):
            continue
        content = await part.read()
        upload = Upload(file_id=new_guid(), name=part.filename or "file", content=content,
                        content_type=part.content_type or "application/octet-stream",
                        expires_at=call.store.clock() + hours * 3600)
        call.store.uploads[upload.file_id] = upload
        # Answer shape of the uploader is undocumented; FileId is what UploadImagesToInventoryItem takes.
        answers.append({"FileId": upload.file_id, "FileName": upload.name, "FileSize": len(content)})
    if not answers:
        raise bad_request("No file was uploaded")
    return answers


@api("Inventory/UploadImagesToInventoryItem", 150)
async def upload_images_to_inventory_item(call: Call):
    record = find_item(call.store, call.params.guid("inventoryItemId"))
    file_ids = [to_guid(value, "imageIds") for value in call.params.list("imageIds")]
    uploads = []
    for file_id in file_ids:  # check all before attaching any
        upload = call.store.uploads.get(file_id)
        if upload is None or upload.expires_at < call.store.clock():
            raise bad_request(f"Uploaded file {file_id} was not found or has expired")
        uploads.append(upload)
    answer = []
    for upload in uploads:
        image = attach_image(call.store, record, hashlib.md5(upload.content).hexdigest(),
                             f"upload:{upload.file_id}", is_main=False)
        answer.append({"PictureId": image["pkRowId"], "Source": image["FullSource"],
                       "IsMain": image["IsMain"], "SortOrder": image["SortOrder"]})
    return answer


@api("Inventory/SetInventoryItemImageAsMain", 150)
async def set_inventory_item_image_as_main(call: Call):
    record = find_item(call.store, call.params.guid("inventoryItemId"))
    image_id = call.params.guid("mainImageId")
    if image_id not in record.images:
        raise bad_request(f"Image {image_id} does not belong to item {record.id}")
    for image in record.images.values():  # flags only: SortOrder is left as it was
        image["IsMain"] = image["pkRowId"] == image_id
    return NO_CONTENT


@api("Inventory/GetInventoryItemImages", 250, READ)
async def get_inventory_item_images(call: Call):
    params = call.params
    record = find_item(call.store, params.guid("inventoryItemId", required=False), params.str("itemNumber"))
    return [image_row(record, image) for image in sorted_images(record)]


@api("Inventory/GetImagesInBulk", 150)
async def get_images_in_bulk(call: Call):
    request = call.params.obj("request")
    records = []
    for item_id in request.get("StockItemIds") or []:
        records.append(call.store.by_id(optional_guid(item_id, "StockItemIds")))
    for sku in request.get("SKUS") or []:
        records.append(call.store.live_by_sku(sku))
    images = []
    for record in filter(None, records):
        for image in sorted_images(record):
            # Bulk rows carry StockItemId but no SKU (observed live, although the model has a SKU field).
            images.append({"StockItemId": record.id, "pkRowId": image["pkRowId"], "IsMain": image["IsMain"],
                           "SortOrder": image["SortOrder"], "ChecksumValue": image["Checksum"],
                           "RawChecksum": image["Checksum"], "FullSource": image["FullSource"],
                           "FullSourceThumbnail": image["Thumbnail"]})
    return {"Images": images}


@api("Inventory/DeleteImagesFromInventoryItem", 150)
async def delete_images_from_inventory_item(call: Call):
    mapping = call.params.obj("inventoryItemImages")
    for item_id, image_ids in mapping.original.items():
        record = call.store.by_id(to_guid(item_id, "inventoryItemImages"))
        if record is None or not isinstance(image_ids, list):
            continue
        for image_id in image_ids:
            image_id = to_guid(image_id, "inventoryItemImages")
            if image_id in record.images:
                call.store.delete_row("images", image_id)
    return NO_CONTENT


# Messages of per-image failures are undocumented: the sandbox's own wording.
IMAGE_NOT_ON_ITEM = "Image {image_id} was not found on the stock item"
ITEM_NOT_FOUND_FOR_IMAGES = "Stock item not found"


@api("Inventory/DeleteInventoryItemImageBulk", 150)
async def delete_inventory_item_image_bulk(call: Call):
    """`{"request": [DeleteInventoryItemImagesRequest{InventoryItemId, ItemNumber, ImageIds}]}` (the
    item by id, or by SKU when the id is absent) → BatchedAPIResponse of DeleteInventoryItemImagesResponse
    `{InventoryItemId, ItemNumber, ImageId}`: one result per image, HTTP 200 even when some fail;
    ItemNumber is answered only when the request gave it."""
    requests = fields_list(call.params.list("request"), "request")
    if not requests:
        raise bad_request("request is empty")
    results = []
    for entry in requests:
        item_id = optional_guid(entry.get("InventoryItemId"), "InventoryItemId")
        sku = entry.get("ItemNumber")
        record = call.store.by_id(item_id) if item_id else call.store.live_by_sku(sku) if sku else None
        image_ids = entry.get("ImageIds")
        if not isinstance(image_ids, list):
            raise invalid("request.ImageIds", "ImageIds must be a JSON array.")
        for value in image_ids:
            image_id = to_guid(value, "request.ImageIds")
            answer = {"InventoryItemId": record.id if record else item_id, "ItemNumber": sku, "ImageId": image_id}
            if record is None:
                results.append({"Result": answer, "ResultStatus": "FAILED", "Message": ITEM_NOT_FOUND_FOR_IMAGES})
            elif image_id not in record.images:
                results.append({"Result": answer, "ResultStatus": "FAILED",
                                "Message": IMAGE_NOT_ON_ITEM.format(image_id=image_id)})
            else:
                call.store.delete_row("images", image_id)
                results.append({"Result": answer, "ResultStatus": "SUCCESSFUL", "Message": None})
    ok = sum(1 for result in results if result["ResultStatus"] == "SUCCESSFUL")
    overall = "SUCCESSFUL" if ok == len(results) else "FAILED" if ok == 0 else "PARTIALLY_SUCCESSFUL"
    return {"Results": results, "TotalResults": len(results), "ResultStatus": overall}
