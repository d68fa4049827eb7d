"""The akeneo source's extract with a client in memory: products (and the models their variants need)
staged in chunks as Akeneo sent them, whether the client hands whole dicts or raw items (fields
decoded, values still JSON); the models' files, the run's keys and the chunking."""
from __future__ import annotations

import copy
import json
import logging
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import msgspec
import pytest

from pimflow.kinds import RunContext
from pimflow.kinds import akeneo_source
from pimflow.kinds.akeneo_source import AkeneoSourceKind
from pimflow.kinds.akeneo_structure import (CHUNK_MODELS_FILE, MODELS_FILE, ModelIndex, ModelSpill, stage_models,
                                            staged_models)
from pimflow.kinds.base import RUN_KEYS_FILE
from pimflow.profile import Profile
from pimflow.staging import RunStaging, as_storage_path, read_jsonl
from pimflow.window import RunParams, Window

ROOTS = [{"code": f"root{r}", "family_variant": "fv2", "parent": None,
          "values": {"brand": [{"locale": None, "scope": None, "data": f"Brand é{r}"}]}} for r in range(2)]
SUBS = [{"code": f"sub{r}{s}", "family_variant": "fv2", "parent": f"root{r}",
         "values": {"color": [{"locale": None, "scope": None, "data": f"c{s}"}]}} for r in range(2) for s in range(2)]
MODELS = {m["code"]: m for m in ROOTS + SUBS + [
    {"code": "solo", "family_variant": "fv1", "parent": None, "values": {}},
    {"code": "unused", "family_variant": "fv1", "parent": None, "values": {}}]}


def product(n: int, parent: str | None) -> dict:
    return {"uuid": f"00000000-0000-0000-0000-{n:012d}", "identifier": f"SKU-{n}", "enabled": True,
            "family": "shirts", "categories": ["a", "b"], "parent": parent,
            "values": {"sku": [{"locale": None, "scope": None, "data": f"SKU-{n}"}],
                       "name": [{"locale": "de_DE", "scope": "ecommerce", "data": f"Hemd „{n}“"}],
                       "price": [{"locale": None, "scope": None,
                                  "data": [{"amount": "10.50", "currency": "EUR"}]}],
                       "weight": [{"locale": None, "scope": None, "data": {"amount": 1.5, "unit": "KILOGRAM"}}]},
            "associations": {"PACK": {"products": [], "product_models": [], "groups": []}},
            "quantified_associations": {}, "created": "2026-01-01T00:00:00+00:00",
            "updated": "2026-01-02T00:00:00+00:00"}


PARENTS = ["sub00", "sub01", None, "sub10", "solo", None, "sub11", None, "sub00", None]
PRODUCTS = [product(n, parent) for n, parent in enumerate(PARENTS)]
# a product named only by its identifier attribute (Akeneo 7's uuid products may lack `identifier`)
PRODUCTS.append({**product(99, None), "identifier": None})


def as_raw(item: dict) -> dict:
    """What the client yields with raw=True: the item's fields, each value the JSON Akeneo sent."""
    return msgspec.json.decode(json.dumps(item, ensure_ascii=True).encode(), type=dict[str, msgspec.Raw])


class FakeClient:
    """Products and models in memory, filtered as Akeneo would for what extract asks."""

    def __init__(self, raw_items: bool, changed: tuple[str, ...] = (), extra_variants: list[dict] = (),
                 outside: list[dict] = ()):
        self.raw_items = raw_items  # False: hand whole dicts whatever is asked (the shape extract used to get)
        self.changed = changed
        self.extra_variants = list(extra_variants)
        self.outside = list(outside)  # products no window selects: found by identifier only
        self.settings = SimpleNamespace(product_id_format="identifier")
        self.model_queries: list[tuple[str, ...]] = []
        self.identifier_queries: list[tuple[str, ...]] = []

    def _out(self, items, raw):
        for item in items:
            yield as_raw(item) if raw and self.raw_items else copy.deepcopy(item)

    def iter_products(self, query, raw=False):
        if query.identifiers:
            self.identifier_queries.append(query.identifiers)
            assert query.updated_since is None and query.updated_until is None
            found = [p for p in PRODUCTS + self.outside if p["identifier"] in query.identifiers]
        elif query.parents:
            lineage = set(query.parents) | {m["code"] for m in MODELS.values() if m["parent"] in query.parents}
            found = [p for p in PRODUCTS + self.extra_variants if p["parent"] in lineage]
        else:
            found = PRODUCTS
        return self._out(found, raw)

    def iter_products_concurrently(self, query, family_codes=None, raw=False):
        return self.iter_products(query, raw)

    def iter_product_models(self, query, raw=False):
        if query.updated_since is not None:
            found = [MODELS[code] for code in self.changed]
        else:
            self.model_queries.append(query.identifiers)
            found = [MODELS[code] for code in query.identifiers if code in MODELS]
        return self._out(found, raw)


