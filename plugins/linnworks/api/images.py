"""Item images: add by URL, upload bytes through the Uploader then attach, choose the main one, delete.

Adding an image is not idempotent (each call adds one more), so these calls are resent only after
reading the item's images back (`Retry.VERIFY`): an attached file is recognised by its checksum
(Linnworks keeps the MD5 of an image's bytes), an image added by URL as one the item did not have
before the call. The caller says which images the item had (`present`); without that (or the
checksums) a lost answer surfaces as `LinnworksServerError(maybe_committed=True)` and nothing is resent.
A bulk delete whose answer is lost is resent only for the images still there.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable

from httpkit.verify import Landed, NotLanded
from linnworks.api.errors import LinnworksError
from linnworks.api.models import AddedImage, ImageDeleteFailure, ItemImage, PictureSource

log = logging.getLogger(__name__)

_DELETED = {"SUCCESSFUL", "PARTIALLY_SUCCESSFUL"}


ATTACH = "Inventory/UploadImagesToInventoryItem"
ADD_BY_URL = "Inventory/AddImageToInventoryItem"
DELETE_BULK = "Inventory/DeleteInventoryItemImageBulk"


class ImageCalls:
    """Mixed into `LinnworksClient`, which provides `_call` and `_call_verified`."""

    # set once an Uploader answered fewer FileIds than files (see upload_files)
    _one_file_per_upload = False

    def get_images(self, stock_item_id: str) -> list[ItemImage]:
        answer = self._call("Inventory/GetInventoryItemImages", params={"inventoryItemId": stock_item_id})
        return [ItemImage.model_validate(row) for row in answer or []]

    def add_image_by_url(self, stock_item_id: str, url: str, is_main: bool = False,
                         present: Iterable[str] | None = None) -> AddedImage:
        """Linnworks fetches `url` itself, so it must be reachable from Linnworks' servers.

        With `present` (the ids of every image the item has before this call), a lost answer is
        verified: an image the item did not have is the one this call added; only when there is
        none is the call sent again. Linnworks' checksum is of the bytes it downloaded, which the
        client does not have, so nothing else identifies it: one add per item at a time."""
        request = {"request": {"StockItemId": stock_item_id, "ImageUrl": url, "IsMain": is_main}}

        def send(request: dict) -> AddedImage:
            return AddedImage.model_validate(self._call(ADD_BY_URL, json=request) or {})

        if present is None:
            return send(request)
        known = {image_id.lower() for image_id in present}

        def verify(request: dict) -> Landed[AddedImage] | NotLanded[dict]:
            new = [image for image in self.get_images(stock_item_id)
                   if image.pk_row_id and image.pk_row_id.lower() not in known]
            if not new:
                return NotLanded(request)
            image = max(new, key=lambda image: image.sort_order or 0)
            return Landed(AddedImage(stock_item_id=stock_item_id, image_id=image.pk_row_id,
                                     image_url=image.full_source, image_thumbnail_url=image.source))

        return self._call_verified(ADD_BY_URL, request, send, verify)

    def upload_image(self, stock_item_id: str, content: bytes, filename: str, is_main: bool = False,
                     content_type: str = "application/octet-stream") -> PictureSource:
        """Upload bytes to the Uploader (temporary file), attach it to the item, optionally as main."""
        file_id = self.upload_file(content, filename, content_type)
        picture = (self.attach_uploaded_images(stock_item_id, [file_id]) or [PictureSource()])[0]
        if is_main and picture.picture_id and not picture.is_main:
            self.set_main_image(stock_item_id, picture.picture_id)
            picture = picture.model_copy(update={"is_main": True})
        return picture

    def upload_file(self, content: bytes, filename: str, content_type: str = "application/octet-stream") -> str:
        """Put bytes on the Uploader (kept 24 hours); returns the FileId to attach."""
        file_ids = self._upload([(filename, content, content_type)])
        if not file_ids or not file_ids[0]:
            raise LinnworksError("Uploader/UploadFile answered without a FileId")
        return file_ids[0]

    def upload_files(self, files: list[tuple[str, bytes, str]]) -> list[str]:
        """Put several files (name, bytes, content type) on the Uploader in one multipart call;
        their FileIds in the same order.

        The Uploader is a multipart form endpoint that answers a list, one entry per file it kept,
        so one call carries an item's images. Should an answer hold fewer FileIds than files sent
        (an Uploader that keeps one file per call), the files are sent again one per call, and so
        is every later upload of this client: the unmatched temporary files expire by themselves.
        """
        if len(files) > 1 and not self._one_file_per_upload:
            file_ids = self._upload(files)
            if len(file_ids) == len(files) and all(file_ids):
                return file_ids
            self._one_file_per_upload = True
            log.warning("Uploader/UploadFile answered %d FileIds for %d files: uploading one file per call "
                        "from now on", sum(1 for file_id in file_ids if file_id), len(files))
        return [self.upload_file(content, name, content_type) for name, content, content_type in files]

    def _upload(self, files: list[tuple[str, bytes, str]]) -> list[str | None]:
        answer = self._call("Uploader/UploadFile", params={"type": "Image", "expiredInHours": 24},
                            files=[("file", file) for file in files], token_in_query=True)
        # [{"FileId": guid, "FileName": ..., "FileSize": ...}, ...]: one entry per uploaded file
        rows = answer if isinstance(answer, list) else [answer]
        return [row.get("FileId") or None if isinstance(row, dict) else None for row in rows]

    def attach_uploaded_images(self, stock_item_id: str, file_ids: list[str], checksums: list[str] | None = None,
                               present: Iterable[str] = ()) -> list[PictureSource]:
        """Attach uploaded files to an item in one call; one PictureSource per file, in order.

        With `checksums` (the MD5 of each file's bytes, in the same order) a lost answer is
        verified: the item's images are read back, a file counts as attached when an image with its
        checksum is there that `present` (the ids of the item's images before this call) does not
        name, and only the other files are sent again (the Uploader keeps them for a day)."""
        file_ids = list(file_ids)

        def send(pending: list[str]) -> list[PictureSource]:
            attached = self._call(ATTACH, json={"inventoryItemId": stock_item_id, "imageIds": list(pending)})
            return [PictureSource.model_validate(row) for row in attached or []]

        if checksums is None:
            return send(file_ids)
        if len(checksums) != len(file_ids):
            raise ValueError("one checksum per file")
        checksum_of = {file_id: checksum.lower() for file_id, checksum in zip(file_ids, checksums)}
        done: dict[str, PictureSource] = {}
        known = {image_id.lower() for image_id in present}

        def in_order() -> list[PictureSource]:
            return [done.get(file_id, PictureSource()) for file_id in file_ids]

        def send_rest(pending: list[str]) -> list[PictureSource]:
            done.update(zip(pending, send(pending)))
            return in_order()

        def verify(pending: list[str]) -> Landed[list[PictureSource]] | NotLanded[list[str]]:
            claimed = known | {(picture.picture_id or "").lower() for picture in done.values()}
            fresh = [image for image in self.get_images(stock_item_id)
                     if image.pk_row_id and image.pk_row_id.lower() not in claimed]
            rest = []
            for file_id in pending:
                match = next((image for image in fresh if checksum_of[file_id] in image.checksums()), None)
                if match is None:
                    rest.append(file_id)
                    continue
                fresh.remove(match)
                done[file_id] = PictureSource(picture_id=match.pk_row_id, source=match.full_source,
                                              is_main=match.is_main, sort_order=match.sort_order)
            return NotLanded(rest) if rest else Landed(in_order())

        return self._call_verified(ATTACH, file_ids, send_rest, verify)

    def set_main_image(self, stock_item_id: str, image_id: str) -> None:
        """Mark one image as main (Linnworks does not reorder the others)."""
        self._call("Inventory/SetInventoryItemImageAsMain",
                   json={"inventoryItemId": stock_item_id, "mainImageId": image_id})

    def delete_images(self, image_ids_by_item: dict[str, list[str]]) -> list[ImageDeleteFailure]:
        """Delete images of several items in one call (DeleteInventoryItemImageBulk); returns the
        images Linnworks did not delete. The call's batch limit is undocumented: send ≤ 200 images.

        Sent again as it is, a delete that landed would answer FAILED for images already gone, so
        after a lost answer the items' images are read back (one GetStockItemsFullByIds call) and
        only the images still there are sent again."""
        request = [{"InventoryItemId": item_id, "ImageIds": list(image_ids)}
                   for item_id, image_ids in image_ids_by_item.items() if image_ids]
        if not request:
            return []

        def send(pending: list[dict]) -> list[ImageDeleteFailure]:
            return _delete_failures(self._call(DELETE_BULK, json={"request": pending}))

        def verify(pending: list[dict]) -> Landed[list[ImageDeleteFailure]] | NotLanded[list[dict]]:
            items = self.get_items_full([entry["InventoryItemId"] for entry in pending], ["Images"])
            there = {(image.pk_row_id or "").lower() for item in items for image in item.images or ()}
            rest = [{**entry, "ImageIds": [i for i in entry["ImageIds"] if i.lower() in there]} for entry in pending]
            rest = [entry for entry in rest if entry["ImageIds"]]
            return NotLanded(rest) if rest else Landed([])

        return self._call_verified(DELETE_BULK, request, send, verify)


def _delete_failures(answer) -> list[ImageDeleteFailure]:
    """BatchedAPIResponse: {"Results": [{"Result": {InventoryItemId, ItemNumber, ImageId}, "ResultStatus",
    "Message"}]}, 2xx even when some images failed."""
    rows = (answer.get("Results") if isinstance(answer, dict) else None) or []
    failures = []
    for row in rows:
        if str(row.get("ResultStatus", "")).upper() in _DELETED:
            continue
        result = row.get("Result") or {}
        failures.append(ImageDeleteFailure(stock_item_id=result.get("InventoryItemId"),
                                           image_id=result.get("ImageId"),
                                           message=row.get("Message") or row.get("ResultStatus") or "not deleted"))
    return failures
