"""Item images: add by URL, upload bytes through the Uploader then attach, choose the main one.

Adding an image is not idempotent (each call adds one more), so these calls are never resent once
they may have reached Linnworks (`Retry.NEVER`): a lost response surfaces as
`LinnworksServerError(maybe_committed=True)`; read `get_images` before trying again.
"""
from __future__ import annotations

import logging

from linnworks.api.errors import LinnworksError
from linnworks.api.models import AddedImage, ImageDeleteFailure, ItemImage, PictureSource

log = logging.getLogger(__name__)

_DELETED = {"SUCCESSFUL", "PARTIALLY_SUCCESSFUL"}


class ImageCalls:
    """Mixed into `LinnworksClient`, which provides `_call`."""

    def get_images(self, stock_item_id: str) -> list[ItemImage]:
        answer = self._call("Inventory/GetInventoryItemImages", params={"inventoryItemId": stock_item_id})
        return [ItemImage.model_validate(row) for row in answer or []]

    def add_image_by_url(self, stock_item_id: str, url: str, is_main: bool = False) -> AddedImage:
        """Linnworks fetches `url` itself, so it must be reachable from Linnworks' servers."""
        answer = self._call("Inventory/AddImageToInventoryItem", json={
            "request": {"StockItemId": stock_item_id, "ImageUrl": url, "IsMain": is_main}})
        return AddedImage.model_validate(answer or {})

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
        if len(files) > 1 and getattr(self, "_one_file_per_upload", False) is False:
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

    def attach_uploaded_images(self, stock_item_id: str, file_ids: list[str]) -> list[PictureSource]:
        """Attach uploaded files to an item in one call; one PictureSource per file, in order."""
        attached = self._call("Inventory/UploadImagesToInventoryItem",
                              json={"inventoryItemId": stock_item_id, "imageIds": list(file_ids)})
        return [PictureSource.model_validate(row) for row in attached or []]

    def set_main_image(self, stock_item_id: str, image_id: str) -> None:
        """Mark one image as main (Linnworks does not reorder the others)."""
        self._call("Inventory/SetInventoryItemImageAsMain",
                   json={"inventoryItemId": stock_item_id, "mainImageId": image_id})

    def delete_images(self, image_ids_by_item: dict[str, list[str]]) -> list[ImageDeleteFailure]:
        """Delete images of several items in one call (DeleteInventoryItemImageBulk); returns the
        images Linnworks did not delete. The call's batch limit is undocumented: send ≤ 200 images."""
        request = [{"InventoryItemId": item_id, "ImageIds": list(image_ids)}
                   for item_id, image_ids in image_ids_by_item.items() if image_ids]
        if not request:
            return []
        answer = self._call("Inventory/DeleteInventoryItemImageBulk", json={"request": request})
        # BatchedAPIResponse: {"Results": [{"Result": {InventoryItemId, ItemNumber, ImageId},
        # "ResultStatus", "Message"}]}, 2xx even when some images failed.
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
