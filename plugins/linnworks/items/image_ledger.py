"""Which Linnworks image holds which `ImageRef`, and which images the writer put there: the image
ledger, and the image part of a plan.

Linnworks cannot tell who added an image: an image row holds Linnworks' own CDN URLs and checksums
of the bytes, nothing about its origin, and nothing on an item can carry a note but extended
properties, which are the customer's catalog (every channel can list them). So the writer keeps its
ledger outside Linnworks, in an `ImageLedger` it is given (pimflow keeps it in the profile's
staging): per item, one `LedgerEntry` per image the writer attached (or adopted), with the key of
the `ImageRef` it holds. Then:

- a desired image the ledger names, still on the item, is kept: nothing is downloaded or sent;
- a desired image it does not name is uploaded (or added by URL); first, an image of the item that
  no entry names and whose checksum is the MD5 of the image's bytes is adopted instead (a try
  stopped between attaching and recording, or a ledger lost);
- an image the ledger names that is no longer desired is deleted (`WriteOptions.delete_dropped_images`,
  on by default) when the writer attached it; an adopted one is forgotten and left on the item;
- an image no entry names is never deleted: a person added it, or another profile did.

Why a ledger of ids and not checksums alone: checksums cannot tell a person's upload of the same
picture from pimflow's, and an image removed from Akeneo has no bytes left to compare with. Why
adopted images are never deleted: adoption is a guess by checksum, which a person's copy of the
same picture would match too. So when the ledger is lost (a fresh Airflow home, another staging
location) nothing is deleted for want of it: the desired images are adopted by checksum (no second
upload) and images removed from Akeneo before the loss stay on the item, for a person to delete.
"""
from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from linnworks.api.models import ItemImage
from linnworks.items.desired import ImageRef

#: The extended property earlier pimflow versions kept the ledger in ("<digest>:<image id>;..."):
#: read once, for the entries, and deleted.
LEGACY_LEDGER_PROPERTY = "pimflow_images"


def key_digest(key: str) -> str:
    """16 hex characters of the key's SHA-1 (what the legacy property held; kept as the entry's key)."""
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class LedgerEntry:
    """One image of an item the writer knows: the `ImageRef` key it holds (as `key_digest`), its
    Linnworks image id, and whether the writer attached it (False: adopted by checksum)."""

    digest: str
    image_id: str
    attached: bool = True

    def to_json(self) -> dict:
        return {"key": self.digest, "image": self.image_id, "attached": self.attached}

    @classmethod
    def from_json(cls, data) -> "LedgerEntry | None":
        if not isinstance(data, dict) or not data.get("key") or not data.get("image"):
            return None
        return cls(str(data["key"]), str(data["image"]), data.get("attached") is not False)


class ImageLedger(Protocol):
    """Where the writer keeps its entries, by item (StockItemId, lower case)."""

    def entries(self, stock_item_ids: Iterable[str]) -> dict[str, list[LedgerEntry]]:
        """The entries of these items (items without any are left out)."""

    def save(self, entries: Mapping[str, list[LedgerEntry]]) -> None:
        """Replace these items' entries (an empty list forgets the item)."""


class MemoryImageLedger:
    """An `ImageLedger` in memory: one writer's runs, tests and benchmarks."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, list[LedgerEntry]] = {}

    def entries(self, stock_item_ids: Iterable[str]) -> dict[str, list[LedgerEntry]]:
        with self._lock:
            return {key: list(self._items[key]) for key in (i.lower() for i in stock_item_ids) if key in self._items}

    def save(self, entries: Mapping[str, list[LedgerEntry]]) -> None:
        with self._lock:
            for item_id, item_entries in entries.items():
                if item_entries:
                    self._items[item_id.lower()] = list(item_entries)
                else:
                    self._items.pop(item_id.lower(), None)


def parse_legacy_ledger(value: str | None) -> list[LedgerEntry]:
    """The legacy property's entries (all attached by the writer); malformed ones are ignored."""
    entries = []
    for part in (value or "").split(";"):
        digest, _, image_id = part.strip().partition(":")
        if digest and image_id:
            entries.append(LedgerEntry(digest, image_id))
    return entries


