"""The writer's diff: desired against current item state, as typed writes and diff rows (no HTTP)."""
from __future__ import annotations

import pytest

from linnworks.api import ids
from linnworks.api.models import (
    ExtendedDataRequirement,
    ExtendedProperty,
    ItemImage,
    ItemPrice,
    ItemTitle,
    StockItemFull,
)
from linnworks.items.desired import DesiredItem, ImageRef, WriteOptions
from linnworks.items.image_ledger import LedgerEntry, key_digest, parse_legacy_ledger, plan_images
from linnworks.items.plan import UPDATE_FIELD, UPDATE_ITEM, RowKind, plan_item, requirements

ITEM = ids.stock_item_id("SKU-1")
OPTIONS = WriteOptions()


def current(**fields) -> StockItemFull:
    base = dict(stock_item_id=ITEM, item_number="SKU-1", item_title="Chair", barcode_number="123",
                retail_price=10.0, purchase_price=4.0, weight=2.5, width=1.0, height=2.0, depth=3.0, meta_data="meta")
    return StockItemFull(**{**base, **fields})


def desired(**fields) -> DesiredItem:
    return DesiredItem(sku="SKU-1", **fields)


def image(id_: str, main: bool = False, checksum: str | None = None) -> ItemImage:
    return ItemImage(pk_row_id=id_, is_main=main, checksum=checksum)


# -- desired items ---------------------------------------------------------------------------------
def test_a_channel_price_without_source_is_refused_as_it_is_the_retail_price():
    with pytest.raises(ValueError, match="retail_price"):
        desired(channel_prices={("", ""): 3})


def test_numbers_become_floats_and_non_numbers_are_refused_naming_the_field():
    assert desired(retail_price="12.50", weight=3).retail_price == 12.5
    with pytest.raises(ValueError, match="SKU-1: weight"):
        desired(weight="heavy")
    with pytest.raises(ValueError, match="finite"):
        desired(depth=float("nan"))


def test_an_image_needs_a_url_or_a_way_to_fetch_its_bytes():
    with pytest.raises(ValueError, match="neither"):
        ImageRef("media/1.jpg")


# -- item fields -----------------------------------------------------------------------------------
def test_a_new_item_plans_every_managed_part_as_creates_with_deterministic_row_ids():
    item = desired(title="Chair", retail_price=9.99, channel_prices={("AMAZON", "UK"): 11.0},
                   channel_titles={("EBAY", "DE"): "Stuhl"}, extended_properties={"colour": "red"},
                   images=(ImageRef("m/1.jpg", "https://img/1.jpg"),))
    plan = plan_item(item, None, ITEM, OPTIONS)
    assert plan.is_new and plan.field_route is None
    assert {(c.spec.name, c.new) for c in plan.fields} == {("title", "Chair"), ("retail_price", 9.99)}
    price, = plan.rows[RowKind.PRICES].creates
    assert price.pk_row_id == ids.price_row_id(ITEM, "AMAZON", "UK") and price.price == 11.0
    title, = plan.rows[RowKind.TITLES].creates
    assert title.pk_row_id == ids.title_row_id(ITEM, "EBAY", "DE")
    prop, = plan.rows[RowKind.PROPERTIES].creates
    assert (prop.pk_row_id, prop.fk_stock_item_id, prop.property_type) == (None, ITEM, "Attribute")  # Linnworks names it
    assert [add.position for add in plan.images.adds] == [0]
    assert {row.action for row in plan.diff} == {"create", "add"}


def test_equal_values_make_no_write_within_four_decimals_and_empty_text_equals_null():
    item = desired(title="Chair", barcode="", retail_price=10.00001, weight=2.5, metadata="meta")
    plan = plan_item(item, current(barcode_number=None), ITEM, OPTIONS)
    assert not plan.has_writes() and plan.diff == []


def test_unmanaged_fields_are_never_compared():
    plan = plan_item(desired(title="Chair"), current(retail_price=999.0, meta_data="other"), ITEM, OPTIONS)
    assert not plan.has_writes()


