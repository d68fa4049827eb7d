"""Following next links: repaired host/scheme, relative links, dropped filters put back."""
from urllib.parse import parse_qs, urlsplit

import msgspec
import pytest
import responses
from akeneo_unit_helpers import BASE, make_settings, page

from akeneo.errors import AkeneoError
from akeneo.pagination import NextLinkRepair, iter_items, iter_pages
from akeneo.transport import Transport

PRODUCTS = BASE + "/api/rest/v1/products"
FIRST = {"pagination_type": "search_after", "limit": "100", "search": '{"enabled":[{"operator":"=","value":true}]}',
         "search_locale": "fr_FR", "scope": "ecommerce"}


def query(url):
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_relative_next_link_is_resolved_against_the_base_url():
    repaired = NextLinkRepair(BASE).repair("/api/rest/v1/products?search_after=abc&limit=100")
    assert repaired.startswith("https://pim.example.com/api/rest/v1/products?")
    assert query(repaired) == {"search_after": "abc", "limit": "100"}


def test_next_link_on_another_scheme_or_host_is_brought_back_to_the_base_url():
    repaired = NextLinkRepair(BASE).repair("http://internal-node:8080/api/rest/v1/products?search_after=abc")
    parts = urlsplit(repaired)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "pim.example.com", "/api/rest/v1/products")
    assert query(repaired)["search_after"] == "abc"


def test_filter_dropped_by_the_next_link_is_put_back_and_the_cursor_is_the_links():
    link = BASE + "/api/rest/v1/products?pagination_type=search_after&limit=100&scope=ecommerce" \
                  "&search=%7B%22enabled%22%3A%5B%7B%22operator%22%3A%22%3D%22%2C%22value%22%3Atrue%7D%5D%7D" \
                  "&search_after=opaque%3D%3Dcursor"
    repaired = query(NextLinkRepair(BASE, {**FIRST, "search_after": "stale"}).repair(link))
    assert repaired["search_locale"] == "fr_FR"
    assert repaired["search"] == FIRST["search"]
    assert repaired["search_after"] == "opaque==cursor"  # never the first request's, never built


def test_parameters_the_link_kept_are_not_overridden():
    link = BASE + "/api/rest/v1/products?limit=100&scope=mobile&search_after=x"
    assert query(NextLinkRepair(BASE, FIRST).repair(link))["scope"] == "mobile"


def test_items_of_every_page_are_read_following_links_until_there_is_none(token):
    token.get(PRODUCTS, match=[], json=page([{"identifier": "a", "_links": {"self": {"href": "x"}}}],
                                            next_href="http://proxy.local/api/rest/v1/products?search_after=c1&limit=100"))
    token.get(PRODUCTS, json=page([{"identifier": "b"}], next_href="/api/rest/v1/products?search_after=c2&limit=100"))
    token.get(PRODUCTS, json=page([{"identifier": "c"}]))
    items = list(iter_items(Transport(make_settings()), BASE, "/api/rest/v1/products", FIRST))
    assert items == [{"identifier": "a"}, {"identifier": "b"}, {"identifier": "c"}]
    urls = [c.request.url for c in token.calls if "/products" in c.request.url]
    assert len(urls) == 3
    assert all(u.startswith(PRODUCTS) for u in urls)
    assert query(urls[1])["search_after"] == "c1" and query(urls[1])["search_locale"] == "fr_FR"
    assert query(urls[2])["search_after"] == "c2" and query(urls[2])["search"] == FIRST["search"]


def test_a_next_link_to_the_same_page_stops_instead_of_looping(token):
    same = PRODUCTS + "?search_after=c1&limit=100"
    token.get(PRODUCTS, json=page([{"identifier": "a"}], next_href=same))
    with pytest.raises(AkeneoError, match="loop"):
        list(iter_items(Transport(make_settings()), BASE, "/api/rest/v1/products", {"limit": "100"}))


def test_a_page_that_is_not_json_is_an_akeneo_error(token):
    token.get(PRODUCTS, body="<html>502 Bad Gateway</html>", status=200)
    with pytest.raises(AkeneoError, match="not JSON"):
        list(iter_items(Transport(make_settings()), BASE, "/api/rest/v1/products", {"limit": "100"}))


def test_raw_pages_give_items_one_level_deep_and_follow_the_same_links(token):
    token.get(PRODUCTS, json=page([{"identifier": "a", "values": {"n": [{"data": "é \"q\""}]}, "_links": {"self": {"href": "x"}}}],
                                  next_href="/api/rest/v1/products?search_after=c1&limit=100"))
    token.get(PRODUCTS, json=page([{"identifier": "b", "values": []}]))  # PHP's empty object
    pages = list(iter_pages(Transport(make_settings()), BASE, "/api/rest/v1/products", FIRST, raw=True))
    assert [[set(item) for item in items] for items in pages] == [[{"identifier", "values", "_links"}], [{"identifier", "values"}]]
    assert msgspec.json.decode(pages[0][0]["values"]) == {"n": [{"data": "é \"q\""}]}
    assert msgspec.json.decode(pages[1][0]["values"]) == []
    assert query([c.request.url for c in token.calls if "/products" in c.request.url][1])["search_locale"] == "fr_FR"


def test_a_raw_page_of_another_shape_is_read_whole_and_an_error_page_refused(token):
    # `_links` and `_embedded` as PHP's empty arrays: an empty last page, not an error
    token.get(PRODUCTS, json={"_links": [], "_embedded": []})
    assert list(iter_pages(Transport(make_settings()), BASE, "/api/rest/v1/products", raw=True)) == [[]]
    token.replace(responses.GET, PRODUCTS, body="<html>Bad gateway</html>", status=200)
    with pytest.raises(AkeneoError, match="not JSON"):
        list(iter_pages(Transport(make_settings()), BASE, "/api/rest/v1/products", raw=True))