def context(tmp_path: Path, chunk_size: int = 4, product_models: bool = True, window: Window | None = None,
            concurrent: bool = True) -> RunContext:
    profile = Profile.model_validate({
        "id": "unit_akeneo_extract", "chunk_size": chunk_size,
        "source": {"kind": "akeneo", "channel": "ecommerce", "product_id": "identifier",
                   "product_models": product_models, "concurrent": concurrent},
        "target": {"kind": "feed", "path": "out.csv"}})
    staging = RunStaging(as_storage_path(tmp_path / "staging"), profile.id, "run")
    return RunContext(profile, tmp_path, staging, RunParams(), profile.id, "run", window=window,
                      log=logging.getLogger("test"))


@pytest.fixture
def client_of(monkeypatch):
    """Installs a FakeClient as the source's client (and the staged metadata extract reads)."""
    def install(client: FakeClient) -> FakeClient:
        monkeypatch.setattr(akeneo_source, "akeneo_client", lambda *args, **kwargs: client)
        monkeypatch.setattr(akeneo_source, "staged_metadata",
                            lambda ctx, role: (SimpleNamespace(identifier="sku"), None, {"families": [{"code": "shirts"}]}))
        return client
    return install


def staged(ctx: RunContext, chunks: list[dict]) -> dict:
    """Every staged file of the run, decoded (chunk records in order)."""
    root = Path(str(ctx.staging.root).removeprefix("file://"))
    files = {path.name: json.loads(path.read_bytes()) for path in sorted(root.glob("*.json"))}
    return {"chunks": [(c["index"], c["records"], list(read_jsonl(as_storage_path(c["path"])))) for c in chunks],
            "files": files}


@pytest.mark.parametrize("concurrent", [True, False])
def test_raw_items_stage_the_same_records_and_files_as_whole_dicts(tmp_path, client_of, concurrent):
    results = []
    for raw in (False, True):
        ctx = context(tmp_path / f"raw-{raw}", concurrent=concurrent)
        client_of(FakeClient(raw_items=raw))
        chunks = AkeneoSourceKind(ctx.profile.source).extract(ctx)
        results.append(staged(ctx, chunks))
    assert results[0] == results[1]


def test_products_then_sub_models_then_roots_in_chunks_with_their_models(tmp_path, client_of):
    ctx = context(tmp_path)
    client = client_of(FakeClient(raw_items=True))
    chunks = AkeneoSourceKind(ctx.profile.source).extract(ctx)
    out = staged(ctx, chunks)

    records = [record for _, _, chunk in out["chunks"] for record in chunk]
    met = ["solo", "sub00", "sub01", "sub10", "sub11", "root0", "root1"]  # the order the client gave them
    assert records == [*PRODUCTS, *(MODELS[c] for c in ["sub00", "sub01", "sub10", "sub11", "solo", "root0", "root1"])]
    assert all("_links" not in r for r in records)
    assert [(index, count) for index, count, _ in out["chunks"]] == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 2)]
    assert [c["path"].rsplit("/", 1)[1] for c in chunks] == [f"chunk-{i:05d}.jsonl" for i in range(5)]

    assert list(out["files"][MODELS_FILE]) == met
    assert out["files"][MODELS_FILE] == {code: MODELS[code] for code in met}
    # each chunk's file: the lineages of its records' parents (sub-models' too), nothing else
    def lineage_codes(parent):
        return {parent, MODELS[parent]["parent"]} - {None}
    for index, _, chunk in out["chunks"]:
        wanted = set().union(*(lineage_codes(r["parent"]) for r in chunk if r.get("parent")))
        name = CHUNK_MODELS_FILE.format(chunk=index)
        if wanted:
            assert out["files"][name] == {code: MODELS[code] for code in wanted}
        else:
            assert name not in out["files"]
    assert out["files"][RUN_KEYS_FILE] == sorted([p["identifier"] or "SKU-99" for p in PRODUCTS] + met)
    assert client.model_queries == [("solo", "sub00", "sub01", "sub10", "sub11"), ("root0", "root1")]


