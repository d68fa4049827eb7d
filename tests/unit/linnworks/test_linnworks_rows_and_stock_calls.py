"""Row, image and stock wrappers: documented shapes, deterministic pkRowIds, batching, paging."""
from __future__ import annotations

import pytest
from linnworks_unit_helpers import SESSION_TOKENS, api, body_of

from linnworks.api import ids
from linnworks.api.errors import LinnworksRequestError
from linnworks.api.models import (
    DataRequirement,
    ExtendedProperty,
    ItemDescription,
    ItemPrice,
    ItemTitle,
    StockLevelUpdate,
)

ITEM = ids.stock_item_id("SKU-1")


def calls_to(mocked, url):
    return [call for call in mocked.calls if call.request.url.split("?")[0] == url]


def test_create_prices_fills_deterministic_row_ids_and_batches_by_200(authorized, client):
    url = api("Inventory/CreateInventoryItemPrices")
    authorized.post(url, body="")
    rows = [ItemPrice(stock_item_id=ids.stock_item_id(f"S{i}"), source="AMAZON", sub_source="UK", price=i)
            for i in range(201)]
    client.create_prices(rows)
    first, second = (body_of(call)["inventoryItemPrices"] for call in calls_to(authorized, url))
    assert (len(first), len(second)) == (200, 1)
    assert first[0] == {"pkRowId": ids.price_row_id(ids.stock_item_id("S0"), "AMAZON", "UK"),
                        "StockItemId": ids.stock_item_id("S0"), "Source": "AMAZON", "SubSource": "UK", "Price": 0}


def test_creating_a_default_price_row_is_refused_with_the_way_to_do_it(authorized, client):
    with pytest.raises(ValueError, match="RetailPrice"):
        client.create_prices([ItemPrice(stock_item_id=ITEM, price=3)])


def test_update_and_delete_prices(authorized, client):
    authorized.post(api("Inventory/UpdateInventoryItemPrices"), body="")
    authorized.post(api("Inventory/DeleteInventoryItemPrices"), body="")
    client.update_prices([ItemPrice(pk_row_id="row-1", stock_item_id=ITEM, source="EBAY", sub_source="E", price=2)])
    client.delete_prices(["row-1", "row-2"])
    assert body_of(calls_to(authorized, api("Inventory/UpdateInventoryItemPrices"))[0])["inventoryItemPrices"][0]["pkRowId"] == "row-1"
    assert body_of(calls_to(authorized, api("Inventory/DeleteInventoryItemPrices"))[0]) == {
        "inventoryItemPriceIds": ["row-1", "row-2"]}


def test_get_prices_titles_descriptions_by_item_id(authorized, client):
    authorized.get(api("Inventory/GetInventoryItemPrices"), json=[{"pkRowId": "p", "Source": "AMAZON", "SubSource": "UK", "Price": 5}])
    authorized.get(api("Inventory/GetInventoryItemTitles"), json=[{"pkRowId": "t", "Source": "EBAY", "SubSource": "", "Title": "T"}])
    authorized.get(api("Inventory/GetInventoryItemDescriptions"), json=[{"pkRowId": "d", "Description": "D"}])
    assert client.get_prices(ITEM)[0].price == 5
    assert client.get_titles(ITEM)[0].title == "T"
    assert client.get_descriptions(ITEM)[0].description == "D"
    assert calls_to(authorized, api("Inventory/GetInventoryItemTitles"))[0].request.url.endswith(f"inventoryItemId={ITEM}")


def test_titles_and_descriptions_create_with_their_own_keys(authorized, client):
    authorized.post(api("Inventory/CreateInventoryItemTitles"), body="")
    authorized.post(api("Inventory/CreateInventoryItemDescriptions"), body="")
    client.create_titles([ItemTitle(stock_item_id=ITEM, source="EBAY", sub_source="E1", title="Hello")])
    client.create_descriptions([ItemDescription(stock_item_id=ITEM, source="EBAY", sub_source="E1", description="<p>x</p>")])
    (title,) = body_of(calls_to(authorized, api("Inventory/CreateInventoryItemTitles"))[0])["inventoryItemTitles"]
    (desc,) = body_of(calls_to(authorized, api("Inventory/CreateInventoryItemDescriptions"))[0])["inventoryItemDescriptions"]
    assert title["pkRowId"] == ids.title_row_id(ITEM, "EBAY", "E1") and title["Title"] == "Hello"
    assert desc["pkRowId"] == ids.description_row_id(ITEM, "EBAY", "E1")
    assert title["pkRowId"] != desc["pkRowId"]