@dataclass(frozen=True)
class ImageAdd:
    ref: ImageRef
    digest: str
    position: int  # in the desired list; 0 is the main image


@dataclass
class ImagePlan:
    """Images to add, an existing image to make main, images to delete, and the ledger afterwards."""

    desired: list[tuple[str, ImageRef]]  # (digest, ref), duplicates of a key removed
    kept: dict[str, LedgerEntry]  # digest -> entry of a desired image already on the item
    adds: list[ImageAdd]
    set_main: str | None  # image id of a kept image that must become main
    leftovers: list[LedgerEntry]  # entries of images on the item that are no longer desired
    deletes: list[str]  # image ids of leftovers the writer attached (WriteOptions.delete_dropped_images)
    current_main: str | None
    read: list[LedgerEntry]  # the ledger as read
    # images no entry names, in Linnworks' order: (image id, its checksums in lower case)
    orphans: list[tuple[str, frozenset[str]]] = field(default_factory=list)
    present: frozenset[str] = frozenset()  # ids (lower case) of the item's images when it was read
    added: dict[str, LedgerEntry] = field(default_factory=dict)  # digest -> entry, filled while writing
    deleted: set[str] = field(default_factory=set)  # image ids, filled while writing
    _adopted: set[str] = field(default_factory=set, repr=False)

    @property
    def has_image_writes(self) -> bool:
        """Adds or a new main image (deletes are batched across items apart from these)."""
        return bool(self.adds or self.set_main)

    def adopt(self, checksum: str) -> str | None:
        """The first image no entry names whose checksum is `checksum` and that nothing adopted yet
        (so two desired images with the same bytes adopt two copies), or None."""
        checksum = checksum.lower()
        for image_id, checksums in self.orphans:
            if checksum in checksums and image_id not in self._adopted:
                self._adopted.add(image_id)
                return image_id
        return None

    def final_entries(self) -> list[LedgerEntry]:
        """The ledger after writing: desired images on the item (kept or added, in desired order),
        then the leftovers the writer attached and did not delete (adopted ones are forgotten)."""
        entries = [self.kept.get(digest) or self.added[digest] for digest, _ in self.desired
                   if digest in self.kept or digest in self.added]
        return entries + [entry for entry in self.leftovers if entry.attached and entry.image_id not in self.deleted]

    def ledger_changed(self) -> bool:
        return self.final_entries() != self.read


def plan_images(desired: tuple[ImageRef, ...], current: list[ItemImage], entries: list[LedgerEntry],
                delete_dropped: bool = True) -> ImagePlan:
    existing = {(image.pk_row_id or "").lower(): image for image in current if image.pk_row_id}
    recorded: dict[str, LedgerEntry] = {}
    for entry in entries:  # an entry counts only while its image exists: one deleted in Linnworks is added again
        if entry.image_id.lower() in existing and entry.digest not in recorded:
            recorded[entry.digest] = entry
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
    if wanted and wanted[0][0] in kept and kept[wanted[0][0]].image_id.lower() != (current_main or "").lower():
        set_main = kept[wanted[0][0]].image_id
    wanted_digests = {digest for digest, _ in wanted}
    leftovers = [entry for digest, entry in recorded.items() if digest not in wanted_digests]
    named = {entry.image_id.lower() for entry in recorded.values()}
    orphans = [(image.pk_row_id, image.checksums()) for image in current if adds  # only worth it with adds
               and image.pk_row_id and image.pk_row_id.lower() not in named and image.checksums()]
    return ImagePlan(desired=wanted, kept=kept, adds=adds, set_main=set_main, leftovers=leftovers,
                     deletes=[entry.image_id for entry in leftovers if entry.attached] if delete_dropped else [],
                     current_main=current_main, read=list(entries), orphans=orphans, present=frozenset(existing))