def test_without_product_models_only_products_are_staged(tmp_path, client_of):
    ctx = context(tmp_path, chunk_size=5, product_models=False)
    client = client_of(FakeClient(raw_items=True))
    chunks = AkeneoSourceKind(ctx.profile.source).extract(ctx)
    out = staged(ctx, chunks)
    assert [record for _, _, chunk in out["chunks"] for record in chunk] == PRODUCTS
    assert [count for _, count, _ in out["chunks"]] == [5, 5, 1]
    assert set(out["files"]) == {RUN_KEYS_FILE}
    assert out["files"][RUN_KEYS_FILE] == sorted(p["identifier"] or "SKU-99" for p in PRODUCTS)
    assert client.model_queries == []


@pytest.mark.parametrize("raw", [False, True])
def test_an_incremental_run_adds_the_variants_of_changed_models_once(tmp_path, client_of, raw):
    window = Window("incremental", datetime(2026, 1, 1, tzinfo=timezone.utc), datetime(2026, 1, 2, tzinfo=timezone.utc))
    ctx = context(tmp_path, window=window)
    newcomer = product(50, "sub11")
    client_of(FakeClient(raw_items=raw, changed=("root1",), extra_variants=[newcomer]))
    chunks = AkeneoSourceKind(ctx.profile.source).extract(ctx)
    records = [record for _, _, chunk in staged(ctx, chunks)["chunks"] for record in chunk]
    identifiers = [r.get("identifier") for r in records if "family_variant" not in r]
    # the products the filter returned, then only the variant of root1's lineage that was not among them
    assert identifiers == [p["identifier"] for p in PRODUCTS] + ["SKU-50"]
    models = [r["code"] for r in records if "family_variant" in r]
    assert models == ["sub00", "sub01", "sub10", "sub11", "root1", "solo", "root0"]  # root1 met first (changed)


def test_a_failing_read_leaves_no_open_file_and_raises(tmp_path, client_of):
    ctx = context(tmp_path)
    client = client_of(FakeClient(raw_items=True))

    def failing(query, raw=False):
        yield from client._out(PRODUCTS[:5], raw)
        raise RuntimeError("connection lost")

    client.iter_products_concurrently = lambda query, family_codes=None, raw=False: failing(query, raw)
    with pytest.raises(RuntimeError, match="connection lost"):
        AkeneoSourceKind(ctx.profile.source).extract(ctx)


def test_the_model_spill_keeps_models_in_a_file_with_their_lineage(tmp_path):
    with ModelSpill() as spill:
        for model in (MODELS["sub00"], as_raw(MODELS["root0"]), MODELS["sub10"]):
            spill.add(model)
        assert list(spill) == ["sub00", "root0", "sub10"] and len(spill) == 3 and "root0" in spill
        assert spill.lineage("sub00") == ["root0", "sub00"] and spill.lineage("sub10") == ["sub10"]
        assert spill.lineage(None) == [] and spill.lineage("nowhere") == []
        assert spill.missing_parents() == {"root1"}
        assert msgspec.json.decode(spill.json("root0")) == MODELS["root0"]
        assert msgspec.json.decode(msgspec.json.encode(spill.record("sub00"))) == MODELS["sub00"]
        spill.add({**MODELS["sub00"], "values": {}})  # met again: replaced, keeps its place
        assert list(spill) == ["sub00", "root0", "sub10"]
        assert msgspec.json.decode(spill.json("sub00"))["values"] == {}