def test_rows_without_an_item_are_refused_before_calling(authorized, client):
    with pytest.raises(ValueError, match="stock_item_id"):
        client.create_titles([ItemTitle(source="EBAY", title="x")])
    assert not calls_to(authorized, api("Inventory/CreateInventoryItemTitles"))


def test_extended_properties_use_the_propery_name_typo_and_read_text_answers(authorized, client):
    authorized.post(api("Inventory/CreateInventoryItemExtendedProperties"), body="Success", content_type="text/plain")
    authorized.post(api("Inventory/GetInventoryItemExtendedProperties"), json=[
        {"pkRowId": "r", "fkStockItemId": ITEM, "ProperyName": "colour", "PropertyValue": "red", "PropertyType": "Attribute"}])
    client.create_extended_properties([ExtendedProperty(fk_stock_item_id=ITEM, propery_name="colour", property_value="red")])
    (row,) = body_of(calls_to(authorized, api("Inventory/CreateInventoryItemExtendedProperties"))[0])["inventoryItemExtendedProperties"]
    # the spec's StockItemExtendedPropertyUpsertItem has no pkRowId: Linnworks names the row
    assert row == {"fkStockItemId": ITEM, "ProperyName": "colour", "PropertyValue": "red", "PropertyType": "Attribute"}
    (read,) = client.get_extended_properties(ITEM)
    assert (read.propery_name, read.property_value) == ("colour", "red")
    assert body_of(calls_to(authorized, api("Inventory/GetInventoryItemExtendedProperties"))[0]) == {"inventoryItemId": ITEM}


def test_extended_property_filter_and_per_item_delete(authorized, client):
    authorized.post(api("Inventory/GetInventoryItemExtendedProperties"), json=[])
    authorized.post(api("Inventory/DeleteInventoryItemExtendedProperties"), body="")
    client.get_extended_properties(ITEM, name="colour")
    client.delete_extended_properties(ITEM, ["r1", "r2"])
    assert body_of(calls_to(authorized, api("Inventory/GetInventoryItemExtendedProperties"))[0])["propertyParams"] == {
        "PropertyName": "colour"}
    assert body_of(calls_to(authorized, api("Inventory/DeleteInventoryItemExtendedProperties"))[0]) == {
        "inventoryItemId": ITEM, "inventoryItemExtendedPropertyIds": ["r1", "r2"]}


def test_add_image_by_url_is_wrapped_in_request(authorized, client):
    authorized.post(api("Inventory/AddImageToInventoryItem"), json={"StockItemId": ITEM, "ImageId": "img-1",
                                                                    "ImageUrl": "https://cdn/x.jpg"})
    added = client.add_image_by_url(ITEM, "https://img.example/x.jpg", is_main=True)
    assert added.image_id == "img-1"
    assert body_of(authorized.calls[-1]) == {"request": {"StockItemId": ITEM, "ImageUrl": "https://img.example/x.jpg",
                                                         "IsMain": True}}


def test_upload_image_goes_through_the_uploader_then_attaches_and_sets_main(authorized, client):
    authorized.post(api("Uploader/UploadFile"), json=[{"FileId": "file-1", "FileName": "a.png"}])
    authorized.post(api("Inventory/UploadImagesToInventoryItem"), json=[{"PictureId": "pic-1", "IsMain": False, "SortOrder": 1}])
    authorized.post(api("Inventory/SetInventoryItemImageAsMain"), status=204)
    picture = client.upload_image(ITEM, b"\x89PNG-bytes", "a.png", is_main=True, content_type="image/png")
    upload = calls_to(authorized, api("Uploader/UploadFile"))[0].request
    assert "type=Image" in upload.url and f"token={SESSION_TOKENS[0]}" in upload.url
    assert upload.headers["Authorization"] == SESSION_TOKENS[0]
    assert b"\x89PNG-bytes" in upload.body and upload.headers["Content-Type"].startswith("multipart/form-data")
    assert body_of(calls_to(authorized, api("Inventory/UploadImagesToInventoryItem"))[0]) == {
        "inventoryItemId": ITEM, "imageIds": ["file-1"]}
    assert body_of(calls_to(authorized, api("Inventory/SetInventoryItemImageAsMain"))[0]) == {
        "inventoryItemId": ITEM, "mainImageId": "pic-1"}
    assert picture.is_main


