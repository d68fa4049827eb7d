"""Building Akeneo searches from profile-level options."""
import json
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from akeneo.search import IDS_PER_REQUEST, ProductQuery, updated_window_filter

UTC = timezone.utc


def search_of(params: dict) -> dict:
    return json.loads(params["search"])


def test_profile_options_become_one_search_and_value_params():
    query = ProductQuery(categories=["master"], enabled=True, families=["shoes", "bags"],
                         scope="ecommerce", locales=["en_US", "fr_FR"])
    [params] = query.request_params()
    assert params["pagination_type"] == "search_after" and params["limit"] == "100"
    assert params["scope"] == "ecommerce" and params["locales"] == "en_US,fr_FR"
    assert search_of(params) == {
        "categories": [{"operator": "IN CHILDREN", "value": ["master"]}],
        "enabled": [{"operator": "=", "value": True}],
        "family": [{"operator": "IN", "value": ["shoes", "bags"]}],
    }


def test_no_options_means_no_search_parameter():
    [params] = ProductQuery().request_params()
    assert "search" not in params and "scope" not in params and "locales" not in params


def test_categories_without_children_use_in():
    [params] = ProductQuery(categories=["shoes"], include_category_children=False).request_params()
    assert search_of(params)["categories"] == [{"operator": "IN", "value": ["shoes"]}]


def test_updated_window_uses_akeneos_format_and_widens_to_whole_seconds():
    since = datetime(2026, 3, 1, 10, 0, 0, 250000, tzinfo=UTC)
    until = datetime(2026, 3, 1, 11, 0, 0, 1, tzinfo=UTC)
    assert updated_window_filter(since, until) == [
        {"operator": "BETWEEN", "value": ["2026-03-01 10:00:00", "2026-03-01 11:00:01"]}]


def test_updated_window_is_expressed_in_the_servers_time_zone():
    since = datetime(2026, 7, 1, 10, 0, 0, tzinfo=UTC)
    until = datetime(2026, 7, 1, 11, 0, 0, tzinfo=UTC)
    assert updated_window_filter(since, until, "Europe/Paris")[0]["value"] == [
        "2026-07-01 12:00:00", "2026-07-01 13:00:00"]


def test_naive_datetimes_are_utc_and_aware_ones_are_converted():
    naive = datetime(2026, 1, 1, 8, 0, 0)
    aware = datetime(2026, 1, 1, 9, 0, 0, tzinfo=timezone(timedelta(hours=1)))
    assert updated_window_filter(naive, aware)[0]["value"] == ["2026-01-01 08:00:00", "2026-01-01 08:00:00"]


def test_open_ended_windows_keep_their_boundary_second():
    moment = datetime(2026, 3, 1, 10, 0, 0, tzinfo=UTC)
    assert updated_window_filter(moment, None) == [{"operator": ">", "value": "2026-03-01 09:59:59"}]
    assert updated_window_filter(None, moment) == [{"operator": "<", "value": "2026-03-01 10:00:01"}]
    assert updated_window_filter(None, None) == []


@settings(max_examples=200, deadline=None)
@given(start=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)),
       lengths=st.lists(st.timedeltas(min_value=timedelta(microseconds=1), max_value=timedelta(days=2)),
                        min_size=2, max_size=5),
       probe=st.floats(min_value=0, max_value=1))
def test_adjacent_windows_never_leave_a_gap_and_overlap_at_most_one_second(start, lengths, probe):
    bounds = [start]
    for length in lengths:
        bounds.append(bounds[-1] + length)
    windows = []
    for a, b in zip(bounds, bounds[1:]):
        lo, hi = updated_window_filter(a, b)[0]["value"]
        windows.append((datetime.strptime(lo, "%Y-%m-%d %H:%M:%S"), datetime.strptime(hi, "%Y-%m-%d %H:%M:%S")))
    # any second of the covered span is inside some window (BETWEEN is inclusive)
    span = bounds[-1] - bounds[0]
    moment = (bounds[0] + span * probe).replace(microsecond=0)
    assert any(lo <= moment <= hi for lo, hi in windows)
    for (_, hi), (lo, _) in zip(windows, windows[1:]):
        assert lo <= hi <= lo + timedelta(seconds=1)


def test_a_long_identifier_list_is_split_over_several_requests():
    identifiers = [f"sku-{i:05d}" for i in range(250)]
    requests = ProductQuery(identifiers=identifiers, enabled=True).request_params()
    assert len(requests) == 3
    sent = []
    for params in requests:
        search = search_of(params)
        assert search["enabled"] == [{"operator": "=", "value": True}]
        [condition] = search["identifier"]
        assert condition["operator"] == "IN" and len(condition["value"]) <= IDS_PER_REQUEST
        assert len(params["search"]) < 5000
        sent += condition["value"]
    assert sent == identifiers


def test_uuids_use_the_uuid_filter():
    uuids = ["1c6a4a4b-1e0c-4c6f-9c4e-44b9a1b2f3c1", "e8f0a8a2-7f62-4a3e-8b0e-0f4c7a0f7a11"]
    [params] = ProductQuery(uuids=uuids).request_params()
    assert search_of(params) == {"uuid": [{"operator": "IN", "value": uuids}]}


def test_identifiers_and_uuids_together_are_refused():
    with pytest.raises(ValueError):
        ProductQuery(identifiers=["a"], uuids=["b"])


def test_window_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError):
        ProductQuery(updated_since=datetime(2026, 1, 2), updated_until=datetime(2026, 1, 1))


def matches(query: ProductQuery, family: str | None) -> bool:
    """Akeneo's family filter semantics for one product."""
    if query.families and family not in query.families:
        return False
    if query.excluded_families and family in query.excluded_families:
        return False
    return True


@given(families=st.lists(st.sampled_from(["a", "b", "c", "d", "e", "f", "g"]), unique=True, max_size=7),
       product_families=st.lists(st.sampled_from(["a", "b", "c", "d", "e", "f", "g", "new", None]), max_size=40),
       parts=st.integers(min_value=1, max_value=6))
def test_family_partitions_are_disjoint_and_cover_every_product(families, product_families, parts):
    partitions = ProductQuery(enabled=True).partitions(families, parts)
    assert 1 <= len(partitions) <= parts
    for family in product_families:  # including no family and a family created since the list
        assert sum(matches(p, family) for p in partitions) == 1
    assert all(p.enabled is True for p in partitions)


def test_partitions_of_a_family_filter_split_only_those_families():
    partitions = ProductQuery(families=["a", "b", "c"]).partitions(["a", "b", "c", "d"], 2)
    assert [p.families for p in partitions] == [("a", "c"), ("b",)]
    assert all(not p.excluded_families for p in partitions)


def test_partitions_of_a_manual_sync_split_its_id_chunks():
    ids = [f"sku-{i}" for i in range(350)]
    partitions = ProductQuery(identifiers=ids).partitions([], 4)
    assert len(partitions) == 4
    assert sorted(i for p in partitions for i in p.identifiers) == sorted(ids)
