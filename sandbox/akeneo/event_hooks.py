"""Where writes meet the Event Platform: a write that changed the catalog publishes its event.

Akeneo emits an event when it saves a change, so an unchanged PATCH (204 with nothing new) or a
refused one emits nothing: the catalog's `version` (bumped on every stored change) tells which.
A product model's change reaches its variants' values in the answers, but only the model's own
event is emitted. Replacing the whole catalog (`POST /_sandbox/catalog`) is a reset, not a change
in the PIM: it emits nothing.
"""
from __future__ import annotations

from typing import Callable, Optional

from sandbox.akeneo.deletes import delete_model, delete_product
from sandbox.akeneo.state import ProductModelRecord, ProductRecord


def product_write(sandbox, write: Callable[[], tuple[ProductRecord, bool]],
                  author: Optional[dict] = None) -> tuple[ProductRecord, bool]:
    """Run `write` (returns (record, created)); publish product.created/updated if it changed anything."""
    return _published(sandbox, write, lambda record, change, who: sandbox.events.product_changed(record.uuid, change, who),
                      author)


def model_write(sandbox, write: Callable[[], tuple[ProductModelRecord, bool]],
                author: Optional[dict] = None) -> tuple[ProductModelRecord, bool]:
    """Run `write`; publish product-model.created/updated if it changed anything."""
    return _published(sandbox, write, lambda record, change, who: sandbox.events.model_changed(record.code, change, who),
                      author)


def _published(sandbox, write, publish, author: Optional[dict]):
    """`write`'s (record, created), and `publish(record, "created" | "updated", author)` when the
    catalog's version moved (a stored change)."""
    before = sandbox.state.version
    record, created = write()
    if sandbox.state.version != before:
        publish(record, "created" if created else "updated", author or sandbox.events.api_author())
    return record, created


def product_delete(sandbox, record: ProductRecord, author: Optional[dict] = None) -> None:
    delete_product(sandbox.state, record)
    sandbox.events.product_changed(record.uuid, "deleted", author or sandbox.events.api_author())


def model_delete(sandbox, code: str, author: Optional[dict] = None) -> tuple[list[str], list[str]]:
    """Delete a model and what is below it; one deleted event for each entity that went."""
    models, products = delete_model(sandbox.state, code)
    author = author or sandbox.events.api_author()
    for model in models:
        sandbox.events.model_changed(model, "deleted", author)
    for product in products:
        sandbox.events.product_changed(product, "deleted", author)
    return models, products
