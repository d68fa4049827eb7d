"""Property tests: for generated catalogs over every attribute type, decode(encode(product)) == product,
and encode(decode(row)) == row for valid rows written in the canonical cell forms."""
from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from productsup.cells import join_values
from productsup.codec import FlatCodec
from productsup.metadata import CatalogMeta
from productsup.units import STANDARD_FAMILIES, common_code

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CHANNELS = [{"code": "ecommerce", "locales": ["en_US", "de_DE", "ja_JP"], "currencies": ["EUR", "USD", "JPY"]},
            {"code": "mobile", "locales": ["en_US"], "currencies": ["EUR"]}]
CURRENCIES = ["EUR", "JPY", "USD"]
KINDS = ["text", "textarea", "identifier", "number", "metric", "price_collection", "boolean", "date",
         "simpleselect", "multiselect", "pim_catalog_reference_data_simple_select",
         "pim_catalog_reference_data_multi_select", "akeneo_reference_entity", "akeneo_reference_entity_collection",
         "pim_catalog_asset_collection", "image", "file", "pim_catalog_table", "pim_catalog_product_link"]
TRICKY = ["<###>", "|", "~", "@", '"', "'", "\n", "\r\n", "\\", "\t", ",", ";",
          "é", "中文", "Ж", "🙂", "%20", "/"]

# Text that must survive: separators, ~, @, quotes, newlines, backslashes, non-Latin; never blank.
tricky_text = st.lists(st.one_of(st.characters(blacklist_categories=("Cs",)), st.sampled_from(TRICKY)),
                       min_size=1, max_size=8).map("".join).filter(lambda s: not s.isspace())
# Codes (options, records, assets, media files, categories) have no surrounding spaces.
tricky_code = tricky_text.map(str.strip).filter(bool)
attribute_code = st.text(string.ascii_lowercase + string.digits + "_", min_size=1, max_size=10).filter(
    lambda c: c not in ("sku", "uuid", "family", "categories", "enabled", "parent"))


@st.composite
def catalogs(draw) -> CatalogMeta:
    codes = draw(st.lists(attribute_code, min_size=1, max_size=12, unique=True))
    attributes = [{"code": "sku", "type": "pim_catalog_identifier", "is_main_identifier": True}]
    options = {}
    for code in codes:
        kind = draw(st.sampled_from(KINDS))
        raw = {"code": code, "type": kind if kind.startswith(("pim_", "akeneo_")) else f"pim_catalog_{kind}",
               "localizable": draw(st.booleans()), "scopable": draw(st.booleans()),
               "decimals_allowed": draw(st.booleans()), "negative_allowed": draw(st.booleans())}
        if kind == "metric":
            raw["metric_family"] = draw(st.sampled_from(sorted(STANDARD_FAMILIES)))
        if raw["localizable"] and draw(st.booleans()):
            raw["available_locales"] = ["de_DE", "ja_JP"]
        if kind in ("simpleselect", "multiselect"):
            options[code] = [{"code": c} for c in draw(st.lists(tricky_code, min_size=1, max_size=5, unique=True))]
        attributes.append(raw)
    return CatalogMeta.from_akeneo(
        attributes=attributes, attribute_options=options, channels=CHANNELS,
        locales=[{"code": c, "enabled": True} for c in ("en_US", "de_DE", "ja_JP")],
        currencies=[{"code": c, "enabled": True} for c in CURRENCIES],
    )


def addresses(meta: CatalogMeta, attribute) -> list[tuple]:
    locales = sorted(attribute.available_locales or meta.locales) if attribute.localizable else [None]
    scopes = sorted(meta.channels) if attribute.scopable else [None]
    return [(loc, sc) for sc in scopes for loc in locales
            if loc is None or sc is None or loc in meta.channels[sc].locales]


def amounts(attribute, signed: bool = True):
    negative = signed and attribute.negative_allowed
    whole = st.integers(min_value=-10**12 if negative else 0, max_value=10**12)
    if not attribute.decimals_allowed:
        return whole.map(str)
    return st.tuples(whole, st.text("0123456789", min_size=1, max_size=4)).map(lambda t: f"{t[0]}.{t[1]}")


json_scalars = st.one_of(st.text(max_size=5), st.integers(), st.booleans())
json_values = st.lists(st.dictionaries(st.text(max_size=5), json_scalars, max_size=3), min_size=1, max_size=3)


def data_for(draw, meta: CatalogMeta, attribute):
    kind = attribute.type.removeprefix("pim_catalog_")
    if kind in ("text", "textarea", "identifier"):
        return draw(tricky_text)
    if kind == "number":
        return draw(amounts(attribute)) if attribute.decimals_allowed else int(draw(amounts(attribute)))
    if kind == "metric":
        units = sorted(meta.measurement_families[attribute.metric_family])
        return {"amount": draw(amounts(attribute)), "unit": draw(st.sampled_from(units))}
    if kind == "price_collection":
        chosen = draw(st.lists(st.sampled_from(CURRENCIES), min_size=1, unique=True))
        return [{"amount": draw(amounts(attribute, signed=False)), "currency": c} for c in sorted(chosen)]
    if kind == "boolean":
        return draw(st.booleans())
    if kind == "date":
        return draw(st.dates()).isoformat() + "T00:00:00+00:00"
    if kind == "simpleselect":
        return draw(st.sampled_from(sorted(attribute.options)))
    if kind == "multiselect":
        return draw(st.lists(st.sampled_from(sorted(attribute.options)), min_size=1, unique=True))
    if kind in ("table", "product_link"):
        return draw(json_values)
    if kind.endswith(("multi_select", "collection")):
        return draw(st.lists(tricky_code, min_size=1, max_size=4))
    return draw(tricky_code)  # simple reference data, reference entities, images, files


