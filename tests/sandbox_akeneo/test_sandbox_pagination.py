"""Offset and search_after pagination, links and Akeneo's limits."""
from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = pytest.mark.integration


def _walk(akeneo, path: str, **params) -> tuple[list[dict], list[dict]]:
    """All items and all pages, following `next` links only."""
    items, pages, url = [], [], path
    answer = akeneo.get(url, **params)
    while True:
        assert answer.status_code == 200, answer.text
        page = answer.json()
        pages.append(page)
        items += page["_embedded"]["items"]
        if "next" not in page["_links"]:
            return items, pages
        answer = akeneo.http.get(page["_links"]["next"]["href"])


@pytest.mark.parametrize("path, key", [("/api/rest/v1/products", "identifier"),
                                       ("/api/rest/v1/products-uuid", "uuid")])
def test_search_after_walk_returns_every_product_once_in_key_order(akeneo, catalog_size, path, key):
    items, pages = _walk(akeneo, path, pagination_type="search_after", limit=25)
    keys = [item[key] for item in items]
    assert len(keys) == catalog_size and len(set(keys)) == catalog_size
    assert keys == sorted(keys)
    assert all("current_page" not in page for page in pages)


def test_search_after_links_are_absolute_and_the_cursor_is_opaque(akeneo):
    page = akeneo.get("/api/rest/v1/products", pagination_type="search_after", limit=10).json()
    next_href = page["_links"]["next"]["href"]
    assert next_href.startswith(akeneo.url + "/api/rest/v1/products?")
    cursor = parse_qs(urlsplit(next_href).query)["search_after"][0]
    last = page["_embedded"]["items"][-1]
    assert cursor != last["identifier"] and cursor != last["uuid"]
    assert "search_after" not in parse_qs(urlsplit(page["_links"]["first"]["href"]).query)


def test_a_full_last_search_after_page_is_followed_by_an_empty_page_without_next(akeneo):
    # Akeneo adds `next` whenever the page is full, so 120 products by 40 end with an empty page.
    assert akeneo.get("/api/rest/v1/products", with_count="true").json()["items_count"] == 120
    items, pages = _walk(akeneo, "/api/rest/v1/products", pagination_type="search_after", limit=40)
    assert [len(page["_embedded"]["items"]) for page in pages] == [40, 40, 40, 0]
    assert "next" not in pages[-1]["_links"]


def test_link_base_url_rewrites_every_link_like_a_proxy(akeneo):
    akeneo.settings(link_base_url="https://pim.example.com/prefix")
    page = akeneo.get("/api/rest/v1/products", pagination_type="search_after", limit=5).json()
    hrefs = [link["href"] for link in page["_links"].values()]
    hrefs += [item["_links"]["self"]["href"] for item in page["_embedded"]["items"]]
    assert all(href.startswith("https://pim.example.com/prefix/api/rest/v1/products") for href in hrefs)


def test_next_link_keeps_the_query_but_can_drop_search_locale_like_akeneos_bug(akeneo):
    search = json.dumps({"name": [{"operator": "CONTAINS", "value": "a"}]})
    params = dict(pagination_type="search_after", limit=5, search=search, search_locale="en_US", scope="ecommerce")
    kept = parse_qs(urlsplit(akeneo.get("/api/rest/v1/products", **params).json()["_links"]["next"]["href"]).query)
    assert kept["search_locale"] == ["en_US"] and kept["search"] == [search] and kept["scope"] == ["ecommerce"]
    akeneo.settings(drop_search_locale_in_next=True)
    dropped = parse_qs(urlsplit(akeneo.get("/api/rest/v1/products", **params).json()["_links"]["next"]["href"]).query)
    assert "search_locale" not in dropped and dropped["search"] == [search]


def test_offset_pages_have_current_page_previous_next_and_count(akeneo, catalog_size):
    page = akeneo.get("/api/rest/v1/products", page=2, limit=50, with_count="true").json()
    assert page["current_page"] == 2 and page["items_count"] == catalog_size
    assert set(page["_links"]) == {"self", "first", "previous", "next"}
    assert parse_qs(urlsplit(page["_links"]["next"]["href"]).query)["page"] == ["3"]
    last = akeneo.http.get(page["_links"]["next"]["href"]).json()
    assert len(last["_embedded"]["items"]) == 20 and "next" not in last["_links"]
    assert "items_count" not in akeneo.get("/api/rest/v1/products").json()


def test_offset_and_search_after_list_the_same_products(akeneo):
    by_offset, _ = _walk(akeneo, "/api/rest/v1/products", limit=100)
    by_cursor, _ = _walk(akeneo, "/api/rest/v1/products", pagination_type="search_after", limit=100)
    assert [p["identifier"] for p in by_offset] == [p["identifier"] for p in by_cursor]


def test_default_page_size_is_ten(akeneo):
    assert len(akeneo.items("/api/rest/v1/products")) == 10


@pytest.mark.parametrize("params, message", [
    ({"limit": 101}, "You cannot request more than 100 items."),
    ({"limit": 0}, '"0" is not a valid limit number.'),
    ({"page": 0}, '"0" is not a valid page number.'),
    ({"with_count": "yes"}, 'Parameter "with_count" has to be a boolean. Only "true" or "false" allowed, "yes" given.'),
    ({"pagination_type": "cursor"}, "Pagination type does not exist."),
])
def test_invalid_pagination_parameters_are_422_with_akeneos_messages(akeneo, params, message):
    answer = akeneo.get("/api/rest/v1/products", **params)
    assert answer.status_code == 422
    assert answer.json() == {"code": 422, "message": message}


def test_offset_pagination_past_the_result_window_asks_for_search_after(akeneo):
    answer = akeneo.get("/api/rest/v1/products", page=101, limit=100)
    assert answer.status_code == 422
    assert answer.json()["message"].startswith('You have reached the maximum number of pages you can retrieve')
    assert answer.json()["_links"]["documentation"]["href"].endswith("#the-search-after-method")
    assert akeneo.get("/api/rest/v1/products", page=100, limit=100).status_code == 200


def test_reference_lists_refuse_search_after(akeneo):
    answer = akeneo.get("/api/rest/v1/attributes", pagination_type="search_after")
    assert answer.status_code == 422 and answer.json()["message"] == "Pagination type is not supported."


def test_reference_lists_page_like_products(akeneo):
    attributes, pages = _walk(akeneo, "/api/rest/v1/attributes", limit=10)
    assert len(pages) >= 3 and len({a["code"] for a in attributes}) == len(attributes)
    assert pages[1]["current_page"] == 2 and "previous" in pages[1]["_links"]


def test_product_models_page_with_search_after(akeneo):
    models, _ = _walk(akeneo, "/api/rest/v1/product-models", pagination_type="search_after", limit=3)
    codes = [model["code"] for model in models]
    assert codes and codes == sorted(codes) and len(set(codes)) == len(codes)