def test_one_or_two_changed_fields_go_one_field_call_each():
    plan = plan_item(desired(title="Sofa", weight=3.0), current(), ITEM, OPTIONS)
    assert plan.field_route == UPDATE_FIELD
    assert [(row.field, row.old, row.new, row.endpoint) for row in plan.diff] == [
        ("title", "Chair", "Sofa", UPDATE_FIELD), ("weight", 2.5, 3.0, UPDATE_FIELD)]


def test_metadata_or_many_changed_fields_are_written_whole():
    assert plan_item(desired(metadata="new"), current(), ITEM, OPTIONS).field_route == UPDATE_ITEM
    many = desired(title="Sofa", weight=3.0, depth=9.0)
    assert plan_item(many, current(), ITEM, OPTIONS).field_route == UPDATE_ITEM
    assert plan_item(many, current(), ITEM, WriteOptions(replace_from_fields=4)).field_route == UPDATE_FIELD


# -- channel rows and extended properties ----------------------------------------------------------
def test_an_existing_channel_row_is_matched_ignoring_case_and_updated_whole_by_its_own_row_id():
    row = ItemPrice(pk_row_id="row-1", stock_item_id=ITEM, source="Amazon", sub_source="amazon uk", price=5.0,
                    update_status="Success", Rules=[{"Type": "x"}])
    plan = plan_item(desired(channel_prices={("AMAZON", "Amazon UK"): 6.0}),
                     current(item_channel_prices=[row]), ITEM, OPTIONS)
    update, = plan.rows[RowKind.PRICES].updates
    assert update.wire() == {**row.wire(), "Price": 6.0}
    assert not plan.rows[RowKind.PRICES].creates


def test_tagged_prices_are_other_rows_so_the_channel_price_is_created_beside_them():
    tagged = ItemPrice(pk_row_id="row-1", stock_item_id=ITEM, source="AMAZON", sub_source="UK", price=5.0, tag="sale")
    plan = plan_item(desired(channel_prices={("AMAZON", "UK"): 5.0}), current(item_channel_prices=[tagged]),
                     ITEM, OPTIONS)
    assert len(plan.rows[RowKind.PRICES].creates) == 1 and not plan.rows[RowKind.PRICES].updates


def test_none_deletes_a_managed_row_and_unlisted_rows_are_left_alone():
    rows = [ItemTitle(pk_row_id="t-ebay", stock_item_id=ITEM, source="EBAY", sub_source="DE", title="a"),
            ItemTitle(pk_row_id="t-shop", stock_item_id=ITEM, source="SHOP", sub_source="S", title="b")]
    plan = plan_item(desired(channel_titles={("EBAY", "DE"): None}), current(item_channel_titles=rows), ITEM, OPTIONS)
    assert plan.rows[RowKind.TITLES].deletes == ["t-ebay"]
    assert [(row.action, row.endpoint) for row in plan.diff] == [("delete", "Inventory/DeleteInventoryItemTitles")]


def test_a_managed_property_keeps_one_row_and_other_names_are_left_alone():
    rows = [ExtendedProperty(pk_row_id="p1", fk_stock_item_id=ITEM, propery_name="colour", property_value="red"),
            ExtendedProperty(pk_row_id="p2", fk_stock_item_id=ITEM, propery_name="colour", property_value="red"),
            ExtendedProperty(pk_row_id="p3", fk_stock_item_id=ITEM, propery_name="someone_elses", property_value="x")]
    plan = plan_item(desired(extended_properties={"colour": "blue", "size": "M"}),
                     current(item_extended_properties=rows), ITEM, OPTIONS)
    changes = plan.rows[RowKind.PROPERTIES]
    assert [(row.pk_row_id, row.property_value) for row in changes.updates] == [("p1", "blue")]
    assert changes.deletes == ["p2"]
    assert [(row.propery_name, row.property_value) for row in changes.creates] == [("size", "M")]


def test_reads_ask_only_for_the_data_the_items_manage_with_documented_values():
    assert requirements([desired(title="x")]) == []
    # retail and purchase prices are header fields: no requirement (there is no "Pricing" for ByIds)
    assert requirements([desired(retail_price=1, purchase_price=2)]) == []
    assert requirements([desired(retail_price=1), desired(channel_titles={("A", "B"): "t"})]) == [
        ExtendedDataRequirement.CHANNEL_TITLE]
    # the image ledger is not in Linnworks: images need only Images, unless an earlier version's
    # ledger property may be there (an item with images and no ledger yet)
    assert requirements([desired(images=())]) == [ExtendedDataRequirement.IMAGES]
    assert requirements([desired(images=())], legacy_ledger=True) == [ExtendedDataRequirement.EXTENDED_PROPERTIES,
                                                                      ExtendedDataRequirement.IMAGES]


