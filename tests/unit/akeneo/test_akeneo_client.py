"""Client reads: counting, streaming, concurrent partitions, reference data, media."""
import io
import json
from urllib.parse import parse_qs, urlsplit

import msgspec
import pytest
import requests
import urllib3
import responses
from akeneo_unit_helpers import BASE, make_settings, page

from akeneo.client import AkeneoClient
from akeneo.errors import AkeneoNotFoundError
from akeneo.pagination import field_value
from akeneo.search import ProductQuery

PRODUCTS = BASE + "/api/rest/v1/products"
FAMILIES = ["shoes", "bags", "hats", "socks", "belts"]


def fake_catalog(n=537):
    return [{"identifier": f"sku-{i:05d}", "family": FAMILIES[i % 7] if i % 7 < 5 else None,
             "enabled": i % 3 != 0, "values": {}} for i in range(n)]


def listing_callback(catalog):
    """GET /products with search_after pagination and the family/enabled filters."""
    def callback(request):
        q = {k: v[0] for k, v in parse_qs(urlsplit(request.url).query).items()}
        search = json.loads(q.get("search", "{}"))
        selected = catalog
        for cond in search.get("family", []):
            if cond["operator"] == "IN":
                selected = [p for p in selected if p["family"] in cond["value"]]
            elif cond["operator"] == "NOT IN":
                selected = [p for p in selected if p["family"] not in cond["value"]]
        for cond in search.get("enabled", []):
            selected = [p for p in selected if p["enabled"] == cond["value"]]
        if q.get("with_count") == "true":
            return 200, {}, json.dumps({**page(selected[:1]), "items_count": len(selected)})
        after = q.get("search_after", "")
        limit = int(q["limit"])
        rest = [p for p in selected if p["identifier"] > after]
        chunk = rest[:limit]
        next_href = None
        if len(rest) > limit:
            next_q = {k: v for k, v in q.items() if k != "search_after"}
            next_q["search_after"] = chunk[-1]["identifier"]
            next_href = "/api/rest/v1/products?" + "&".join(
                f"{k}={requests.utils.quote(v)}" for k, v in next_q.items())
        items = [{**p, "_links": {"self": {"href": "x"}}} for p in chunk]
        return 200, {}, json.dumps(page(items, next_href))
    return callback


@pytest.fixture
def catalog_api(token):
    catalog = fake_catalog()
    token.add_callback(responses.GET, PRODUCTS, callback=listing_callback(catalog))
    token.get(BASE + "/api/rest/v1/families", json=page([{"code": f} for f in FAMILIES]))
    return catalog


def identifier_client():
    return AkeneoClient(make_settings(product_id_format="identifier"))


def test_iter_products_streams_every_page_without_links(catalog_api):
    products = list(identifier_client().iter_products())
    assert products == [{k: v for k, v in p.items()} for p in catalog_api]
    assert all("_links" not in p for p in products)


def test_concurrent_partitions_yield_exactly_the_sequential_set(catalog_api):
    client = identifier_client()
    query = ProductQuery(enabled=True)
    sequential = [p["identifier"] for p in client.iter_products(query)]
    concurrent = [p["identifier"] for p in client.iter_products_concurrently(query)]
    assert len(concurrent) == len(set(concurrent))  # no duplicates
    assert sorted(concurrent) == sorted(sequential)
    assert len(sequential) == sum(1 for p in catalog_api if p["enabled"])


def test_concurrent_read_with_given_family_codes_does_not_list_families(catalog_api, token):
    client = identifier_client()
    got = list(client.iter_products_concurrently(family_codes=FAMILIES))
    assert len(got) == len(catalog_api)
    assert not any("/families" in c.request.url for c in token.calls)


def test_closing_the_concurrent_stream_early_stops_cleanly(catalog_api):
    stream = identifier_client().iter_products_concurrently(family_codes=FAMILIES)
    first = [next(stream) for _ in range(5)]
    stream.close()
    assert len(first) == 5


def test_a_failing_partition_raises_in_the_consumer(token):
    token.get(PRODUCTS, status=404, json={"code": 404, "message": "Not found"})
    with pytest.raises(AkeneoNotFoundError):
        list(identifier_client().iter_products_concurrently(family_codes=FAMILIES))


