"""Which Linnworks image holds which `ImageRef`: the image ledger, and the image part of a plan.

Linnworks cannot tell us where an image came from: the image rows hold Linnworks' own CDN URLs,
and their checksum is of bytes we would have to download again to compare. So the writer records,
in one extended property of the item (`WriteOptions.image_ledger_property`), a short digest of each
image key it added with the image's pkRowId: `"<digest>:<image id>;..."`, desired order first.
An entry counts only while its image still exists, so an image deleted in Linnworks is added again.
Images pimflow did not add are left alone.

The ledger is written once a batch's images are attached. A try stopped in between (a killed
worker) leaves attached images the ledger does not name: before uploading, the writer compares every
image's bytes (MD5) with those images' `CheckSumValue` and adopts a match instead of attaching it
twice, each unnamed image once (two desired images with the same bytes adopt two copies). Within a
try, an attach whose answer is lost is read back the same way before anything is sent again
(`linnworks.api.images`), against the images the item had when it was read (`present`).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from linnworks.api.models import ItemImage
from linnworks.items.desired import ImageRef

_ENTRY_SEPARATOR = ";"
_PAIR_SEPARATOR = ":"


def key_digest(key: str) -> str:
    """16 hex characters of the key's SHA-1: short enough for many images in one property value."""
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def parse_ledger(value: str | None) -> list[tuple[str, str]]:
    """(digest, image id) pairs; malformed entries are ignored (they were written by someone else)."""
    pairs = []
    for entry in (value or "").split(_ENTRY_SEPARATOR):
        digest, _, image_id = entry.strip().partition(_PAIR_SEPARATOR)
        if digest and image_id:
            pairs.append((digest, image_id))
    return pairs


def format_ledger(pairs: list[tuple[str, str]]) -> str:
    return _ENTRY_SEPARATOR.join(f"{digest}{_PAIR_SEPARATOR}{image_id}" for digest, image_id in pairs)


@dataclass(frozen=True)
class ImageAdd:
    ref: ImageRef
    digest: str
    position: int  # in the desired list; 0 is the main image


@dataclass
class ImagePlan:
    """Images to add, an existing image to make main, and the ledger to write afterwards."""

    desired: list[tuple[str, ImageRef]]  # (digest, ref), duplicates of a key removed
    kept: dict[str, str]  # digest -> image id of desired images already in Linnworks
    adds: list[ImageAdd]
    set_main: str | None  # image id of a kept image that must become main
    leftovers: list[tuple[str, str]]  # ledger entries no longer desired
    deletes: list[str]  # image ids of leftovers to delete (WriteOptions.delete_dropped_images)
    current_main: str | None
    ledger_value: str | None  # the ledger as read (None: no ledger property yet)
    # checksum (lower case) -> ids of current images the ledger does not name (see the module doc)
    orphans: dict[str, list[str]] = field(default_factory=dict)
    present: frozenset[str] = frozenset()  # ids (lower case) of the item's images when it was read
    added: dict[str, str] = field(default_factory=dict)  # digest -> image id, filled while writing
    deleted: set[str] = field(default_factory=set)  # image ids, filled while writing

    @property
    def has_image_writes(self) -> bool:
        """Adds or a new main image (deletes are batched across items apart from these)."""
        return bool(self.adds or self.set_main)

    def final_ledger(self) -> str:
        """The ledger after writing: desired images that exist (kept or added), then leftovers."""
        pairs = [(digest, self.kept.get(digest) or self.added[digest]) for digest, _ in self.desired
                 if digest in self.kept or digest in self.added]
        return format_ledger(pairs + [(d, i) for d, i in self.leftovers if i not in self.deleted])

    def ledger_changed(self) -> bool:
        return self.final_ledger() != (self.ledger_value or "")


def plan_images(desired: tuple[ImageRef, ...], current: list[ItemImage], ledger_value: str | None,
                delete_dropped: bool = False) -> ImagePlan:
    existing = {(image.pk_row_id or "").lower(): image for image in current if image.pk_row_id}
    recorded: dict[str, str] = {}
    for digest, image_id in parse_ledger(ledger_value):
        if image_id.lower() in existing and digest not in recorded:
            recorded[digest] = existing[image_id.lower()].pk_row_id
    wanted: list[tuple[str, ImageRef]] = []
    for ref in desired:
        digest = key_digest(ref.key)
        if all(digest != seen for seen, _ in wanted):
            wanted.append((digest, ref))
    kept = {digest: recorded[digest] for digest, _ in wanted if digest in recorded}
    adds = [ImageAdd(ref, digest, position) for position, (digest, ref) in enumerate(wanted)
            if digest not in kept]
    current_main = next((image.pk_row_id for image in current if image.is_main), None)
    set_main = None
    if wanted and wanted[0][0] in kept and kept[wanted[0][0]].lower() != (current_main or "").lower():
        set_main = kept[wanted[0][0]]
    wanted_digests = {digest for digest, _ in wanted}
    leftovers = [(digest, image_id) for digest, image_id in recorded.items() if digest not in wanted_digests]
    named = {image_id.lower() for image_id in recorded.values()}
    orphans: dict[str, list[str]] = {}
    for image in current if adds else ():  # in Linnworks' order: the first copy is adopted first
        if image.checksum and image.pk_row_id and image.pk_row_id.lower() not in named:
            orphans.setdefault(image.checksum.lower(), []).append(image.pk_row_id)
    return ImagePlan(desired=wanted, kept=kept, adds=adds, set_main=set_main, leftovers=leftovers,
                     deletes=[image_id for _, image_id in leftovers] if delete_dropped else [],
                     current_main=current_main, ledger_value=ledger_value, orphans=orphans,
                     present=frozenset(existing))
