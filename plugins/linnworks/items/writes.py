"""Carry out item plans in the fewest calls: bulk add, then item fields, rows and images side by
side (a lane per method), then extended properties, and last the image ledger (it needs the ids of
the images just added; it is pimflow's, kept outside Linnworks: see `image_ledger`).

Images set a sync's wall time, so they get a pipeline of their own beside the lanes: every image
is fetched as a task of its own, and the fetch that completes an item's set uploads them all in one
Uploader call, attaches them in one more (then fixes the main image). Threads wait on the quota, never on each other:
with enough of them in flight a load is bound by Linnworks' quotas, not by network latency.
"""
from __future__ import annotations

import hashlib
import mimetypes
import posixpath
import threading
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from urllib.parse import urlparse

from linnworks.api.batching import chunked
from linnworks.api.client import LinnworksClient
from linnworks.api.endpoints import ADD_ITEMS_BATCH, ROWS_BATCH
from linnworks.api.errors import LinnworksError
from linnworks.api.models import NewStockItem
from linnworks.common.lanes import DATA_ERRORS, FATAL_ERRORS, Task, batch_tasks, run_lanes
from linnworks.common.report import Tally
from linnworks.items.desired import DesiredItem, ImageMode, WriteOptions
from linnworks.items.image_ledger import ImageAdd, ImageLedger, LedgerEntry, MemoryImageLedger
from linnworks.items.plan import (
    ADD_IMAGE,
    ADD_ITEMS,
    ATTACH_UPLOADS,
    DELETE_IMAGES,
    SET_MAIN_IMAGE,
    UPDATE_FIELD,
    UPDATE_ITEM,
    UPLOAD_FILE,
    ItemPlan,
    RowKind,
    plan_item,
)

GET_ITEM = "Inventory/GetInventoryItemById"
# An item's images go to the Uploader together, this many files a call at most (an item rarely has
# more; it bounds the bytes one call carries)
UPLOAD_FILES_PER_CALL = 10
_CHANNEL_KINDS = {RowKind.PRICES: "prices", RowKind.TITLES: "titles", RowKind.DESCRIPTIONS: "descriptions"}