def test_count_products_is_one_cheap_call_with_count(catalog_api, token):
    assert identifier_client().count_products(ProductQuery(enabled=False)) == \
        sum(1 for p in catalog_api if not p["enabled"])
    [call] = [c for c in token.calls if c.request.url.startswith(PRODUCTS)]
    q = parse_qs(urlsplit(call.request.url).query)
    assert q["with_count"] == ["true"] and q["limit"] == ["1"] and q["pagination_type"] == ["page"]


def test_catalog_metadata_reads_every_list_and_options_of_select_attributes_only(token):
    attributes = [{"code": "sku", "type": "pim_catalog_identifier"},
                  {"code": "color", "type": "pim_catalog_simpleselect"},
                  {"code": "sizes", "type": "pim_catalog_multiselect"},
                  {"code": "name", "type": "pim_catalog_text"},
                  {"code": "maker", "type": "akeneo_reference_entity", "reference_data_name": "brands"},
                  {"code": "fabrics", "type": "akeneo_reference_entity_collection",
                   "reference_data_name": "brands"}]
    token.get(BASE + "/api/rest/v1/attributes", json=page(attributes[:2], next_href="/api/rest/v1/attributes?page=2&limit=100"))
    token.get(BASE + "/api/rest/v1/attributes", json=page(attributes[2:]))
    token.get(BASE + "/api/rest/v1/attributes/color/options", json=page([{"code": "red", "attribute": "color"}]))
    token.get(BASE + "/api/rest/v1/attributes/sizes/options", json=page([{"code": "s"}, {"code": "m"}]))
    for name in ("families", "channels", "locales", "currencies", "categories", "association-types"):
        token.get(BASE + f"/api/rest/v1/{name}", json=page([{"code": f"{name}-1"}]))
    token.get(BASE + "/api/rest/v1/measurement-families", json=[{"code": "Length", "units": {}}])
    variant = {"code": "by_size", "variant_attribute_sets": [{"level": 1, "axes": ["sizes"], "attributes": ["sku"]}]}
    token.get(BASE + "/api/rest/v1/families/families-1/variants", json=page([variant]))
    token.get(BASE + "/api/rest/v1/reference-entities/brands/attributes", json=[{"code": "label", "type": "text"}])
    metadata = identifier_client().fetch_catalog_metadata()
    assert [a["code"] for a in metadata.attributes] == ["sku", "color", "sizes", "name", "maker", "fabrics"]
    assert metadata.family_variants == {"families-1": [variant]}
    assert metadata.association_types == [{"code": "association-types-1"}]
    assert metadata.reference_entity_attributes == {"brands": [{"code": "label", "type": "text"}]}
    assert metadata.attribute_options == {"color": [{"code": "red", "attribute": "color"}],
                                          "sizes": [{"code": "s"}, {"code": "m"}]}
    assert metadata.families == [{"code": "families-1"}] and metadata.family_codes == ["families-1"]
    assert metadata.channels[0]["code"] == "channels-1"
    assert metadata.measurement_families == [{"code": "Length", "units": {}}]
    assert metadata.attribute_codes == {"sku", "color", "sizes", "name", "maker", "fabrics"}
    listed = [c.request.url for c in token.calls if "/attributes?" in c.request.url or c.request.url.endswith("/attributes")]
    assert "limit=100" in listed[0]


def test_media_download_returns_bytes_and_streams_to_a_file(token):
    code = "a/b/c/d/abcd_photo.jpg"
    token.get(BASE + "/api/rest/v1/media-files/a/b/c/d/abcd_photo.jpg/download", body=b"\x89PNG-bytes" * 10000)
    client = identifier_client()
    assert client.download_media(code) == b"\x89PNG-bytes" * 10000
    target = io.BytesIO()
    assert client.download_media_to(code, target) == 100000
    assert target.getvalue() == b"\x89PNG-bytes" * 10000


def test_media_download_interrupted_is_retried_from_the_start(token):
    url = BASE + "/api/rest/v1/media-files/x/y_file.bin/download"
    token.get(url, body=requests.exceptions.ChunkedEncodingError("connection broken"))
    token.get(url, body=b"complete")
    target = io.BytesIO(b"")
    assert identifier_client().download_media_to("x/y_file.bin", target) == 8
    assert target.getvalue() == b"complete"


class _BreaksAfter(io.RawIOBase):
    """A body that sends `data` and then loses the connection."""

    def __init__(self, data: bytes):
        self.data = data
        self.sent = False

    def readable(self):
        return True

    def readinto(self, buffer):
        if self.sent:
            raise urllib3.exceptions.ProtocolError("Connection broken: IncompleteRead")
        self.sent = True
        size = min(len(buffer), len(self.data))
        buffer[:size] = self.data[:size]
        self.data = self.data[size:]
        self.sent = not self.data
        return size


