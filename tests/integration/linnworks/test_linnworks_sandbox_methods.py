"""Every typed method of the client over real HTTP against the sandbox, checked in its stored state."""
from __future__ import annotations

import pytest

from linnworks.api import ids
from linnworks.api.models import (
    DataRequirement,
    ExtendedProperty,
    ItemDescription,
    ItemField,
    ItemPrice,
    ItemTitle,
    NewStockItem,
    StockLevelUpdate,
)
from linnworks.api.stock import DEFAULT_LOCATION_ID

pytestmark = pytest.mark.integration

LONDON = "6f1a0c3e-0000-4000-8000-00000000a001"


@pytest.fixture
def item(client):
    """One item created by the client: (sku, stock_item_id)."""
    result = client.add_items([NewStockItem(item_number="PIM-1", item_title="Kettle", barcode_number="4006381333931",
                                            retail_price=39.5, weight=1200, meta_data="m0", tax_rate=20)])
    return "PIM-1", result.added["PIM-1"]


def test_lookup_channels_locations_and_count(client, control):
    found = client.find_stock_item_ids(["SKU-000001", "SKU-000010", "NOT-THERE"])
    assert sorted(found) == ["SKU-000001", "SKU-000010"]
    assert control.item("SKU-000010")["item"]["StockItemId"] == found["SKU-000010"]
    assert {(c.source, c.sub_source) for c in client.get_channels()} == {
        ("AMAZON", "Amazon UK"), ("EBAY", "eBay DE"), ("SHOPIFY", "Shop")}
    locations = {loc.stock_location_id: loc.location_name for loc in client.get_stock_locations()}
    assert locations[DEFAULT_LOCATION_ID] == "Default" and LONDON in locations
    assert client.count_items() == 10


def test_bulk_add_uses_the_deterministic_id_and_stores_the_fields(client, control, item):
    sku, item_id = item
    assert item_id == ids.stock_item_id(sku)
    stored = control.item(sku)["item"]
    assert (stored["ItemTitle"], stored["BarcodeNumber"], stored["RetailPrice"]) == ("Kettle", "4006381333931", 39.5)


def test_update_item_changes_what_was_asked_and_keeps_everything_else(client, control, item):
    sku, item_id = item
    client.update_item(item_id, meta_data="new meta", tax_rate=17.5)
    stored = control.item(sku)["item"]
    assert (stored["MetaData"], stored["TaxRate"]) == ("new meta", 17.5)
    assert (stored["BarcodeNumber"], stored["Weight"], stored["RetailPrice"]) == ("4006381333931", 1200, 39.5)
    assert client.get_item(item_id).meta_data == "new meta"


def test_update_item_field(client, control, item):
    sku, item_id = item
    client.update_item_field(item_id, ItemField.TITLE, "Steel kettle")
    client.update_item_field(item_id, ItemField.RETAIL_PRICE, 41.25)
    stored = control.item(sku)["item"]
    assert (stored["ItemTitle"], stored["RetailPrice"]) == ("Steel kettle", 41.25)


def test_prices_titles_descriptions_create_read_update_delete(client, control, item):
    sku, item_id = item
    client.create_prices([ItemPrice(stock_item_id=item_id, source="AMAZON", sub_source="Amazon UK", price=44)])
    client.create_titles([ItemTitle(stock_item_id=item_id, source="EBAY", sub_source="eBay DE", title="Wasserkocher")])
    client.create_descriptions([ItemDescription(stock_item_id=item_id, source="EBAY", sub_source="eBay DE",
                                                description="<p>Edelstahl</p>")])
    assert [(p.source, p.price) for p in client.get_prices(item_id)] == [("AMAZON", 44)]
    assert [t.title for t in client.get_titles(item_id)] == ["Wasserkocher"]
    assert [d.description for d in client.get_descriptions(item_id)] == ["<p>Edelstahl</p>"]

    client.update_prices([ItemPrice(stock_item_id=item_id, source="AMAZON", sub_source="Amazon UK", price=45.5)])
    client.update_titles([ItemTitle(stock_item_id=item_id, source="EBAY", sub_source="eBay DE", title="Kessel")])
    client.update_descriptions([ItemDescription(stock_item_id=item_id, source="EBAY", sub_source="eBay DE",
                                                description="<p>Neu</p>")])
    stored = control.item(sku)
    assert [p["Price"] for p in stored["prices"]] == [45.5]
    assert [t["Title"] for t in stored["titles"]] == ["Kessel"]
    assert [d["Description"] for d in stored["descriptions"]] == ["<p>Neu</p>"]

    client.delete_prices([ids.price_row_id(item_id, "AMAZON", "Amazon UK")])
    client.delete_titles([ids.title_row_id(item_id, "EBAY", "eBay DE")])
    client.delete_descriptions([ids.description_row_id(item_id, "EBAY", "eBay DE")])
    stored = control.item(sku)
    assert stored["prices"] == [] and stored["titles"] == [] and stored["descriptions"] == []


def test_extended_properties_create_read_update_delete(client, control, item):
    sku, item_id = item
    client.create_extended_properties([
        ExtendedProperty(fk_stock_item_id=item_id, propery_name="colour", property_value="red"),
        ExtendedProperty(fk_stock_item_id=item_id, propery_name="material", property_value="steel"),
    ])
    assert {p.propery_name: p.property_value for p in client.get_extended_properties(item_id)} == {
        "colour": "red", "material": "steel"}
    colour, = client.get_extended_properties(item_id, name="colour")
    client.update_extended_properties([colour.model_copy(update={"item_number": sku, "property_value": "blue"})])
    assert [p.property_value for p in client.get_extended_properties(item_id, name="colour")] == ["blue"]
    material, = client.get_extended_properties(item_id, name="material")
    client.delete_extended_properties(item_id, [material.pk_row_id])
    assert [p["ProperyName"] for p in control.item(sku)["extended_properties"]] == ["colour"]


