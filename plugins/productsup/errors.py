"""Errors of the flat-format package: one base class, raised with what a person needs to act."""
from __future__ import annotations


class ProductsupError(Exception):
    """Base of every error raised by the `productsup` package."""


class MetadataError(ProductsupError):
    """The catalog metadata (attributes, channels, locales...) cannot be used as given."""


class ColumnError(ProductsupError):
    """A column name cannot address an attribute value; `reason` says why in plain words."""

    def __init__(self, column: str, reason: str):
        super().__init__(f"column {column!r}: {reason}")
        self.column = column
        self.reason = reason


class EncodeError(ProductsupError):
    """A product cannot be written in the flat format (for example an attribute code with `~`)."""


class FeedError(ProductsupError):
    """A feed file cannot be read or written (raised by the feed reader and writer)."""
