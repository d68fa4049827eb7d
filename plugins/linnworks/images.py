"""Item images: add by URL, upload bytes through the Uploader then attach, choose the main one.

Adding an image is not idempotent (each call adds one more), so these calls are never resent once
they may have reached Linnworks (`Retry.NEVER`): a lost response surfaces as
`LinnworksServerError(maybe_committed=True)`; read `get_images` before trying again.
"""
from __future__ import annotations

from linnworks.errors import LinnworksError
from linnworks.models import AddedImage, ItemImage, PictureSource


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
        answer = self._call("Uploader/UploadFile", params={"type": "Image", "expiredInHours": 24},
                            files={"file": (filename, content, content_type)}, token_in_query=True)
        # The Uploader answers [{"FileId": guid, ...}] (one entry per uploaded file).
        first = answer[0] if isinstance(answer, list) and answer else answer
        file_id = first.get("FileId") if isinstance(first, dict) else None
        if not file_id:
            raise LinnworksError("Uploader/UploadFile answered without a FileId")
        attached = self._call("Inventory/UploadImagesToInventoryItem",
                              json={"inventoryItemId": stock_item_id, "imageIds": [file_id]})
        picture = PictureSource.model_validate((attached or [{}])[0])
        if is_main and picture.picture_id and not picture.is_main:
            self.set_main_image(stock_item_id, picture.picture_id)
            picture = picture.model_copy(update={"is_main": True})
        return picture

    def set_main_image(self, stock_item_id: str, image_id: str) -> None:
        """Mark one image as main (Linnworks does not reorder the others)."""
        self._call("Inventory/SetInventoryItemImageAsMain",
                   json={"inventoryItemId": stock_item_id, "mainImageId": image_id})