# -- images and their ledger -----------------------------------------------------------------------
def ref(key: str) -> ImageRef:
    return ImageRef(key, f"https://img/{key}")


def entry(key: str, image_id: str, attached: bool = True) -> LedgerEntry:
    return LedgerEntry(key_digest(key), image_id, attached)


def test_recorded_images_are_kept_and_new_ones_added_with_the_first_as_main():
    plan = plan_images((ref("a"), ref("b")), [image("id-b", main=True)], [entry("b", "id-b")])
    assert [(add.ref.key, add.position) for add in plan.adds] == [("a", 0)]
    assert plan.kept == {key_digest("b"): entry("b", "id-b")} and plan.set_main is None
    plan.added[key_digest("a")] = entry("a", "id-a")
    assert plan.final_entries() == [entry("a", "id-a"), entry("b", "id-b")] and plan.ledger_changed()


def test_unchanged_images_make_no_write_and_leave_the_ledger_as_it_was():
    entries = [entry("a", "id-a"), entry("b", "id-b")]
    plan = plan_images((ref("a"), ref("b")), [image("id-a", main=True), image("id-b")], entries)
    assert not plan.has_image_writes and not plan.deletes and not plan.ledger_changed()


def test_an_image_deleted_in_linnworks_is_added_again_and_its_entry_dropped():
    plan = plan_images((ref("a"),), [], [entry("a", "id-gone")])
    assert [add.ref.key for add in plan.adds] == ["a"]
    assert plan.final_entries() == [] and plan.ledger_changed()


def test_the_main_image_follows_the_first_desired_image():
    entries = [entry("a", "id-a"), entry("b", "id-b")]
    plan = plan_images((ref("b"), ref("a")), [image("id-a", main=True), image("id-b")], entries)
    assert plan.set_main == "id-b" and not plan.adds
    assert plan.final_entries() == [entry("b", "id-b"), entry("a", "id-a")]


def test_a_dropped_image_the_writer_attached_is_deleted_and_images_it_never_recorded_are_left_alone():
    entries = [entry("a", "id-a"), entry("old", "id-old")]
    plan = plan_images((ref("a"),), [image("by-hand", main=True), image("id-a"), image("id-old")], entries)
    assert plan.deletes == ["id-old"]  # "by-hand" has no entry: never deleted
    assert plan.set_main == "id-a"  # the profile's first image becomes main over the other one
    plan.deleted.add("id-old")
    assert plan.final_entries() == [entry("a", "id-a")]


def test_with_removal_off_a_dropped_image_stays_on_the_item_and_in_the_ledger():
    entries = [entry("a", "id-a"), entry("old", "id-old")]
    plan = plan_images((ref("a"),), [image("id-a", main=True), image("id-old")], entries, delete_dropped=False)
    assert plan.deletes == [] and plan.final_entries() == entries and not plan.ledger_changed()


def test_a_dropped_image_found_by_checksum_is_never_deleted_only_forgotten():
    """An adopted image may be a person's copy of the same picture."""
    entries = [entry("a", "id-a"), entry("old", "id-old", attached=False)]
    plan = plan_images((ref("a"),), [image("id-a", main=True), image("id-old")], entries)
    assert plan.deletes == [] and plan.final_entries() == [entry("a", "id-a")]


def test_without_a_ledger_nothing_is_deleted_and_images_with_the_desired_bytes_can_be_adopted_once_each():
    current = [image("by-hand", main=True, checksum="AAA"), image("copy-1", checksum="bbb"),
               image("copy-2", checksum="bbb")]
    plan = plan_images((ref("a"), ref("b"), ref("c")), current, [])
    assert plan.deletes == [] and len(plan.adds) == 3
    assert [plan.adopt("bbb"), plan.adopt("BBB"), plan.adopt("bbb")] == ["copy-1", "copy-2", None]
    assert plan.adopt("aaa") == "by-hand" and plan.adopt("ccc") is None