@st.composite
def products(draw, meta: CatalogMeta, by_uuid: bool):
    values = {}
    for code, attribute in meta.attributes.items():
        if code == meta.identifier or not draw(st.booleans()):
            continue
        chosen = draw(st.lists(st.sampled_from(addresses(meta, attribute)), min_size=1, unique=True))
        values[code] = [{"locale": loc, "scope": sc, "data": data_for(draw, meta, attribute)} for loc, sc in chosen]
    product = {"values": values}
    identifier = draw(tricky_code)
    if by_uuid:
        product["uuid"] = str(draw(st.uuids()))
        values[meta.identifier] = [{"locale": None, "scope": None, "data": identifier}]
    else:
        product["identifier"] = identifier
    for field, strategy in (("family", tricky_code), ("parent", tricky_code), ("enabled", st.booleans()),
                            ("categories", st.lists(tricky_code, min_size=1, max_size=3))):
        if draw(st.booleans()):
            product[field] = draw(strategy)
    return product


codec_options = st.fixed_dictionaries({
    "value_separator": st.sampled_from(["<###>", "|", ";;"]),
    "prices": st.sampled_from(["per_currency", "collection"]),
    "column_form": st.sampled_from(["pimflow", "productsup"]),
    "media_base_url": st.sampled_from([None, "https://pim.example.com"]),
    "product_id": st.sampled_from(["identifier", "uuid"]),
    "empty_cell": st.sampled_from(["no_change", "clear"]),
})


@SETTINGS
@given(st.data())
def test_decoding_an_encoded_product_gives_the_product_back(data):
    meta = data.draw(catalogs())
    options = data.draw(codec_options)
    codec = FlatCodec(meta, **options)
    product = data.draw(products(meta, options["product_id"] == "uuid"))
    decoded = codec.decode(codec.encode(product))
    assert decoded.problems == []
    assert decoded.product == product


@SETTINGS
@given(st.data())
def test_batch_and_single_entry_points_agree(data):
    meta = data.draw(catalogs())
    codec = FlatCodec(meta)
    batch = data.draw(st.lists(products(meta, False), min_size=1, max_size=5))
    rows = codec.encode_many(batch)
    assert rows == [codec.encode(p) for p in batch]
    decoded = codec.decode_many(rows)
    assert all(d.ok for d in decoded)
    # Rows with different columns are decoded under their union: only the order of a value's
    # entries (which Akeneo ignores) may change.
    assert [in_order(d.product) for d in decoded] == [in_order(p) for p in batch]
    assert [in_order(d.product) for d in codec.decode_many(codec.encode_frame(batch))] == [in_order(p) for p in batch]


def in_order(product: dict) -> dict:
    def key(entry):
        return (entry["locale"] or "", entry["scope"] or "")
    return {**product, "values": {code: sorted(entries, key=key) for code, entries in product["values"].items()}}


def canonical_cell(draw, meta: CatalogMeta, attribute, separator: str) -> str:
    """A valid cell as a person or a supplier would write it, in the form the encoder writes."""
    kind = attribute.type.removeprefix("pim_catalog_")
    if kind == "number":
        return draw(amounts(attribute))
    if kind == "metric":
        family = attribute.metric_family
        unit = draw(st.sampled_from(sorted(meta.measurement_families[family])))
        return f"{draw(amounts(attribute))} {common_code(family, unit) or unit}"
    if kind == "boolean":
        return draw(st.sampled_from(["true", "false"]))
    if kind == "date":
        return draw(st.dates()).isoformat()
    if kind == "simpleselect":
        return draw(st.sampled_from(sorted(attribute.options)))
    if kind == "multiselect":
        return join_values(draw(st.lists(st.sampled_from(sorted(attribute.options)), min_size=1, unique=True)),
                           separator)
    if kind.endswith(("multi_select", "collection")):
        return join_values(draw(st.lists(tricky_code, min_size=1, max_size=4)), separator)
    if kind in ("text", "textarea", "identifier"):
        return draw(tricky_text)
    return draw(tricky_code)


@SETTINGS
@given(st.data())
def test_encoding_a_decoded_row_gives_the_row_back(data):
    meta = data.draw(catalogs())
    separator = data.draw(st.sampled_from(["<###>", "|"]))
    codec = FlatCodec(meta, value_separator=separator)
    row = {"sku": data.draw(tricky_code)}
    for code, attribute in meta.attributes.items():
        kind = attribute.type.removeprefix("pim_catalog_")
        if code == "sku" or kind in ("table", "product_link") or not data.draw(st.booleans()):
            continue
        for locale, scope in data.draw(st.lists(st.sampled_from(addresses(meta, attribute)), min_size=1, unique=True)):
            column = code + "".join(f"~{part}" for part in (locale, scope) if part)
            if kind == "price_collection":
                for currency in data.draw(st.lists(st.sampled_from(CURRENCIES), min_size=1, unique=True)):
                    row[f"{column}@{currency}"] = f"{data.draw(amounts(attribute, signed=False))} {currency}"
            else:
                row[column] = canonical_cell(data.draw, meta, attribute, separator)
    if data.draw(st.booleans()):
        row["categories"] = join_values(data.draw(st.lists(tricky_code, min_size=1, max_size=3)), separator)
        row["enabled"] = data.draw(st.sampled_from(["true", "false"]))
    decoded = codec.decode(row)
    assert decoded.problems == []
    assert codec.encode(decoded.product) == row
