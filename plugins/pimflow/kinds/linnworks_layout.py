"""A `linnworks` target's settings → an internal mapping over flat rows, and mapped rows → `DesiredItem`s.

The profile's own `mapping` stays empty for this target: its columns come from the settings, named
for what they fill (`title`, `retail_price`, `price[AMAZON/Amazon UK]`, `property[ak_material]`,
`image[0]`...), so a mapped row reads like the Linnworks item it describes.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from linnworks.items.desired import DesiredItem, ImageRef
from productsup.associations import association_column
from productsup.cells import split_values
from productsup.columns import has_suffix_of
from pimflow.mapping import MappedColumn, Mapping, MappingContext, MappingResult, apply_mapping

if TYPE_CHECKING:
    import pandas as pd  # only for annotations: building a DAG must not import pandas

#: Linnworks unit settings → UN/CEFACT codes the unit converter knows, and the decimals kept
LENGTH_UNITS = {"cm": ("CMT", 2), "mm": ("MMT", 1)}
WEIGHT_UNITS = {"kg": ("KGM", 3), "g": ("GRM", 1)}
#: flat columns that describe the product rather than hold an attribute value
RECORD_COLUMNS = frozenset({"uuid", "family", "family_variant", "categories", "enabled", "parent", "groups"})
MEDIA_PATH = "/api/rest/v1/media-files/"
VALUE_SEPARATOR = "<###>"  # between the SKUs of a `requires[...]` cell


@dataclass(frozen=True)
class Role:
    """What one output column fills: a field, a channel row, an extended property or an image."""

    kind: str  # field | channel_price | channel_title | channel_description | property | image | requires
    key: object = None  # field name, (Source, SubSource), property name, image position, or a label


@dataclass(frozen=True)
class Layout:
    mapping: Mapping
    roles: dict[str, Role]

    def apply(self, frame: pd.DataFrame, context: MappingContext | None) -> MappingResult:
        return apply_mapping(self.mapping, frame, context)


def channel_label(source: str, subsource: str) -> str:
    return f"{source}/{subsource}"


def build_layout(settings, columns: Iterable[str], identifier: str = "sku",
                 resolve: Callable[[str, list[str]], str] | None = None,
                 is_attribute: Callable[[str], bool] | None = None) -> Layout:
    """The internal mapping for one chunk's columns (they matter for `all_attributes` and lists)."""
    columns = list(columns)
    out: list[MappedColumn] = []
    roles: dict[str, Role] = {}

    def add(name: str, role: Role, **column) -> None:
        if name in roles:
            raise ValueError(f"two settings both fill {name!r}; keep one")
        out.append(MappedColumn(name=name, **column))
        roles[name] = role

    add("sku", Role("field", "sku"), **{"from": identifier, "required": True})
    for title in settings.titles:
        if title.to == "item":
            add("title", Role("field", "title"), **{"from": title.attribute})
        else:
            key = (title.source, title.subsource)
            add(f"title[{channel_label(*key)}]", Role("channel_title", key), **{"from": title.attribute})
    for description in settings.descriptions:
        if description.to == "metadata":
            add("metadata", Role("field", "metadata"), **{"from": description.attribute})
        else:
            key = (description.source, description.subsource)
            add(f"description[{channel_label(*key)}]", Role("channel_description", key),
                **{"from": description.attribute})
    for price in settings.prices:
        amount = {"from": price.attribute, "currency": price.currency, "round": 2}
        if price.to == "channel":
            key = (price.source, price.subsource)
            add(f"price[{channel_label(*key)}]", Role("channel_price", key), **amount)
        else:
            add(f"{price.to}_price", Role("field", f"{price.to}_price"), **amount)
    length_unit, length_round = LENGTH_UNITS[settings.units.length]
    weight_unit, weight_round = WEIGHT_UNITS[settings.units.weight]
    for name in ("width", "height", "depth", "weight"):
        attribute = getattr(settings.dimensions, name)
        if attribute:
            unit, decimals = (weight_unit, weight_round) if name == "weight" else (length_unit, length_round)
            add(name, Role("field", name), **{"from": attribute, "unit": unit, "round": decimals, "type": "decimal"})
    if settings.barcode:
        add("barcode", Role("field", "barcode"), **{"from": settings.barcode})
    if settings.extended_properties is not None:
        for column in property_columns(settings.extended_properties, columns, identifier, resolve, is_attribute):
            add(f"property[{settings.extended_properties.prefix}{column}]",
                Role("property", settings.extended_properties.prefix + column), **{"from": column})
    if settings.images is not None:
        for position, attribute in enumerate([settings.images.main, *settings.images.others]):
            add(f"image[{position}]", Role("image", position), **{"from": attribute})
    return Layout(Mapping(columns=out), roles)