def test_staged_model_files_hold_what_the_models_index_did(tmp_path):
    ctx = context(tmp_path)
    ctx.staging.mark_started(datetime(2026, 1, 1, tzinfo=timezone.utc))
    codes = ["sub00", "root0", "sub11", "root1", "solo"]
    with ModelSpill() as spill:
        for code in codes:
            spill.add(as_raw(MODELS[code]))
        stage_models(ctx, spill, {0: {"sub00"}, 3: {"sub11", "solo"}})
    # as before: every model by code in the order met, and per chunk the lineages of its parents
    index = ModelIndex({code: MODELS[code] for code in codes})
    assert staged_models(ctx).models == index.models
    assert list(staged_models(ctx).models) == codes
    assert staged_models(ctx, 0).models == {m["code"]: m for m in index.lineage("sub00")}
    assert staged_models(ctx, 3).models == {m["code"]: m for p in ("sub11", "solo") for m in index.lineage(p)}
    assert staged_models(ctx, 1).models == index.models  # no file of its own: the run's


# -- records earlier runs refused transiently (pimflow.carry_over) ------------------------------------

WINDOW = Window("incremental", datetime(2026, 1, 1, tzinfo=timezone.utc), datetime(2026, 1, 2, tzinfo=timezone.utc))


def carrying(ctx: RunContext, keys: list[str]) -> None:
    """What an earlier run's feedback left, and what this run's extract step chose from it."""
    from pimflow import carry_over
    from pimflow.staging import write_json

    write_json(carry_over.carry_over_path(ctx.staging), {"records": {key: {"code": "x"} for key in keys}})
    carry_over.select(ctx, ctx.window)


def test_an_incremental_run_also_reads_the_carried_products_its_window_left_out(tmp_path, client_of):
    ctx = context(tmp_path, chunk_size=5, product_models=False, window=WINDOW)
    client = client_of(FakeClient(raw_items=True, outside=[product(70, None)]))
    carrying(ctx, ["SKU-3", "SKU-70", "GONE"])

    records = [r for _, _, chunk in staged(ctx, AkeneoSourceKind(ctx.profile.source).extract(ctx))["chunks"]
               for r in chunk]

    assert [r["identifier"] for r in records] == [p["identifier"] for p in PRODUCTS] + ["SKU-70"]
    assert client.identifier_queries == [("GONE", "SKU-70")]  # SKU-3 came with the window


def test_carried_models_bring_their_variants_like_a_model_changed_in_the_window(tmp_path, client_of):
    ctx = context(tmp_path, window=WINDOW)
    client = client_of(FakeClient(raw_items=True, outside=[product(70, None)], extra_variants=[product(51, "sub01")]))
    carrying(ctx, ["SKU-70", "root0"])

    records = [r for _, _, chunk in staged(ctx, AkeneoSourceKind(ctx.profile.source).extract(ctx))["chunks"]
               for r in chunk]

    identifiers = [r.get("identifier") for r in records if "family_variant" not in r]
    assert identifiers == [p["identifier"] for p in PRODUCTS] + ["SKU-70", "SKU-51"]
    assert "root0" in [r["code"] for r in records if "family_variant" in r]
    assert client.identifier_queries == [("SKU-70", "root0")]
    assert client.model_queries[0] == ("root0",)  # looked up as a model: it is one


@pytest.mark.parametrize("window", [Window("full", end=WINDOW.end), Window("manual", identifiers=("SKU-1",))])
def test_a_full_or_manual_run_asks_for_nothing_beyond_its_selection(tmp_path, client_of, window):
    ctx = context(tmp_path, product_models=False, window=window)
    client = client_of(FakeClient(raw_items=True, outside=[product(70, None)]))
    carrying(ctx, ["SKU-70"])

    AkeneoSourceKind(ctx.profile.source).extract(ctx)

    assert [ids for ids in client.identifier_queries if "SKU-70" in ids] == []