def test_several_files_go_to_the_uploader_in_one_multipart_call(authorized, client):
    authorized.post(api("Uploader/UploadFile"), json=[{"FileId": "file-1"}, {"FileId": "file-2"}])
    file_ids = client.upload_files([("a.png", b"\x89PNG-a", "image/png"), ("b.jpg", b"JFIF-b", "image/jpeg")])
    assert file_ids == ["file-1", "file-2"]
    (upload,) = [call.request for call in calls_to(authorized, api("Uploader/UploadFile"))]
    body = upload.body
    assert body.index(b"\x89PNG-a") < body.index(b"JFIF-b") and body.count(b'name="file"') == 2
    assert b'filename="a.png"' in body and b"Content-Type: image/jpeg" in body


def test_an_uploader_that_keeps_one_file_per_call_gets_one_file_per_call_from_then_on(authorized, client):
    url = api("Uploader/UploadFile")
    authorized.post(url, json=[{"FileId": "kept-first-only"}])
    for n in range(1, 5):
        authorized.post(url, json=[{"FileId": f"file-{n}"}])
    first = client.upload_files([("a.png", b"a", "image/png"), ("b.png", b"b", "image/png")])
    later = client.upload_files([("c.png", b"c", "image/png"), ("d.png", b"d", "image/png")])
    assert (first, later) == (["file-1", "file-2"], ["file-3", "file-4"])
    bodies = [call.request.body for call in calls_to(authorized, url)]
    assert [body.count(b'name="file"') for body in bodies] == [2, 1, 1, 1, 1]


def test_get_images(authorized, client):
    authorized.get(api("Inventory/GetInventoryItemImages"), json=[{"pkRowId": "i", "FullSource": "https://cdn/i.jpg", "IsMain": True}])
    assert client.get_images(ITEM)[0].full_source == "https://cdn/i.jpg"


def test_stock_levels_in_batches_keyed_by_item(authorized, client):
    url = api("Stock/GetStockLevel_Batch")
    authorized.post(url, json=[{"pkStockItemId": ITEM, "StockItemLevels": [
        {"Location": {"StockLocationId": "00000000-0000-0000-0000-000000000000", "LocationName": "Default"},
         "StockLevel": 5, "InOrderBook": 7, "Available": -2}]}])
    levels = client.get_stock_levels([ITEM] + [f"other-{i}" for i in range(200)])
    assert [len(body_of(c)["request"]["StockItemIds"]) for c in calls_to(authorized, url)] == [200, 1]
    (level,) = levels[ITEM]
    assert (level.stock_level, level.in_order_book, level.available) == (5, 7, -2)


def test_set_stock_levels_sends_absolute_levels_with_change_source(authorized, client):
    url = api("Stock/SetStockLevel")
    authorized.post(url, json=[{"SKU": "SKU-1", "StockLevel": 9}])
    result = client.set_stock_levels([StockLevelUpdate(sku="SKU-1", location_id="loc", level=9)], change_source="test")
    assert body_of(calls_to(authorized, url)[0]) == {
        "stockLevels": [{"SKU": "SKU-1", "LocationId": "loc", "Level": 9}], "changeSource": "test"}
    assert result[0].stock_level == 9


def test_items_full_by_ids_asks_for_the_data_requirements(authorized, client):
    url = api("Stock/GetStockItemsFullByIds")
    authorized.post(url, json={"StockItemsFullExtended": [{"StockItemId": ITEM, "ItemNumber": "SKU-1",
                                                           "ItemChannelPrices": [{"Source": "AMAZON", "Price": 3}]}]})
    (item,) = client.get_items_full([ITEM], [DataRequirement.CHANNEL_PRICE, DataRequirement.STOCK_LEVELS])
    assert body_of(calls_to(authorized, url)[0]) == {"request": {"StockItemIds": [ITEM],
                                                                 "DataRequirements": ["ChannelPrice", "StockLevels"]}}
    assert item.item_channel_prices[0].price == 3


