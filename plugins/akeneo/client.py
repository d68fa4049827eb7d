"""`AkeneoClient`: typed calls to one Akeneo connection; works without Airflow (tests, CLI, bench)."""
from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import BinaryIO
from urllib.parse import quote

from akeneo.answers import describe, list_answer, object_answer
from akeneo.categories import normalise_values, tree_order
from akeneo.errors import AkeneoAnswerError, AkeneoConnectionError
from akeneo.metadata import (
    ATTRIBUTE_OPTIONS_PATH, FAMILY_VARIANTS_PATH, LISTINGS, MEASUREMENT_FAMILIES_PATH,
    REFERENCE_ENTITY_ATTRIBUTES_PATH, CatalogMetadata,
)
from akeneo.pagination import PAGE_SIZE, field_value, iter_items, iter_pages
from akeneo.parallel import iter_concurrently
from akeneo.search import ProductQuery, split_codes
from akeneo.settings import AkeneoConnectionSettings
from akeneo.transport import BodySink, Transport
from akeneo.writer import PRODUCT_MODELS_PATH, CategoryWriter, LineResult, ProductModelWriter, ProductWriter

MEDIA_DOWNLOAD_PATH = "/api/rest/v1/media-files/{code}/download"
CATEGORIES_PATH = "/api/rest/v1/categories"
RECORDS_PATH = "/api/rest/v1/reference-entities/{code}/records"