class PlanWriter:
    """Writes plans for one `LinnworksWriter.write` call; outcomes go to `tally`."""

    def __init__(self, client: LinnworksClient, options: WriteOptions, tally: Tally, workers: int,
                 category_ids: dict[str, str] | None = None, image_workers: int | None = None,
                 image_ledger: ImageLedger | None = None):
        self.client = client
        self.options = options
        self.tally = tally
        self.workers = workers
        self.image_workers = image_workers or workers
        self.category_ids = category_ids or {}
        self.image_ledger = image_ledger if image_ledger is not None else MemoryImageLedger()

    def run(self, plans: list[ItemPlan], desired: dict[str, DesiredItem]) -> list[ItemPlan]:
        """Write the plans; returns those that were written (new items as created)."""
        plans = self._create_items(plans, desired)
        for plan in plans:
            if plan.field_route == UPDATE_ITEM:
                self.tally.needs(GET_ITEM, 1)
                self.tally.needs(UPDATE_ITEM, 1)
            elif plan.field_route:
                self.tally.needs(UPDATE_FIELD, len(plan.fields))
        lanes: dict[str, list[Task]] = {route: [lambda plan=plan: self._write_fields(plan)
                                                for plan in plans if plan.field_route == route]
                                        for route in (UPDATE_FIELD, UPDATE_ITEM)}
        for kind, noun in _CHANNEL_KINDS.items():
            self._row_lanes(lanes, kind, plans, lambda verb, noun=noun: getattr(self.client, f"{verb}_{noun}"))
        lanes[DELETE_IMAGES] = self._image_delete_tasks(plans)
        with ImagePipeline(self, self.image_workers) as images:
            for plan in plans:
                if plan.images is not None and plan.images.has_image_writes:
                    images.start(plan)
            run_lanes(lanes, self.workers)
        run_lanes(self._property_lanes(plans), self.workers)
        self._record_images(plans)
        return plans

    def _record_images(self, plans: list[ItemPlan]) -> None:
        """The image ledger of every item whose images changed (added, adopted, deleted, gone)."""
        changed = {plan.stock_item_id.lower(): plan.images.final_entries() for plan in plans
                   if plan.images is not None and plan.images.ledger_changed()}
        if changed:
            self.image_ledger.save(changed)

    # -- items ------------------------------------------------------------------------------------
    def _create_items(self, plans: list[ItemPlan], desired: dict[str, DesiredItem]) -> list[ItemPlan]:
        """AddInventoryItemBulk for the new SKUs (≤ 200 a call, every header field at once)."""
        new = [plan for plan in plans if plan.is_new]
        self.tally.needs(ADD_ITEMS, len(new))
        created: dict[str, str] = {}
        run_lanes({"add": [lambda batch=batch: self._add_batch(batch, created)
                           for batch in chunked(new, ADD_ITEMS_BATCH)]}, self.workers)
        kept = []
        for plan in plans:
            if not plan.is_new:
                kept.append(plan)
            elif plan.sku in created:
                stock_item_id = created[plan.sku]
                if stock_item_id.lower() != plan.stock_item_id.lower():  # Linnworks chose its own id
                    plan = plan_item(desired[plan.sku], None, stock_item_id, self.options, self.category_ids)
                kept.append(plan)
        return kept

    def _add_batch(self, batch: list[ItemPlan], created: dict[str, str]) -> None:
        items = [NewStockItem(item_number=plan.sku, stock_item_id=plan.stock_item_id,
                              **{change.spec.attr: change.new for change in plan.fields}) for plan in batch]
        sent = {item.item_number: item.wire() for item in items}
        self.tally.called(ADD_ITEMS)
        try:
            result = self.client.add_items(items)
        except DATA_ERRORS as exc:
            self.tally.refuse_error(sent, ADD_ITEMS, exc, sent)
            return
        for failure in result.failed:
            self.tally.refuse([failure.sku], ADD_ITEMS, failure.message, sent)
        created.update(result.added)
        self.tally.wrote(result.added)

    def _write_fields(self, plan: ItemPlan) -> None:
        sku, item_id = plan.sku, plan.stock_item_id
        if plan.field_route == UPDATE_ITEM:
            # A full replace: the client reads the item, merges and writes it whole.
            changes = {change.spec.attr: change.new for change in plan.fields}
            self.tally.called(GET_ITEM)
            self.tally.called(UPDATE_ITEM)
            try:
                self.client.update_item(item_id, **changes)
                self.tally.wrote([sku])
            except DATA_ERRORS as exc:
                self.tally.refuse_error([sku], getattr(exc, "method", UPDATE_ITEM), exc, {sku: changes})
            return
        for change in plan.fields:
            self.tally.called(UPDATE_FIELD)
            try:
                self.client.update_item_field(item_id, change.spec.column, change.new)
                self.tally.wrote([sku])
            except DATA_ERRORS as exc:  # the other fields are still worth writing
                sent = {"fieldName": change.spec.column.value, "fieldValue": str(change.new)}
                self.tally.refuse_error([sku], UPDATE_FIELD, exc, {sku: sent})

    # -- rows -------------------------------------------------------------------------------------
    def _row_lanes(self, lanes: dict[str, list[Task]], kind: RowKind, plans: list[ItemPlan], method) -> None:
        split = self.options.split_refused_batches
        for verb in ("Create", "Update"):
            rows = [(plan.sku, row) for plan in plans
                    for row in getattr(plan.rows[kind], "creates" if verb == "Create" else "updates")]
            endpoint = kind.endpoint(verb)
            self.tally.needs(endpoint, len(rows))
            lanes[endpoint] = batch_tasks(endpoint, rows, ROWS_BATCH, method(verb.lower()), self.tally,
                                          wire=lambda row: row.wire(), split=split)
        deletes = [(plan.sku, row_id) for plan in plans for row_id in plan.rows[kind].deletes]
        endpoint = kind.endpoint("Delete")
        self.tally.needs(endpoint, len(deletes))
        lanes[endpoint] = batch_tasks(endpoint, deletes, ROWS_BATCH, method("delete"), self.tally, split=split)

    def _property_lanes(self, plans: list[ItemPlan]) -> dict[str, list[Task]]:
        """Extended properties; deletes are one call per item."""
        creates, updates, lanes = [], [], {}
        kind, deletes = RowKind.PROPERTIES, []
        for plan in plans:
            changes = plan.rows[kind]
            creates += [(plan.sku, row) for row in changes.creates]
            updates += [(plan.sku, row) for row in changes.updates]
            if changes.deletes:
                deletes.append(lambda plan=plan: self._delete_properties(plan))
        split = self.options.split_refused_batches
        for verb, rows, send in (("Create", creates, self.client.create_extended_properties),
                                 ("Update", updates, self.client.update_extended_properties)):
            endpoint = kind.endpoint(verb)
            self.tally.needs(endpoint, len(rows))
            lanes[endpoint] = batch_tasks(endpoint, rows, ROWS_BATCH, send, self.tally,
                                          wire=lambda row: row.wire(), split=split)
        self.tally.needs(kind.endpoint("Delete"), len(deletes))
        lanes[kind.endpoint("Delete")] = deletes
        return lanes

    def _delete_properties(self, plan: ItemPlan) -> None:
        endpoint, row_ids = RowKind.PROPERTIES.endpoint("Delete"), plan.rows[RowKind.PROPERTIES].deletes
        self.tally.called(endpoint)
        try:
            self.client.delete_extended_properties(plan.stock_item_id, row_ids)
            self.tally.wrote([plan.sku])
        except DATA_ERRORS as exc:
            self.tally.refuse_error([plan.sku], endpoint, exc, {plan.sku: row_ids})

    # -- images (run by ImagePipeline) ------------------------------------------------------------
    def _add_by_url(self, plan: ItemPlan, add: ImageAdd, item: "_ItemImages") -> None:
        if plan.images.orphans and add.ref.fetch is not None:
            # the item has images the ledger does not name: one may be this image (same bytes)
            content = self._fetched_or_none(add)
            if content and self._adopt(plan, add, content, item):
                return
        sent = {"ImageUrl": add.ref.url, "IsMain": add.position == 0}
        self.tally.called(ADD_IMAGE)
        # the item's adds by URL go one at a time: an image it did not have is this add's, should its answer be lost
        try:
            answer = self.client.add_image_by_url(plan.stock_item_id, add.ref.url, is_main=add.position == 0,
                                                  present=_present(plan))
        except DATA_ERRORS as exc:
            self.tally.refuse_error([plan.sku], ADD_IMAGE, exc, {plan.sku: sent})
            return
        if answer.image_id:
            plan.images.added[add.digest] = LedgerEntry(add.digest, answer.image_id)
            self.tally.wrote([plan.sku])
        else:  # added, but without an id the ledger cannot record it: the next run would add it again
            self.tally.refuse([plan.sku], ADD_IMAGE, "answered without an ImageId", {plan.sku: sent})

    @staticmethod
    def _fetched_or_none(add: ImageAdd) -> bytes | None:
        try:
            return add.ref.fetch()
        except Exception:  # noqa: BLE001 - only a chance to adopt: the image is added by URL instead
            return None

    def _adopt(self, plan: ItemPlan, add: ImageAdd, content: bytes, item: "_ItemImages") -> bool:
        """Take an image of the item that no ledger entry names and that has these bytes as this
        image (an earlier try attached it and stopped before its ledger was written, or the ledger
        was lost): recorded as adopted, so it is never deleted (it could be a person's copy)."""
        with item.lock:
            adopted = plan.images.adopt(hashlib.md5(content).hexdigest())
            if adopted is None:
                return False
            plan.images.added[add.digest] = LedgerEntry(add.digest, adopted, attached=False)
            if add.position == 0 and adopted.lower() != (plan.images.current_main or "").lower():
                item.adopted_main = adopted
            return True

    def _fetch_one(self, plan: ItemPlan, add: ImageAdd, item: "_ItemImages") -> None:
        """Fetch one image's bytes for the item's upload (or adopt a copy already on the item)."""
        sku = plan.sku
        try:
            content = add.ref.fetch() if add.ref.fetch else None
        except Exception as exc:  # noqa: BLE001 - the profile's fetch failing is this SKU's problem only
            content, problem = None, f"{type(exc).__name__}: {exc}"
        else:
            problem = "no bytes to upload"
        if not content:
            self.tally.refuse([sku], UPLOAD_FILE, f"image {add.ref.key!r}: {problem}", {sku: add.ref.key})
            return
        if not self._adopt(plan, add, content, item):
            with item.lock:
                item.fetched.append((add, content))

    def _upload_fetched(self, plan: ItemPlan, item: "_ItemImages") -> None:
        """Upload the item's fetched images, up to UPLOAD_FILES_PER_CALL in one Uploader call."""
        sku = plan.sku
        fetched = sorted(item.fetched, key=lambda pair: pair[0].position)
        item.fetched = []
        for start in range(0, len(fetched), UPLOAD_FILES_PER_CALL):
            batch = fetched[start:start + UPLOAD_FILES_PER_CALL]
            files = []
            for add, content in batch:
                name, content_type = _file_name_and_type(add)
                files.append((name, content, content_type))
            self.tally.called(UPLOAD_FILE)
            try:
                file_ids = self.client.upload_files(files)
            except LinnworksError as exc:  # includes an answer without a FileId
                if isinstance(exc, FATAL_ERRORS):
                    raise
                self.tally.refuse_error([sku], UPLOAD_FILE, exc, {sku: [add.ref.key for add, _ in batch]})
                continue
            item.uploaded.extend((add, file_id, hashlib.md5(content).hexdigest())
                                 for (add, content), file_id in zip(batch, file_ids))

    def _attach(self, plan: ItemPlan, item: "_ItemImages") -> str | None:
        """Attach an item's uploaded files in one call, in desired order; returns the new main
        image's id when the main image was among them and Linnworks did not flag it main itself.
        Should the answer be lost, the client finds the files that landed by their checksum among
        the images the item did not have before (the ones read, plus those adopted or added since)."""
        uploaded = sorted(item.uploaded, key=lambda entry: entry[0].position)
        if not uploaded:
            return item.adopted_main
        sku = plan.sku
        self.tally.needs(ATTACH_UPLOADS, 1)
        self.tally.called(ATTACH_UPLOADS)
        file_ids = [file_id for _, file_id, _ in uploaded]
        try:
            pictures = self.client.attach_uploaded_images(plan.stock_item_id, file_ids,
                                                          checksums=[checksum for _, _, checksum in uploaded],
                                                          present=_present(plan))
        except DATA_ERRORS as exc:
            self.tally.refuse_error([sku], ATTACH_UPLOADS, exc, {sku: {"imageIds": file_ids}})
            return None
        self.tally.wrote([sku])
        main_id = item.adopted_main
        for (add, _, _), picture in zip(uploaded, pictures):
            if picture.picture_id:
                plan.images.added[add.digest] = LedgerEntry(add.digest, picture.picture_id)
                if add.position == 0 and not picture.is_main:
                    main_id = picture.picture_id
        return main_id

    def _set_main(self, plan: ItemPlan, main_id: str | None) -> None:
        if not main_id:
            return
        self.tally.needs(SET_MAIN_IMAGE, 1)
        self.tally.called(SET_MAIN_IMAGE)
        try:
            self.client.set_main_image(plan.stock_item_id, main_id)
            self.tally.wrote([plan.sku])
        except DATA_ERRORS as exc:
            self.tally.refuse_error([plan.sku], SET_MAIN_IMAGE, exc, {plan.sku: {"mainImageId": main_id}})

    def _image_delete_tasks(self, plans: list[ItemPlan]) -> list[Task]:
        """Images pimflow added that are no longer desired, ≤ 200 a call across items."""
        owners = {image_id: plan for plan in plans if plan.images is not None for image_id in plan.images.deletes}
        rows = [(plan.sku, (plan.stock_item_id, image_id)) for image_id, plan in owners.items()]
        self.tally.needs(DELETE_IMAGES, len(rows))

        def send(batch: list[tuple[str, str]]) -> None:
            by_item: dict[str, list[str]] = {}
            for item_id, image_id in batch:
                by_item.setdefault(item_id, []).append(image_id)
            failures = self.client.delete_images(by_item)
            named = {failure.image_id.lower(): failure for failure in failures if failure.image_id}
            # A failure that names no image could be any of them: keep all in the ledger (a repeat is safe).
            unnamed = next((failure for failure in failures if not failure.image_id), None)
            for _, image_id in batch:
                plan, failure = owners[image_id], named.get(image_id.lower()) or unnamed
                if failure is None:
                    plan.images.deleted.add(image_id)
                else:
                    self.tally.refuse([plan.sku], DELETE_IMAGES, failure.message, {plan.sku: {"ImageIds": [image_id]}})

        return batch_tasks(DELETE_IMAGES, rows, ROWS_BATCH, send, self.tally, split=self.options.split_refused_batches)