def full_page(start, count):
    return [{"StockItemId": f"id-{i}", "ItemNumber": f"SKU-{i}"} for i in range(start, start + count)]


def listed_count(mocked, *totals):
    """GetStockItems answers, one per read: its TotalEntries is the size GetStockItemsFull's pages cover."""
    for total in totals:
        mocked.get(api("Stock/GetStockItems"), json={"PageNumber": 1, "EntriesPerPage": 1, "TotalEntries": total,
                                                      "TotalPages": total, "Data": []})


def test_full_listing_pages_by_200_and_stops_on_a_short_page(authorized, client):
    url = api("Stock/GetStockItemsFull")
    listed_count(authorized, 213)
    authorized.post(url, json=full_page(0, 200))
    authorized.post(url, json=full_page(200, 13))
    listing = client.iter_items_full([DataRequirement.STOCK_LEVELS])
    items = list(listing)
    bodies = [body_of(c) for c in calls_to(authorized, url)]
    assert [(b["pageNumber"], b["entriesPerPage"]) for b in bodies] == [(1, 200), (2, 200)]
    assert bodies[0]["dataRequirements"] == ["StockLevels"]
    assert len(items) == 213
    assert (listing.report.reads, listing.report.verified) == (1, True)


def test_full_listing_is_counted_once_with_the_same_filters(authorized, client):
    listed_count(authorized, 213)
    authorized.post(api("Stock/GetStockItemsFull"), json=full_page(0, 200))
    authorized.post(api("Stock/GetStockItemsFull"), json=full_page(200, 13))
    list(client.iter_items_full(load_variation_parents=False))
    (count,) = calls_to(authorized, api("Stock/GetStockItems"))
    assert count.request.url.split("?")[1] == ("entriesPerPage=1&pageNumber=1&excludeComposites=false"
                                               "&excludeVariations=true")


def test_full_listing_stops_on_the_400_end_marker(authorized, client):
    url = api("Stock/GetStockItemsFull")
    listed_count(authorized, 200)
    authorized.post(url, json=full_page(0, 200))
    authorized.post(url, status=400, json={"Message": "No items found with given filter"})
    assert len(list(client.iter_items_full())) == 200


def test_full_listing_that_shrank_while_read_is_read_again_and_reports_what_left(authorized, client):
    url = api("Stock/GetStockItemsFull")
    listed_count(authorized, 400, 398)
    # Read 1: id-0 and id-1 archived after page 1, so page 2 starts two rows later (id-200, id-201 slid).
    authorized.post(url, json=full_page(0, 200))
    authorized.post(url, json=full_page(202, 198))
    # Read 2: the listing as it now is.
    authorized.post(url, json=full_page(2, 200))
    authorized.post(url, json=full_page(202, 198))
    listing = client.iter_items_full()
    ids = [item.stock_item_id for item in listing]
    assert len(ids) == len(set(ids)) == 400 and {"id-200", "id-201"} <= set(ids)
    assert len(calls_to(authorized, url)) == 4 and len(calls_to(authorized, api("Stock/GetStockItems"))) == 2
    assert (listing.report.reads, listing.report.verified, listing.report.left) == (2, True, ["id-0", "id-1"])


def test_keyword_listing_is_not_counted(authorized, client):
    authorized.post(api("Stock/GetStockItemsFull"), json=full_page(0, 5))
    listing = client.iter_items_full(keyword="SKU", page_size=10)
    assert len(list(listing)) == 5
    assert calls_to(authorized, api("Stock/GetStockItems")) == []


def test_full_listing_raises_other_400s(authorized, client):
    listed_count(authorized, 10)
    authorized.post(api("Stock/GetStockItemsFull"), status=400, json={"Message": "Number must be between 1 and 200"})
    with pytest.raises(LinnworksRequestError, match="between 1 and 200"):
        list(client.iter_items_full())
