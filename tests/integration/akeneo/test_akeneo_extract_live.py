"""Extraction against the Akeneo sandbox over real HTTP: full, incremental and manual runs give
exactly the expected products (expectations computed here from the served catalog's records)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from akeneo.pagination import iter_items
from akeneo.search import ProductQuery

pytestmark = pytest.mark.integration


def descendants(state, code: str) -> set[str]:
    found = {code}
    grew = True
    while grew:
        grew = False
        for child, category in state.categories.items():
            if category.get("parent") in found and child not in found:
                found.add(child)
                grew = True
    return found


def effective_updated(state, record):
    """Akeneo returns a variant when it or any of its product models was updated in range."""
    moment, parent = record.updated, record.parent
    while parent is not None:
        model = state.product_models[parent]
        moment = max(moment, model.updated)
        parent = model.parent
    return moment


def uuids(products) -> list[str]:
    return [p["uuid"] for p in products]


def test_full_extraction_returns_every_product_exactly_once(sandbox):
    client = sandbox.client()
    expected = set(sandbox.state.products)
    sequential = uuids(client.iter_products())
    concurrent = uuids(client.iter_products_concurrently())
    assert len(sequential) == len(set(sequential)) == len(expected)
    assert set(sequential) == expected
    assert sorted(concurrent) == sorted(sequential)


def test_identifier_format_reads_the_products_endpoint(sandbox):
    client = sandbox.client(product_id_format="identifier")
    identifiers = [p["identifier"] for p in client.iter_products_concurrently()]
    assert sorted(identifiers) == sorted(r.identifier for r in sandbox.state.products.values())
    assert "GET /api/rest/v1/products" in sandbox.stats()["requests"]


def test_profile_filters_select_exactly_the_matching_products(sandbox):
    state = sandbox.state
    wanted = descendants(state, "clothing") | descendants(state, "sports")
    query = ProductQuery(categories=["clothing", "sports"], enabled=True, families=["clothing", "sports"])
    expected = {r.uuid for r in state.products.values()
                if r.enabled and r.family in ("clothing", "sports") and wanted & set(r.categories)}
    client = sandbox.client()
    assert set(uuids(client.iter_products(query))) == expected
    assert sorted(uuids(client.iter_products_concurrently(query))) == sorted(expected)
    assert client.count_products(query) == len(expected)
    assert 0 < len(expected) < len(state.products)


def test_scope_and_locales_keep_only_the_values_the_run_needs(sandbox):
    query = ProductQuery(scope="ecommerce", locales=["en_US"], families=["electronics"])
    client = sandbox.client()
    products = list(client.iter_products(query))
    tree = descendants(sandbox.state, "master")  # the ecommerce channel's tree
    expected = {r.uuid for r in sandbox.state.products.values()
                if r.family == "electronics" and tree & set(r.categories)}
    assert set(uuids(products)) == expected
    for product in products:
        for entries in product["values"].values():
            for entry in entries:
                assert entry["scope"] in (None, "ecommerce") and entry["locale"] in (None, "en_US")
    assert client.count_products(query) == len(expected)


def test_incremental_windows_give_the_products_updated_in_them_without_gaps(sandbox):
    state = sandbox.state
    moments = sorted(effective_updated(state, r) for r in state.products.values())
    start, end = moments[len(moments) // 4], moments[3 * len(moments) // 4]
    # three adjacent windows, with boundaries inside seconds, like Airflow data intervals
    cuts = [start + timedelta(microseconds=400_000), start + (end - start) / 3,
            start + 2 * (end - start) / 3, end + timedelta(microseconds=250_000)]
    client = sandbox.client()
    seen: set[str] = set()
    for since, until in zip(cuts, cuts[1:]):
        got = set(uuids(client.iter_products_concurrently(ProductQuery(updated_since=since, updated_until=until))))
        low, high = since.replace(microsecond=0), until.replace(microsecond=0) + timedelta(seconds=1)
        in_window = {r.uuid for r in state.products.values() if low <= effective_updated(state, r) <= high}
        strictly_inside = {r.uuid for r in state.products.values() if since <= effective_updated(state, r) <= until}
        assert strictly_inside <= got <= in_window
        seen |= got
    whole = {r.uuid for r in state.products.values()
             if cuts[0].replace(microsecond=0) <= effective_updated(state, r) <= cuts[-1]}
    assert whole <= seen  # no product of the whole span fell between two windows


def test_manual_sync_by_identifiers_reads_exactly_those_over_several_requests(sandbox):
    records = sorted(sandbox.state.products.values(), key=lambda r: r.identifier)[::4][:250]
    wanted = [r.identifier for r in records] + ["DOES-NOT-EXIST"]
    query = ProductQuery(identifiers=wanted)
    client = sandbox.client(product_id_format="identifier")
    got = [p["identifier"] for p in client.iter_products(query)]
    assert sorted(got) == sorted(r.identifier for r in records)
    assert client.count_products(query) == 250
    assert sorted(p["identifier"] for p in client.iter_products_concurrently(query)) == sorted(got)
    assert sandbox.stats()["requests"]["GET /api/rest/v1/products"] >= 3


def test_manual_sync_by_uuids(sandbox):
    wanted = sorted(sandbox.state.products)[:130]
    got = uuids(sandbox.client().iter_products(ProductQuery(uuids=wanted)))
    assert sorted(got) == wanted


def test_links_rewritten_by_a_proxy_are_brought_back_to_the_connection(sandbox):
    sandbox.configure(link_base_url="http://proxy.invalid:9")
    got = uuids(sandbox.client().iter_products())
    assert set(got) == set(sandbox.state.products) and len(got) == len(sandbox.state.products)


def test_search_locale_dropped_from_next_links_is_put_back(sandbox):
    sandbox.configure(drop_search_locale_in_next=True)
    client = sandbox.client()
    params = {"pagination_type": "search_after", "limit": "100", "search_locale": "en_US",
              "search": '{"name":[{"operator":"CONTAINS","value":"e"}]}'}
    got = [p["uuid"] for p in iter_items(client.transport, client.settings.base_url,
                                         "/api/rest/v1/products-uuid", params)]
    expected = {r.uuid for r in sandbox.state.products.values()
                if any(v["locale"] == "en_US" and "e" in v["data"].lower() for v in r.values().get("name", []))}
    assert len(expected) > 200  # several pages, so next links were followed (CONTAINS ignores case)
    assert sorted(got) == sorted(expected)


def test_catalog_metadata_is_read_in_full(sandbox):
    metadata = sandbox.client().fetch_catalog_metadata()
    state = sandbox.state
    assert {a["code"] for a in metadata.attributes} == set(state.attributes)
    assert set(metadata.family_codes) == set(state.families)
    assert {c["code"] for c in metadata.categories} == set(state.categories)
    assert {c["code"] for c in metadata.channels} == set(state.channels)
    assert {m["code"] for m in metadata.measurement_families} == set(state.measurement_families)
    assert {c["code"] for c in metadata.currencies} == set(state.currencies)
    assert {c["code"] for c in metadata.locales} == set(state.locales)
    assert set(metadata.attribute_options) == {code for code, a in state.attributes.items()
                                               if a["type"] in ("pim_catalog_simpleselect", "pim_catalog_multiselect")}
    for code, options in metadata.attribute_options.items():
        assert {o["code"] for o in options} == set(state.attribute_options.get(code, {}))


def test_media_file_download(sandbox):
    media = next(iter(sandbox.state.media_files.values()))
    client = sandbox.client()
    assert client.download_media(media.code) == media.content