def test_an_image_matches_by_either_checksum_linnworks_keeps():
    current = [ItemImage(pk_row_id="x", checksum="processed", raw_checksum="ORIGINAL")]
    plan = plan_images((ref("a"),), current, [])
    assert plan.adopt("original") == "x"


def test_a_repeated_image_key_is_added_once():
    plan = plan_images((ref("a"), ref("a")), [], [])
    assert len(plan.adds) == 1


def test_the_legacy_ledger_property_round_trips_into_entries_attached_by_the_writer():
    value = f"{key_digest('a')}:id-a;garbage;:x;{key_digest('b')}:id-b"
    assert parse_legacy_ledger(value) == [entry("a", "id-a"), entry("b", "id-b")]
    assert parse_legacy_ledger(None) == []


def test_an_earlier_versions_ledger_property_is_imported_and_deleted_not_kept_in_the_catalog():
    legacy = ExtendedProperty(pk_row_id="p-ledger", fk_stock_item_id=ITEM, propery_name="pimflow_images",
                              property_value=f"{key_digest('a')}:id-a;{key_digest('old')}:id-old")
    plan = plan_item(desired(images=(ref("a"),)), current(item_extended_properties=[legacy], images=[
        image("id-a", main=True), image("id-old"), image("by-hand")]), ITEM, OPTIONS)
    assert plan.rows[RowKind.PROPERTIES].deletes == ["p-ledger"]
    assert plan.images.deletes == ["id-old"] and not plan.images.adds
    assert plan.images.final_entries() == [entry("a", "id-a"), entry("old", "id-old")]  # until deleted
    assert plan.images.ledger_changed()  # the entries move into the ledger before the property goes
    # a ledger in staging wins over the property; the property goes anyway
    plan = plan_item(desired(images=(ref("a"),)), current(item_extended_properties=[legacy], images=[
        image("id-a", main=True), image("id-old")]), ITEM, OPTIONS, ledger=[entry("a", "id-a")])
    assert plan.images.deletes == [] and plan.rows[RowKind.PROPERTIES].deletes == ["p-ledger"]


def test_a_profile_that_declares_the_legacy_name_keeps_it_as_its_own_property():
    row = ExtendedProperty(pk_row_id="p1", fk_stock_item_id=ITEM, propery_name="pimflow_images", property_value="x")
    plan = plan_item(desired(images=(ref("a"),), extended_properties={"pimflow_images": "x"}),
                     current(item_extended_properties=[row]), ITEM, OPTIONS)
    assert not plan.rows[RowKind.PROPERTIES] and [add.ref.key for add in plan.images.adds] == ["a"]


def test_new_and_changed_items_plan_no_extended_property_of_their_own():
    plan = plan_item(desired(images=(ref("a"), ref("b"))), None, ITEM, OPTIONS)
    assert not plan.rows[RowKind.PROPERTIES]
    plan = plan_item(desired(images=(ref("a"),)), current(images=[image("id-a"), image("id-b")]), ITEM, OPTIONS,
                     ledger=[entry("b", "id-b")])
    assert not plan.rows[RowKind.PROPERTIES] and plan.images.deletes == ["id-b"]


# -- categories ------------------------------------------------------------------------------------
def test_a_category_change_is_written_by_id_in_a_full_replace_and_shown_by_name():
    toys = ids.category_id("Toys")
    plan = plan_item(desired(category="Toys"), current(category_id=ZERO, category_name="Default"), ITEM, OPTIONS,
                     {"Toys": toys})
    assert [(c.spec.attr, c.new) for c in plan.fields] == [("category_id", toys)]
    assert plan.field_route == UPDATE_ITEM
    assert [(row.field, row.old, row.new) for row in plan.diff] == [("category", "Default", "Toys")]


def test_the_same_category_plans_nothing_and_an_unresolved_one_is_left_alone():
    toys = ids.category_id("Toys")
    assert plan_item(desired(category="Toys"), current(category_id=toys.upper()), ITEM, OPTIONS,
                     {"Toys": toys}).diff == []
    assert plan_item(desired(category="Toys"), current(), ITEM, OPTIONS, {}).diff == []


ZERO = "00000000-0000-0000-0000-000000000000"