class AkeneoClient:
    """One connection: one token, one limiter, one retry policy, shared by every thread."""

    def __init__(self, settings: AkeneoConnectionSettings, *, transport: Transport | None = None,
                 on_new_token: Callable[[str], None] | None = None) -> None:
        """`on_new_token` is told every token obtained (the hook masks them in task logs)."""
        self.settings = settings
        self.transport = transport or Transport(settings, on_new_token=on_new_token)

    def __enter__(self) -> "AkeneoClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.transport.close()

    @property
    def calls(self) -> int:
        """HTTP calls sent so far (every try counts, the token calls too)."""
        return self.transport.calls

    def authenticate(self) -> None:
        """Get a token now (the first call would otherwise do it)."""
        self.transport.auth.token()

    # -- products ---------------------------------------------------------------------------

    def count_products(self, query: ProductQuery | None = None) -> int:
        """Products matching `query`, in one call (one per id chunk for a manual sync).

        `with_count` only exists with the offset pagination, so this asks for one item of
        page 1 and reads `items_count`. `scope` stays: it also limits products to the
        channel's category tree."""
        query = query or ProductQuery()
        total = 0
        for params in query.request_params(self.settings.server_timezone):
            params = {k: v for k, v in params.items()
                      if k not in ("pagination_type", "limit", "locales", "attributes")}
            params.update({"pagination_type": "page", "limit": "1", "with_count": "true"})
            endpoint = f"GET {self.settings.products_path}"
            page = object_answer(self.transport.request("GET", self.settings.products_path, params=params), endpoint)
            count = page.get("items_count")
            if not isinstance(count, int) or isinstance(count, bool):
                raise AkeneoAnswerError(f"Akeneo's count answer has items_count {describe(count)}, not a number",
                                        endpoint=endpoint)
            total += count
        return total

    def iter_products(self, query: ProductQuery | None = None, *, raw: bool = False) -> Iterator[dict]:
        """Products in standard format (without `_links`), one page in memory at a time.

        With `parents`, each variant comes once even when the list is split over several
        requests and names both a root model and one of its sub-models. With `raw`, each product
        is a `RawItem`: its fields, their values left as the JSON Akeneo sent (`field_value`
        decodes one); several times cheaper when the products go to a file as they are."""
        query = query or ProductQuery()
        pages = self._product_pages(query, raw)
        yield from self._once(pages, query) if query.parents else (item for page in pages for item in page)

    def iter_products_concurrently(self, query: ProductQuery | None = None, *,
                                   family_codes: Iterable[str] | None = None,
                                   partitions: int | None = None, raw: bool = False) -> Iterator[dict]:
        """The same products as `iter_products(query)`, in no particular order, read as
        disjoint partitions at once within the connection's concurrency cap.

        Partitions split families (see `ProductQuery.partitions`); pass `family_codes` from
        `fetch_catalog_metadata()` to save the call that lists them. Nothing is read before
        the first product is asked for. `raw` as for `iter_products`."""
        query = query or ProductQuery()
        workers = self.settings.max_concurrent_requests
        if not query.is_manual and not query.parents and not query.families and family_codes is None:
            family_codes = self.list_family_codes()
        parts = query.partitions(list(family_codes or ()), partitions or workers)
        items = iter_concurrently(parts, lambda part: self._product_pages(part, raw), workers)
        yield from self._once([items], query) if query.parents else items

    def iter_product_models(self, query: ProductQuery | None = None, *, raw: bool = False) -> Iterator[dict]:
        """Product models in standard format, read with search_after under the same filters and
        `updated` window as products (`query.for_models()`: no `enabled`; identifiers are codes,
        `parents` lists a root's sub-models). A sub-model's values include its root's. `raw` as
        for `iter_products`."""
        query = (query or ProductQuery()).for_models()
        yield from self._once(self._product_pages(query, raw), query)

    def fetch_products(self, keys: Iterable[str], *, attributes: Iterable[str] = ()) -> dict[str, dict]:
        """The products named by `keys` (identifiers, or uuids on products-uuid) that exist, by key,
        with only `attributes` among their values when given. A hundred keys per call (fewer when
        long ones would make the URL too long), and never a call for a page that can only be empty:
        a call that found every product it asked for stops there. Calls run at once within the
        connection's cap."""
        key_field = self.settings.product_key
        field = "uuids" if key_field == "uuid" else "identifiers"
        return self._fetch(keys, key_field, lambda batch: ProductQuery(**{field: batch}, attributes=tuple(attributes)))

    def fetch_product_models(self, codes: Iterable[str]) -> dict[str, dict]:
        """The product models named by `codes` that exist, by code, as `fetch_products` reads products."""
        return self._fetch(codes, "code", lambda batch: ProductQuery(identifiers=batch).for_models())

    def _fetch(self, keys: Iterable[str], key_field: str, query_of) -> dict[str, dict]:
        wanted = list(dict.fromkeys(key for key in keys if key))
        batches = [tuple(wanted[start:start + PAGE_SIZE]) for start in range(0, len(wanted), PAGE_SIZE)]

        def read(batch: tuple[str, ...]) -> dict[str, dict]:
            missing, found = set(batch), {}
            for page in self._product_pages(query_of(batch)):
                for item in page:
                    key = item.get(key_field)
                    if key in missing:
                        missing.discard(key)
                        found[key] = item
                if not missing:
                    break  # a full page has a next link; following it would read an empty page
            return found

        found: dict[str, dict] = {}
        if len(batches) == 1:
            return read(batches[0])
        with ThreadPoolExecutor(max_workers=self.settings.max_concurrent_requests,
                                thread_name_prefix="akeneo-fetch") as pool:  # within the connection's cap
            for part in pool.map(read, batches):
                found.update(part)
        return found

    def _once(self, pages: Iterable[Iterable[dict]], query: ProductQuery) -> Iterator[dict]:
        """Drop repeats (a `parent IN` split over requests may find a variant twice)."""
        key = "code" if query.models else self.settings.product_key
        seen: set[str] = set()
        for page in pages:
            for item in page:
                value = field_value(item, key)
                if value not in seen:
                    seen.add(value)
                    yield item

    def _product_pages(self, query: ProductQuery, raw: bool = False) -> Iterator[list[dict]]:
        path = PRODUCT_MODELS_PATH if query.models else self.settings.products_path
        for params in query.request_params(self.settings.server_timezone):
            for page in iter_pages(self.transport, self.settings.base_url, path, params, raw=raw):
                items = page if raw else (page.get("_embedded") or {}).get("items") or []
                for item in items:
                    item.pop("_links", None)
                if items:
                    yield items

    def patch_products(self, records: Iterable[Mapping], batch_size: int = 100, *,
                       known_attributes: Iterable[str] | None = None) -> list[LineResult]:
        """Create or update products in PATCH collections; one `LineResult` per record, in
        input order. With `known_attributes`, records writing other attributes are refused
        locally (not sent)."""
        return self.writer(known_attributes=known_attributes, batch_size=batch_size).write(records)

    def writer(self, *, known_attributes: Iterable[str] | None = None,
               batch_size: int = 100) -> ProductWriter:
        return ProductWriter(self.transport, known_attributes=known_attributes, batch_size=batch_size)

    def patch_product_models(self, records: Iterable[Mapping], batch_size: int = 100, *,
                             known_attributes: Iterable[str] | None = None) -> list[LineResult]:
        """Create or update product models (key: `code`) in PATCH collections, with the products'
        batching, 413 split and retries; one `LineResult` per record (its `code` set), in input
        order. Send root models before their sub-models: Akeneo needs the parent to exist."""
        return ProductModelWriter(self.transport, known_attributes=known_attributes,
                                  batch_size=batch_size).write(records)

    def patch_categories(self, records: Iterable[Mapping], batch_size: int = 100) -> list[LineResult]:
        """Create or update categories (key: `code`; `parent`, `labels`) in PATCH collections; one
        `LineResult` per record, in input order. Batches run concurrently: send one tree level per
        call, parents first (Akeneo needs the parent to exist)."""
        return CategoryWriter(self.transport, batch_size=batch_size).write(records)

    # -- reference data ---------------------------------------------------------------------

    def list_family_codes(self) -> list[str]:
        return [f["code"] for f in self._listing(LISTINGS["families"]) if "code" in f]

    def fetch_catalog_metadata(self) -> CatalogMetadata:
        """Attributes (with the options of select attributes), families with their family
        variants, channels, locales, currencies, measurement families, categories, association
        types and the attributes of the reference entities product attributes link to. Read it
        once per run: one call per listing page, plus one per select attribute, per family and
        per linked reference entity, several in flight."""
        metadata = CatalogMetadata(**{name: list(self._listing(path)) for name, path in LISTINGS.items()})
        metadata.measurement_families = list_answer(
            self.transport.request("GET", MEASUREMENT_FAMILIES_PATH), f"GET {MEASUREMENT_FAMILIES_PATH}")
        selects, families, entities = (metadata.select_attribute_codes, metadata.family_codes,
                                       metadata.reference_entity_codes)
        with ThreadPoolExecutor(max_workers=self.settings.max_concurrent_requests,
                                thread_name_prefix="akeneo-metadata") as pool:
            options = pool.map(lambda code: list(self._listing(
                ATTRIBUTE_OPTIONS_PATH.format(code=quote(code, safe="")))), selects)
            variants = pool.map(self._family_variants, families)
            attributes = pool.map(self.fetch_reference_entity_attributes, entities)
            metadata.attribute_options = dict(zip(selects, options))
            metadata.family_variants = {family: found for family, found in zip(families, variants) if found}
            metadata.reference_entity_attributes = dict(zip(entities, attributes))
        return metadata

    # -- catalog structure ------------------------------------------------------------------

    def fetch_family_variants(self, family: str) -> dict[str, dict]:
        """code -> family variant (`variant_attribute_sets`: level, axes, attributes)."""
        return {v["code"]: v for v in self._family_variants(family) if "code" in v}

    def _family_variants(self, family: str) -> list[dict]:
        return list(self._listing(FAMILY_VARIANTS_PATH.format(code=quote(family, safe=""))))

    def fetch_association_types(self) -> dict[str, dict]:
        """code -> association type (`is_quantified`, `is_two_way`, `labels`)."""
        return {t["code"]: t for t in self._listing(LISTINGS["association_types"]) if "code" in t}

    def iter_category_tree(self, root: str | None = None, *,
                           with_enriched_attributes: bool = False) -> list[dict]:
        """Every category (or the tree under `root`), parents before children, siblings by
        position then code: a target can create them in this order. One call per 100
        categories; `with_enriched_attributes` adds each category's attribute `values`."""
        params = {"limit": str(PAGE_SIZE), "with_position": "true"}
        if with_enriched_attributes:
            params["with_enriched_attributes"] = "true"
        categories = [normalise_values(c) for c in
                      iter_items(self.transport, self.settings.base_url, CATEGORIES_PATH, params)]
        return tree_order(categories, root)

    def fetch_reference_entity_attributes(self, entity: str) -> list[dict]:
        """The attributes of a reference entity (a plain list: Akeneo does not paginate it)."""
        path = REFERENCE_ENTITY_ATTRIBUTES_PATH.format(code=quote(entity, safe=""))
        return list_answer(self.transport.request("GET", path), f"GET {path}")

    def iter_reference_entity_records(self, entity: str, codes: Iterable[str] | None = None) -> Iterator[dict]:
        """Records of a reference entity (search_after, 100 per page), all or only `codes`
        (asked in batches with the `code IN` filter)."""
        path = RECORDS_PATH.format(code=quote(entity, safe=""))
        chunks = split_codes(list(dict.fromkeys(codes))) if codes is not None else [[]]
        for chunk in chunks:
            if codes is not None and not chunk:
                return
            params = {"search": json.dumps({"code": [{"operator": "IN", "value": chunk}]},
                                           separators=(",", ":"))} if chunk else None
            yield from iter_items(self.transport, self.settings.base_url, path, params)

    def _listing(self, path: str) -> Iterator[dict]:
        return iter_items(self.transport, self.settings.base_url, path, {"limit": str(PAGE_SIZE)})

    # -- media ------------------------------------------------------------------------------

    def download_media(self, code: str) -> bytes:
        """The bytes of a product media file (codes look like `a/b/c/d/abc_name.jpg`)."""
        buffer = io.BytesIO()
        self.download_media_to(code, buffer)
        return buffer.getvalue()

    def download_media_to(self, code: str, fileobj: BinaryIO) -> int:
        """Stream a media file into `fileobj`; return the bytes written. A retry after a
        dropped download rewinds `fileobj`, so it must be seekable."""
        sink = _FileSink(fileobj)
        self.transport.request("GET", MEDIA_DOWNLOAD_PATH.format(code=quote(code, safe="/")),
                               headers={"Accept": "*/*"}, sink=sink)
        return sink.written


class _FileSink(BodySink):
    def __init__(self, fileobj: BinaryIO) -> None:
        self.fileobj = fileobj
        self.start = fileobj.tell() if fileobj.seekable() else None
        self.written = 0
        self._started = False

    def restart(self) -> None:
        if self._started:
            if self.start is None:
                raise AkeneoConnectionError("The media download was interrupted and the target "
                                            "file cannot be rewound to retry it")
            self.fileobj.seek(self.start)
            self.fileobj.truncate()
        self._started = True
        self.written = 0

    def write(self, chunk: bytes) -> None:
        self.fileobj.write(chunk)
        self.written += len(chunk)