class _ItemImages:
    """One item's images in flight: the fetches still running, the bytes they got, the files uploaded."""

    def __init__(self, pending: int):
        self.lock = threading.Lock()
        self.pending = pending
        self.fetched: list[tuple[ImageAdd, bytes]] = []
        self.uploaded: list[tuple[ImageAdd, str, str]] = []  # (image, FileId, MD5 of its bytes)
        self.adopted_main: str | None = None

    def one_done(self) -> bool:
        """Count a fetch as finished; True for the one that finished the item's set."""
        with self.lock:
            self.pending -= 1
            return self.pending == 0


class ImagePipeline:
    """Images written on a pool of their own, beside the other lanes: each item starts with its URL
    adds (in desired order), each fetch is a task of its own, and the last fetch of an item uploads,
    attaches the set and fixes the main image. An error that is not about one SKU (auth, a quota
    that never came back) stops the pipeline and is raised when it closes."""

    def __init__(self, writer: PlanWriter, workers: int):
        self.writer = writer
        self.pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="linnworks-images")
        self.futures: list[Future] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()

    def __enter__(self) -> "ImagePipeline":
        return self

    def __exit__(self, *exc_info) -> None:
        if exc_info[1] is not None:  # the lanes failed: start no more images
            self.stop.set()
        try:
            while True:
                with self.lock:
                    pending = [future for future in self.futures if not future.done()]
                if not pending:
                    break
                wait(pending, return_when=FIRST_EXCEPTION)
                if any(future.done() and future.exception() for future in pending):
                    self.stop.set()
        finally:
            self.pool.shutdown(wait=True)
        if exc_info[1] is None:
            errors = [future.exception() for future in self.futures if future.exception() is not None]
            if errors:
                raise errors[0]

    def _submit(self, task) -> None:
        def guarded() -> None:
            if not self.stop.is_set():
                task()
        with self.lock:
            self.futures.append(self.pool.submit(guarded))

    def start(self, plan: ItemPlan) -> None:
        writer, images = self.writer, plan.images
        by_url = writer.options.image_mode is ImageMode.URL
        url_adds = [add for add in images.adds if by_url and add.ref.url]
        uploads = [add for add in images.adds if not (by_url and add.ref.url)]
        writer.tally.needs(ADD_IMAGE, len(url_adds))
        writer.tally.needs(UPLOAD_FILE, len(uploads))  # units are images; calls are per item
        item = _ItemImages(len(uploads))

        def begin() -> None:
            for add in url_adds:
                writer._add_by_url(plan, add, item)
            if not uploads:
                writer._set_main(plan, item.adopted_main or images.set_main)
                return
            for add in uploads:
                self._submit(lambda add=add: fetch(add))

        def fetch(add: ImageAdd) -> None:
            try:
                writer._fetch_one(plan, add, item)
            finally:
                last = item.one_done()
            if last:
                writer._upload_fetched(plan, item)
                writer._set_main(plan, writer._attach(plan, item) or images.set_main)

        self._submit(begin)


def _present(plan: ItemPlan) -> set[str]:
    """Ids (lower case) of the item's images before this image's call: those read, plus those
    added or adopted since (what an image that lands can never be)."""
    return set(plan.images.present) | {entry.image_id.lower() for entry in plan.images.added.values()}


def _file_name_and_type(add: ImageAdd) -> tuple[str, str]:
    """A file name for the Uploader from the URL or the key, and its content type."""
    name = posixpath.basename(urlparse(add.ref.url).path) if add.ref.url else ""
    name = name or posixpath.basename(add.ref.key.replace("\\", "/")) or f"image-{add.digest}"
    return name, mimetypes.guess_type(name)[0] or "application/octet-stream"