def test_media_download_dropped_mid_body_rewinds_the_file_and_retries(token):
    url = BASE + "/api/rest/v1/media-files/x/z_file.bin/download"
    # more than one read chunk (64 KiB) arrives before the connection breaks
    token.get(url, body=io.BufferedReader(_BreaksAfter(b"p" * 100_000), buffer_size=100_000))
    token.get(url, body=b"the whole file")
    target = io.BytesIO()
    target.write(b"HEADER:")  # the download starts where the file stood
    assert identifier_client().download_media_to("x/z_file.bin", target) == 14
    assert target.getvalue() == b"HEADER:the whole file"


def decoded(item) -> dict:
    """A raw item (fields decoded, values still JSON) as the dict the whole page would have given."""
    return msgspec.json.decode(msgspec.json.encode(item))


def test_raw_products_are_the_same_products_with_their_values_left_as_json(catalog_api):
    client = identifier_client()
    whole = list(client.iter_products())
    raw = list(client.iter_products(raw=True))
    assert [decoded(item) for item in raw] == whole
    assert all(isinstance(value, msgspec.Raw) for item in raw for value in item.values())
    assert all("_links" not in item for item in raw)
    assert [field_value(item, "identifier") for item in raw] == [p["identifier"] for p in whole]
    assert field_value(raw[0], "family") == whole[0]["family"] and field_value(raw[0], "missing", "-") == "-"


def test_raw_concurrent_partitions_yield_the_sequential_set(catalog_api):
    client = identifier_client()
    concurrent = [decoded(item) for item in client.iter_products_concurrently(family_codes=FAMILIES, raw=True)]
    assert sorted(concurrent, key=lambda p: p["identifier"]) == list(client.iter_products())


def test_field_value_reads_whole_and_raw_items_alike():
    whole = {"code": "m1", "parent": None, "values": {"a": [{"data": "é"}]}}
    raw = msgspec.json.decode(json.dumps(whole).encode(), type=dict[str, msgspec.Raw])
    for item in (whole, raw):
        assert field_value(item, "code") == "m1"
        assert field_value(item, "parent") is None
        assert field_value(item, "values") == {"a": [{"data": "é"}]}
        assert field_value(item, "absent") is None


def _by_identifier_callback(existing: set[str], calls: list[list[str]]):
    """GET /products (or /product-models) answering the `identifier IN` filter, with a next link
    whenever a page is full, as Akeneo does."""
    def callback(request):
        q = {k: v[0] for k, v in parse_qs(urlsplit(request.url).query).items()}
        if "search_after" in q:
            calls.append([])
            return 200, {}, json.dumps(page([]))
        asked = json.loads(q["search"])["identifier"][0]["value"]
        calls.append(asked)
        key = "code" if "product-models" in request.url else "identifier"
        items = [{key: code, "values": {}} for code in asked if code in existing]
        full = len(items) == int(q["limit"])
        return 200, {}, json.dumps(page(items, "/api/rest/v1/products?search_after=x" if full else None))
    return callback


def test_fetching_products_by_identifier_takes_one_call_per_hundred_and_no_empty_page(token):
    existing = {f"sku-{i:04d}" for i in range(250)}
    calls: list[list[str]] = []
    token.add_callback(responses.GET, PRODUCTS, callback=_by_identifier_callback(existing, calls))
    wanted = [f"sku-{i:04d}" for i in range(0, 260)]  # the last ten do not exist
    found = identifier_client().fetch_products(wanted, attributes=("price",))
    assert set(found) == existing and found["sku-0007"]["identifier"] == "sku-0007"
    assert sorted(len(asked) for asked in calls) == [60, 100, 100]  # the full pages' next links are not followed
    assert all("attributes=price" in c.request.url for c in token.calls if c.request.url.startswith(PRODUCTS))


def test_fetching_product_models_by_code(token):
    calls: list[list[str]] = []
    token.add_callback(responses.GET, BASE + "/api/rest/v1/product-models",
                       callback=_by_identifier_callback({"tee", "hood"}, calls))
    assert set(identifier_client().fetch_product_models(["tee", "hood", "gone", "tee"])) == {"tee", "hood"}
    assert calls == [["tee", "hood", "gone"]]
