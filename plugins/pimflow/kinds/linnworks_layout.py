"""A `linnworks` target's settings → an internal mapping over flat rows, and mapped rows → `DesiredItem`s.

The profile's own `mapping` stays empty for this target: its columns come from the settings, named
for what they fill (`title`, `retail_price`, `price[AMAZON/Amazon UK]`, `property[ak_material]`,
`image[0]`...), so a mapped row reads like the Linnworks item it describes.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING

from linnworks.items.desired import DesiredItem, ImageRef
from productsup.associations import association_column
from productsup.cells import split_values
from productsup.columns import has_suffix_of
from pimflow.mapping import MappedColumn, Mapping, MappingContext, MappingResult, apply_mapping

if TYPE_CHECKING:
    import pandas as pd  # only for annotations: building a DAG must not import pandas

#: Linnworks unit settings → UN/CEFACT codes the unit converter knows, and the decimals sent by default
#: (a tenth of a millimetre, a gram: `target.precision` changes them; the README's table)
LENGTH_UNITS = {"cm": ("CMT", 2), "mm": ("MMT", 1)}
WEIGHT_UNITS = {"kg": ("KGM", 3), "g": ("GRM", 1)}
PRICE_DECIMALS = 2
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
class Decimals:
    """How one numeric column is rounded: `places` decimals of `unit`, set by `setting`."""

    places: int
    unit: str
    setting: str


@dataclass(frozen=True)
class Layout:
    mapping: Mapping
    roles: dict[str, Role]
    decimals: dict[str, Decimals] = field(default_factory=dict)  # numeric column -> its rounding

    def apply(self, frame: pd.DataFrame, context: MappingContext | None) -> MappingResult:
        return apply_mapping(self.mapping, frame, context)

    def at_precision(self, row: dict[str, str]) -> dict[str, str]:
        """The row's numbers at their precision (half up). A number that is not 0 and rounds to 0
        is sent as 0 all the same, with a `warning[column]` cell saying so: never silently."""
        out = dict(row)
        for column, decimals in self.decimals.items():
            text = row.get(column, "")
            try:
                amount = Decimal(text) if text else None
            except InvalidOperation:
                continue  # not a number: refused when the item is built
            if amount is None or not amount.is_finite():
                continue
            rounded = amount.quantize(Decimal(1).scaleb(-decimals.places), rounding=ROUND_HALF_UP)
            out[column] = format(rounded, "f")
            if amount and not rounded:
                out[f"warning[{column}]"] = (
                    f"{column} {text} {decimals.unit} rounds to 0 at {decimals.places} decimal(s): Linnworks gets "
                    f"{out[column]} (set target.{decimals.setting} to keep more decimals)")
        return out


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
    # numbers are rounded after the mapping (`Layout.at_precision`), so a value rounded to 0 is seen
    precision = settings.precision
    price_places = PRICE_DECIMALS if precision.price is None else precision.price
    decimals: dict[str, Decimals] = {}
    for price in settings.prices:
        amount = {"from": price.attribute, "currency": price.currency}
        if price.to == "channel":
            key = (price.source, price.subsource)
            name = f"price[{channel_label(*key)}]"
            add(name, Role("channel_price", key), **amount)
        else:
            name = f"{price.to}_price"
            add(name, Role("field", name), **amount)
        decimals[name] = Decimals(price_places, price.currency, "precision.price")
    length_unit, length_places = LENGTH_UNITS[settings.units.length]
    weight_unit, weight_places = WEIGHT_UNITS[settings.units.weight]
    for name in ("width", "height", "depth", "weight"):
        attribute = getattr(settings.dimensions, name)
        if attribute:
            if name == "weight":
                unit, places, setting = weight_unit, _given(precision.weight, weight_places), "precision.weight"
                label = settings.units.weight
            else:
                unit, places, setting = length_unit, _given(precision.length, length_places), "precision.length"
                label = settings.units.length
            add(name, Role("field", name), **{"from": attribute, "unit": unit, "type": "decimal"})
            decimals[name] = Decimals(places, label, setting)
    if settings.barcode:
        add("barcode", Role("field", "barcode"), **{"from": settings.barcode})
    if settings.extended_properties is not None:
        for column in property_columns(settings.extended_properties, columns, identifier, resolve, is_attribute):
            add(f"property[{settings.extended_properties.prefix}{column}]",
                Role("property", settings.extended_properties.prefix + column), **{"from": column})
    if settings.images is not None:
        for position, attribute in enumerate([settings.images.main, *settings.images.others]):
            add(f"image[{position}]", Role("image", position), **{"from": attribute})
    return Layout(Mapping(columns=out), roles, decimals)


def _given(places: int | None, default: int) -> int:
    return default if places is None else places


#: columns of an item row that fill a field of the item (the layout's and those transform adds)
ITEM_FIELDS = frozenset({"sku", "title", "metadata", "barcode", "retail_price", "purchase_price",
                         "width", "height", "depth", "weight", "category"})
_BRACKETED = {"title": "channel_title", "description": "channel_description", "price": "channel_price",
              "property": "property", "image": "image", "requires": "requires", "warning": "warning"}


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


def row_warnings(row: dict[str, str], roles: dict[str, Role]) -> tuple[str, ...]:
    """The warnings staged with an item row (`Layout.at_precision`), for its feedback."""
    return tuple(row[column] for column, role in roles.items() if role.kind == "warning" and row.get(column))


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
        # role "warning": what the feedback says about the row (`row_warnings`), nothing to write
        elif role.kind == "image" and value and image is not None:
            code = media_code(value)
            if all(ref.key != code for ref in images.values()):  # the same file twice is one image
                images[role.key] = image(code)
    has_images = image is not None and any(role.kind == "image" for role in roles.values())
    return DesiredItem(
        **fields, channel_prices=channels["channel_price"], channel_titles=channels["channel_title"],
        channel_descriptions=channels["channel_description"], extended_properties=properties,
        images=tuple(images[k] for k in sorted(images)) if has_images else None, required_skus=required)