def test_images_by_url_and_by_upload_with_main_image(client, control, item):
    sku, item_id = item
    by_url = client.add_image_by_url(item_id, "https://images.example.com/kettle.jpg")
    uploaded = client.upload_image(item_id, b"\x89PNG\r\n\x1a\n-kettle-", "kettle.png", is_main=True,
                                   content_type="image/png")
    images = client.get_images(item_id)
    assert {image.pk_row_id for image in images} == {by_url.image_id, uploaded.picture_id}
    assert [image.pk_row_id for image in images if image.is_main] == [uploaded.picture_id]
    client.set_main_image(item_id, by_url.image_id)
    assert [i["pkRowId"] for i in control.item(sku)["images"] if i["IsMain"]] == [by_url.image_id]


def test_stock_levels_set_absolutely_and_read_in_batch(client, control, item):
    sku, item_id = item
    client.set_stock_levels([StockLevelUpdate(sku=sku, location_id=DEFAULT_LOCATION_ID, level=7),
                             StockLevelUpdate(sku=sku, location_id=LONDON, level=3)])
    client.set_stock_levels([StockLevelUpdate(sku=sku, location_id=DEFAULT_LOCATION_ID, level=7)])  # absolute
    control.put_stock([{"SKU": sku, "LocationId": DEFAULT_LOCATION_ID, "InOrderBook": 9}])
    seeded = client.find_stock_item_ids(["SKU-000001"])["SKU-000001"]
    levels = client.get_stock_levels([item_id, seeded])
    by_location = {level.location.stock_location_id: level for level in levels[item_id]}
    assert by_location[DEFAULT_LOCATION_ID].stock_level == 7
    assert by_location[DEFAULT_LOCATION_ID].available == 7 - 9  # more in open orders than on hand
    assert by_location[LONDON].stock_level == 3
    assert levels[seeded]


def test_full_state_by_ids_with_data_requirements(client, item):
    _, item_id = item
    client.create_prices([ItemPrice(stock_item_id=item_id, source="AMAZON", sub_source="Amazon UK", price=44)])
    (full,) = client.get_items_full([item_id], [DataRequirement.CHANNEL_PRICE, DataRequirement.STOCK_LEVELS])
    assert full.item_number == "PIM-1"
    assert [p.price for p in full.item_channel_prices] == [44]
    assert full.stock_levels is not None


def test_full_listing_pages_through_everything(client, control):
    control.seed(items=450)
    control.reset_stats()
    listed = list(client.iter_items_full([DataRequirement.STOCK_LEVELS]))
    assert len(listed) == 450 and len({i.stock_item_id for i in listed}) == 450
    assert control.stats()["calls"]["Stock/GetStockItemsFull"] == 3  # 200 + 200 + a short page of 50


def test_full_listing_ends_on_the_400_marker_after_an_exact_multiple(client, control):
    control.seed(items=400)
    control.reset_stats()
    assert len(list(client.iter_items_full())) == 400
    stats = control.stats()
    assert stats["calls"]["Stock/GetStockItemsFull"] == 3 and stats["status_codes"]["400"] == 1


def test_full_listing_costs_one_count_besides_its_pages(client, control):
    control.seed(items=450)
    control.reset_stats()
    listing = client.iter_items_full(load_variation_parents=False)
    assert len(list(listing)) == 450
    assert control.stats()["calls"] == {"Stock/GetStockItemsFull": 3, "Stock/GetStockItems": 1}
    assert (listing.report.reads, listing.report.counted, listing.report.verified) == (1, 450, True)


def test_items_archived_during_a_full_listing_miss_no_live_item(client, control):
    control.seed(items=450)
    fault_free = {item.item_number for item in client.iter_items_full()}
    control.seed(items=450)
    control.settings(archive_during_read=[{"after_page": 1, "items": 5}])
    control.reset_stats()
    listing = client.iter_items_full()
    read = [item.item_number for item in listing]
    archived = [f"SKU-{n:06d}" for n in range(1, 6)]
    assert [control.item(sku)["status"] for sku in archived] == ["archived"] * 5
    live = fault_free - set(archived)
    assert live <= set(read) and len(read) == len(set(read))  # lost 0, duplicated 0
    assert set(read) - live == set(archived)  # read on page 1 while still live; reported as left
    assert listing.report.reads == 2 and listing.report.verified
    assert {control.item(sku)["item"]["StockItemId"].lower() for sku in archived} == set(listing.report.left)
    assert control.stats()["calls"] == {"Stock/GetStockItemsFull": 6, "Stock/GetStockItems": 2}


def test_a_listing_that_changes_during_every_read_is_settled_by_sku_after_three_reads(client, control):
    control.seed(items=450)
    control.settings(archive_during_read=[{"after_page": 1, "items": 5}] * 3)  # one during each read
    control.reset_stats()
    listing = client.iter_items_full()
    read = {item.item_number for item in listing}
    live = {f"SKU-{n:06d}" for n in range(16, 451)}  # SKU 1-15 archived, 5 during each read
    report = listing.report
    assert live <= read and (report.reads, report.verified, report.missing) == (3, False, 0)
    # SKU 1-10 left before the last read: looked up by SKU, gone. SKU 11-15 the last read listed live.
    assert sorted(read - live) == [f"SKU-{n:06d}" for n in range(1, 16)]
    assert len(report.left) == 10
    calls = control.stats()["calls"]
    assert (calls["Stock/GetStockItems"], calls["Inventory/GetStockItemIdsBySKU"]) == (3, 1)