#: columns of an item row that fill a field of the item (the layout's and those transform adds)
ITEM_FIELDS = frozenset({"sku", "title", "metadata", "barcode", "retail_price", "purchase_price",
                         "width", "height", "depth", "weight", "category"})
_BRACKETED = {"title": "channel_title", "description": "channel_description", "price": "channel_price",
              "property": "property", "image": "image", "requires": "requires"}


def item_roles(columns: Iterable[str]) -> dict[str, Role]:
    """The role of each column of a staged item row, read from its name (`title`, `price[AMAZON/Amazon
    UK]`, `property[ak_material]`, `image[0]`, `requires[related products]`...): load needs no layout."""
    roles: dict[str, Role] = {}
    for column in columns:
        if column in ITEM_FIELDS:
            roles[column] = Role("field", column)
            continue
        name, bracket, inner = column.partition("[")
        kind = _BRACKETED.get(name)
        if not bracket or kind is None or not inner.endswith("]"):
            raise ValueError(f"{column!r} is not a column of a Linnworks item row")
        inner = inner[:-1]
        if kind.startswith("channel_"):
            source, _, subsource = inner.partition("/")
            roles[column] = Role(kind, (source, subsource))
        else:
            roles[column] = Role(kind, int(inner) if kind == "image" else inner)
    return roles


def property_columns(settings, columns: list[str], identifier: str, resolve, is_attribute) -> list[str]:
    """The flat columns that become extended properties (each named by its flat address)."""
    if settings.all_attributes:
        return [c for c in columns if c != identifier and c not in RECORD_COLUMNS and not c.startswith("#")
                and association_column(c, None) is None and (is_attribute is None or is_attribute(c))]
    chosen: list[str] = []
    for name in settings.attributes:
        column = resolve(name, columns) if resolve else name
        if column in columns:
            chosen.append(column)
        else:  # a price collection or metric written one column per currency/unit
            chosen += [c for c in columns if has_suffix_of(c, column)] or [column]
    return list(dict.fromkeys(chosen))


def media_code(cell: str) -> str:
    """A media code, also when the source wrote images as download URLs."""
    return cell.split(MEDIA_PATH, 1)[1] if MEDIA_PATH in cell else cell


def desired_item(row: dict[str, str], roles: dict[str, Role], image: Callable[[str], ImageRef] | None) -> DesiredItem:
    """One mapped row → the item's desired state. Empty fields are left alone; empty channel rows and
    properties are managed and must not exist (Linnworks rows are deleted)."""
    fields: dict = {}
    channels: dict[str, dict] = {"channel_price": {}, "channel_title": {}, "channel_description": {}}
    properties: dict[str, str | None] = {}
    images: dict[int, ImageRef] = {}
    required: dict[str, tuple[str, ...]] = {}
    for column, role in roles.items():
        value = row.get(column, "")
        if role.kind == "field":
            if value != "":
                fields[role.key] = value
        elif role.kind in channels:
            channels[role.kind][role.key] = value or None
        elif role.kind == "property":
            properties[role.key] = value or None
        elif role.kind == "requires":
            if value:
                required[role.key] = tuple(split_values(value, VALUE_SEPARATOR))
        elif role.kind == "image" and value and image is not None:
            code = media_code(value)
            if all(ref.key != code for ref in images.values()):  # the same file twice is one image
                images[role.key] = image(code)
    has_images = image is not None and any(role.kind == "image" for role in roles.values())
    return DesiredItem(
        **fields, channel_prices=channels["channel_price"], channel_titles=channels["channel_title"],
        channel_descriptions=channels["channel_description"], extended_properties=properties,
        images=tuple(images[k] for k in sorted(images)) if has_images else None, required_skus=required)
