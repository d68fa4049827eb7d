"""The `akeneo` source and target: products through Akeneo's REST API, in the flat format.

Reference data (attributes, options, channels, locales, currencies, measurement families) is read
once per run by `prepare` and kept in staging; chunk tasks build the codec from that copy.
"""
from __future__ import annotations

from dataclasses import asdict
from functools import lru_cache

import msgspec
import pandas as pd

from pimflow import ledger
from pimflow.kinds import akeneo_structure as structure
from pimflow.kinds.base import (RunContext, SourceCatalog, SourceChunk, SourceKind, StagedRecords, TargetKind,
                                stage_chunks)
from pimflow.ledger import RecordResult, RunLedger, Status
from pimflow.mapping import MappingContext
from pimflow.staging import as_storage_path, read_json, read_jsonl, write_json, write_jsonl
from productsup.codec import FlatCodec
from productsup.columns import SUFFIX, ColumnRef, attribute_code, format_column, qualifiers, split_suffix
from productsup.convert import UnitConverter
from productsup.metadata import CatalogMeta

REFERENCE_ENTITY_TYPES = ("akeneo_reference_entity", "akeneo_reference_entity_collection")
#: products per identifier lookup when unknown products must be refused (create_products off)
LOOKUP_BATCH = 100


class AkeneoProfileError(ValueError):
    """A profile setting names something the live Akeneo does not have: the run stops before any write."""


def akeneo_client(connection: str, product_id: str | None = None):
    """The client for a connection (and id format); one per settings in a task process, so the
    steps of a task share one token and one limiter."""
    from akeneo.hook import AkeneoHook

    settings = AkeneoHook(akeneo_conn_id=connection).get_settings()
    if product_id and settings.product_id_format != product_id:
        settings = settings.model_copy(update={"product_id_format": product_id})
    return _client(settings)


@lru_cache(maxsize=16)
def _client(settings):  # frozen settings hash by value, secrets included
    from akeneo.client import AkeneoClient

    return AkeneoClient(settings)


def stage_metadata(ctx: RunContext, client, role: str) -> dict:
    metadata = asdict(client.fetch_catalog_metadata())
    write_json(ctx.staging.root / f"akeneo-{role}-metadata.json", metadata)
    return metadata


@lru_cache(maxsize=8)
def _staged(path: str) -> tuple[CatalogMeta, UnitConverter, dict]:
    raw = read_json(as_storage_path(path))
    meta = CatalogMeta.from_akeneo(
        attributes=raw["attributes"], attribute_options=raw["attribute_options"], channels=raw["channels"],
        locales=raw["locales"], currencies=raw["currencies"], measurement_families=raw["measurement_families"],
        association_types=raw.get("association_types"))
    return meta, UnitConverter.from_akeneo(raw["measurement_families"]), raw


def staged_metadata(ctx: RunContext, role: str) -> tuple[CatalogMeta, UnitConverter, dict]:
    return _staged(str(ctx.staging.root / f"akeneo-{role}-metadata.json"))


def check_names(meta: CatalogMeta, raw: dict, channel: str | None, locales: list[str],
                families: list[str] = (), categories: list[str] = ()) -> None:
    """Fail before any write when a profile names a channel, locale, family or category Akeneo lacks."""
    problems = []
    if channel and channel not in meta.channels:
        problems.append(f"channel {channel!r} does not exist (channels: {', '.join(sorted(meta.channels))})")
    for locale in locales:
        if locale not in meta.locales:
            problems.append(f"locale {locale!r} is not activated")
        elif channel in meta.channels and locale not in meta.channels[channel].locales:
            problems.append(f"locale {locale!r} is not a locale of channel {channel!r}")
    known_families = {f["code"] for f in raw.get("families", [])}
    problems += [f"family {f!r} does not exist" for f in families if known_families and f not in known_families]
    known_categories = {c["code"] for c in raw.get("categories", [])}
    problems += [f"category {c!r} does not exist" for c in categories if known_categories and c not in known_categories]
    if problems:
        raise AkeneoProfileError("the profile does not match Akeneo: " + "; ".join(problems))


class AkeneoSourceKind(SourceKind):
    carries = frozenset({"models", "associations"})

    def key_column(self, ctx: RunContext, header: list[str]) -> str | None:
        if self.config.read == "categories":
            return "code"
        return staged_metadata(ctx, "source")[0].identifier

    def prepare(self, ctx: RunContext) -> None:
        config = self.config
        client = akeneo_client(config.connection, config.product_id)
        stage_metadata(ctx, client, "source")
        meta, _, raw = staged_metadata(ctx, "source")
        check_names(meta, raw, config.channel, config.locales, config.families, config.categories)
        self._stage_reference_entities(ctx, client, raw)
        if ctx.window is not None and config.read == "products":
            ctx.log.info("product counter: %d product(s) match the profile's filter for this run",
                         client.count_products(self.query(ctx)))

    def query(self, ctx: RunContext):
        from akeneo.search import ProductQuery

        config, window = self.config, ctx.window
        manual = window.identifiers if window and window.mode == "manual" else ()
        by_uuid = (config.product_id or akeneo_client(config.connection).settings.product_id_format) == "uuid"
        looks_like_uuids = manual and all(len(i) == 36 and i.count("-") == 4 for i in manual)
        return ProductQuery(
            categories=tuple(config.categories), enabled=True if config.enabled_only else None,
            families=tuple(config.families),
            updated_since=window.start if window and window.mode == "incremental" else None,
            updated_until=window.end if window and window.mode == "incremental" else None,
            identifiers=() if (by_uuid and looks_like_uuids) else tuple(manual),
            uuids=tuple(manual) if (by_uuid and looks_like_uuids) else (),
            scope=config.channel, locales=tuple(config.locales),
        )

    def _stage_reference_entities(self, ctx: RunContext, client, raw: dict) -> None:
        attributes = {a["code"]: a for a in raw["attributes"]}
        problems = []
        for code in self.config.reference_entities:
            attribute = attributes.get(code)
            if attribute is None or attribute.get("type") not in REFERENCE_ENTITY_TYPES:
                problems.append(f"reference_entities: {code!r} is not a reference entity attribute")
                continue
            entity = attribute.get("reference_data_name")
            count = structure.stage_records(ctx, entity, client.iter_reference_entity_records(entity))
            ctx.log.info("reference entity %s: %d record(s) for attribute %s", entity, count, code)
        if problems:
            raise AkeneoProfileError("the profile does not match Akeneo: " + "; ".join(problems))

    def extract(self, ctx: RunContext) -> list[dict]:
        config = self.config
        client = akeneo_client(config.connection, config.product_id)
        if config.read == "categories":
            tree = client.iter_category_tree(config.categories[0] if len(config.categories) == 1 else None,
                                             with_enriched_attributes=True)
            if len(config.categories) > 1:
                tree = [c for c in tree if _in_trees(c, config.categories, tree)]
            # One chunk: a target replays the tree in order, parents before children.
            return stage_chunks(ctx, tree, "categor(ies), parents first", chunk_size=max(1, len(tree)))
        query = self.query(ctx)
        _, _, raw = staged_metadata(ctx, "source")
        if config.concurrent and not query.is_manual:
            families = [f["code"] for f in raw.get("families", [])]
            products = client.iter_products_concurrently(query, family_codes=families)
        else:
            products = client.iter_products(query)
        if config.product_models:
            products = self._with_models(ctx, client, query, products)
        identifier = staged_metadata(ctx, "source")[0].identifier
        return stage_chunks(ctx, products, "record(s)" if config.product_models else "product(s)",
                            key=lambda record: _record_key(record, identifier))

    def _with_models(self, ctx: RunContext, client, query, products):
        """The products, then the variants of models changed in the window that the product filter did
        not return, then every model those variants need (root models last: a run can replay it)."""
        window = ctx.window
        index = structure.ModelIndex({})
        seen: set[str] = set()
        parents: set[str] = set()
        parents_by_chunk: dict[int, set[str]] = {}  # stage_chunks cuts every chunk_size records
        key = "uuid" if query.uuids or client.settings.product_id_format == "uuid" else "identifier"
        count = 0

        def remember(product: dict) -> dict:
            nonlocal count
            seen.add(product.get(key) or product.get("identifier") or "")
            if product.get("parent"):
                parents.add(product["parent"])
                parents_by_chunk.setdefault(count // ctx.profile.chunk_size, set()).add(product["parent"])
            count += 1
            return product

        yield from map(remember, products)
        if window is not None and window.mode == "incremental":
            from dataclasses import replace

            since = structure.changed_models_since(window.start, window.end, self.config.variant_search_days)
            changed = [m for m in client.iter_product_models(replace(query, updated_since=since, enabled=None))]
            for model in changed:
                index.models[model["code"]] = model
            ctx.log.info("extract: %d product model(s) changed since %s", len(changed), since)
            if changed:
                variants = replace(query, updated_since=None, updated_until=None,
                                   parents=tuple(sorted(index.models)))
                extra = 0
                for product in client.iter_products(variants):
                    if (product.get(key) or product.get("identifier")) not in seen:
                        extra += 1
                        yield remember(product)
                ctx.log.info("extract: %d more variant(s) of changed models", extra)
        structure.fetch_models(client, parents, query, index)
        ctx.log.info("extract: %d product model(s) for %d parent(s)", len(index), len(parents))
        ordered = [model for lineage_depth in (2, 1) for model in index.models.values()  # sub-models, then roots
                   if (lineage_depth == 2) == bool(model.get("parent"))]
        for position, model in enumerate(ordered, start=count):  # a sub-model's row carries its root's values
            if model.get("parent"):
                parents_by_chunk.setdefault(position // ctx.profile.chunk_size, set()).add(model["parent"])
        structure.stage_models(ctx, index, parents_by_chunk)
        yield from ordered

    def codec(self, ctx: RunContext) -> FlatCodec:
        meta, _, _ = staged_metadata(ctx, "source")
        product_id = self.config.product_id or "identifier"
        return FlatCodec(meta, value_separator=self.config.value_separator,
                         media_base_url=self.config.media_base_url, product_id=product_id)

    def read_chunk(self, ctx: RunContext, chunk: dict) -> SourceChunk:
        records = list(read_jsonl(as_storage_path(chunk["path"])))
        if self.config.read == "categories":
            rows = list(structure.category_records(records, self.config.locales))
            header = list(dict.fromkeys(name for row in rows for name in row))
        else:
            rows, header = self._product_rows(ctx, records, chunk["index"])
        frame = pd.DataFrame([[row.get(name, "") for name in header] for row in rows], columns=header,
                             dtype="str").fillna("")
        originals = {n: [row.get(name, "") for name in header] for n, row in enumerate(rows)}
        return SourceChunk(frame, {}, header, originals)

    def _product_rows(self, ctx: RunContext, products: list[dict], chunk_index: int) -> tuple[list[dict], list[str]]:
        codec = self.codec(ctx)
        if self.config.product_models:
            models = structure.staged_models(ctx, chunk_index)
            products = [models.with_inherited_values(p) for p in products]
        rows = codec.encode_many(products)
        if self.config.reference_entities:
            self._expand_records(ctx, products, rows)
        return rows, codec.columns_of(rows)

    def _expand_records(self, ctx: RunContext, products: list[dict], rows: list[dict]) -> None:
        _, _, raw = staged_metadata(ctx, "source")
        attributes = {a["code"]: a for a in raw["attributes"]}
        for code in self.config.reference_entities:
            attribute = attributes[code]
            records = structure.staged_records(ctx, attribute["reference_data_name"])
            collection = attribute["type"] == REFERENCE_ENTITY_TYPES[1]
            for product, row in zip(products, rows):
                for entry in (product.get("values") or {}).get(code) or ():
                    if entry.get("scope") not in (None, self.config.channel):
                        continue
                    codes = entry.get("data") or []
                    codes = codes if collection else [codes]
                    for position, record in enumerate(codes, start=1):
                        prefix = f"{code}_{position}" if collection else code
                        if collection:
                            row[prefix] = str(record)
                        row.update(structure.record_columns(prefix, records.get(record) or {},
                                                            self.config.locales, self.config.channel))

    def catalog(self, ctx: RunContext) -> SourceCatalog:
        meta, converter, raw = staged_metadata(ctx, "source")
        return SourceCatalog(meta.identifier, meta, converter, tuple(raw.get("categories") or ()))

    def mapping_context(self, ctx: RunContext) -> MappingContext:
        meta, converter, _ = staged_metadata(ctx, "source")
        locale = self.config.locales[0] if self.config.locales else None
        return MappingContext(self.config.value_separator, converter,
                              attribute_resolver(meta, locale, self.config.channel))


def _record_key(record: dict, identifier: str) -> str:
    """What names a record in other systems: a product's identifier, a model's code."""
    if "family_variant" in record:
        return record.get("code") or ""
    if record.get("identifier"):
        return record["identifier"]
    for entry in (record.get("values") or {}).get(identifier) or ():
        return entry.get("data") or ""
    return ""


def _in_trees(category: dict, roots: list[str], tree: list[dict]) -> bool:
    parents = {c["code"]: c.get("parent") for c in tree}
    code = category["code"]
    while code is not None:
        if code in roots:
            return True
        code = parents.get(code)
    return False


def attribute_resolver(meta: CatalogMeta, locale: str | None, channel: str | None):
    """Bare `code` (or `code@EUR`) → its flat column for the profile's locale and channel."""

    def resolve(name: str, columns: list[str]) -> str:
        base, suffix = split_suffix(name)
        if qualifiers(base):
            return name
        attribute = meta.find_attribute(base) if hasattr(meta, "find_attribute") else meta.attributes.get(base)
        if attribute is None:
            return name
        ref = ColumnRef(attribute.code, locale if attribute.localizable else None,
                        channel if attribute.scopable else None, None, None)
        return format_column(ref) + (SUFFIX + suffix if suffix is not None else "")

    return resolve


class AkeneoTargetKind(TargetKind):
    feedback_columns = ("akeneo_code", "akeneo_message")

    def extra_steps(self, source: SourceKind) -> frozenset[str]:
        """Product models before the loads (Akeneo checks a variant's parent); associations after
        them, when the source's records can carry any (Akeneo refuses links to missing products)."""
        return frozenset({"parents", *(["link"] if "associations" in source.carries else [])})

    def prepare(self, ctx: RunContext) -> None:
        if not (ctx.staging.root / "akeneo-target-metadata.json").exists():  # a source may have read it
            stage_metadata(ctx, akeneo_client(self.config.connection, self.config.product_id), "target")

    def _codec(self, ctx: RunContext) -> FlatCodec:
        meta, _, _ = staged_metadata(ctx, "target")
        separator = getattr(ctx.profile.source, "value_separator", "<###>")
        return FlatCodec(meta, value_separator=separator, empty_cell=self.config.empty_cells,
                         product_id=self.product_id(ctx),
                         unknown_columns="ignore" if self.config.unknown_columns == "ignore" else "report")

    def product_id(self, ctx: RunContext) -> str:
        return self.config.product_id or akeneo_client(self.config.connection).settings.product_id_format

    def mapping_context(self, ctx: RunContext) -> MappingContext:
        _, converter, _ = staged_metadata(ctx, "target")
        return MappingContext(getattr(ctx.profile.source, "value_separator", "<###>"), converter)

    def stage_records(self, ctx: RunContext, index: int, rows: pd.DataFrame) -> StagedRecords:
        """Rows → the records PATCHed to Akeneo (products and product models, or categories),
        decoded once and staged as JSON lines `{"n", "record"}`: what load, load_parents and link send."""
        path = ctx.staging.transform_chunk(index, "jsonl")
        if _reads_categories(ctx):
            records, results = [], []
            for n, row in zip(rows.index, rows.to_dict("records")):
                if not row.get("code"):
                    results.append(RecordResult.refused(int(n), "missing_value", "code: a category needs a code"))
                    continue
                labels = {qualifiers(name)[0]: value for name, value in row.items()
                          if attribute_code(name) == "label" and qualifiers(name) and value}
                records.append({"n": int(n), "record": {"code": row["code"], "parent": row.get("parent") or None,
                                                        **({"labels": labels} if labels else {})}})
            write_jsonl(path, records)
            return StagedRecords(str(path), len(records), results)
        codec = self._codec(ctx)
        columns = list(rows.columns)
        header_problems = codec.column_problems(columns)
        if header_problems and self.config.unknown_columns == "ignore":
            for problem in header_problems:
                ctx.log.warning("ignoring column %r: %s", problem.column, problem.reason)
        records, results = [], []
        decoded = codec.decode_many(rows[columns].itertuples(index=False, name=None), columns=columns)
        for n, result in zip(rows.index, decoded):
            if result.problems:
                problems = [(p.column, f"{p.value!r}: {p.reason}" if p.value else p.reason) for p in result.problems]
                results.append(RecordResult.refused(
                    int(n), "invalid_value", "; ".join(f"{column}: {reason}" for column, reason in problems)))
            else:
                records.append({"n": int(n), "record": result.product})
        write_jsonl(path, records)
        return StagedRecords(str(path), len(records), results)

    def load_parents(self, ctx: RunContext, transformed: list[dict]) -> dict:
        """Product models before any product: root models, then sub-models (Akeneo checks parents)."""
        identifier = self._codec(ctx).identifier_column
        levels: tuple[list, list] = ([], [])
        for chunk in transformed:
            for n, product in _staged_records(chunk["path"], models_only=True):
                model = _without_links(_as_model(product, identifier))
                levels[1 if model.get("parent") else 0].append((chunk["index"], n, model))
        results: dict[int, list[RecordResult]] = {}
        client = akeneo_client(self.config.connection, self.config.product_id)
        for level, entries in enumerate(levels):
            if not entries:
                continue
            records = [model for _, _, model in entries]
            if ctx.params.dry_run:
                write_jsonl(ctx.staging.dry_run(f"akeneo-product-models-{level}.jsonl"), records)
                lines = [None] * len(records)
            else:
                lines = client.patch_product_models(records, ctx.profile.batch_size)
            for (index, n, _), line in zip(entries, lines):
                results.setdefault(index, []).append(RecordResult.would_write(n) if line is None else _result(n, line))
        ledger.record_by_chunk(ctx.staging, "parents", results)
        return {"models": sum(len(level) for level in levels),
                **ledger.counts(result for chunk_results in results.values() for result in chunk_results)}

    def link(self, ctx: RunContext, transformed: list[dict], loads: list[dict]) -> dict:
        """Associations once every chunk is written: Akeneo refuses links to products that do not
        exist yet, wherever they are in the feed (as its own imports do, products first, then links)."""
        identifier = self._codec(ctx).identifier_column
        loaded = RunLedger(ctx.staging, ("parents", "load"))  # a model's word is its parents step's
        models, products = [], []
        for chunk in transformed:
            index = chunk["index"]
            outcomes = None
            for n, record in _staged_records(chunk["path"], models_only=None):
                links = {key: record[key] for key in LINK_KEYS if key in record}
                if not links:
                    continue
                outcomes = loaded.decided(index) if outcomes is None else outcomes
                outcome = outcomes.get(n)
                if outcome is None or outcome.status in (Status.REFUSED, Status.SKIPPED):
                    continue
                if record.get("family_variant"):
                    models.append((index, n, {"code": _as_model(record, identifier)["code"], **links}))
                else:
                    products.append((index, n, {**_identity(record, identifier), **links}))
        refused: dict[int, list[RecordResult]] = {}
        client = akeneo_client(self.config.connection, self.config.product_id)
        for entries, write, name in ((models, client.patch_product_models, "product-models"),
                                     (products, client.patch_products, "products")):
            if not entries:
                continue
            records = [record for _, _, record in entries]
            if ctx.params.dry_run:
                write_jsonl(ctx.staging.dry_run(f"akeneo-{name}-associations.jsonl"), records)
                continue
            for (index, n, _), line in zip(entries, write(records, ctx.profile.batch_size)):
                if not line.ok:
                    result = _result(n, line)
                    refused.setdefault(index, []).append(
                        msgspec.structs.replace(result, message=f"associations: {result.message}"))
        ledger.record_by_chunk(ctx.staging, "link", refused)
        return {"associated": len(models) + len(products), "refused": sum(map(len, refused.values()))}

    def load(self, ctx: RunContext, index: int, flat_path) -> dict:
        if _reads_categories(ctx):
            return self._load_categories(ctx, index, flat_path)
        staged = _staged_records(str(flat_path), models_only=False)
        positions = [n for n, _ in staged]
        products = [_without_links(product) for _, product in staged]  # links: the link step's
        results: list[RecordResult] = []
        client = akeneo_client(self.config.connection, self.config.product_id)
        if not self.config.create_products and products:
            products, positions, results = self._refuse_unknown(client, self._codec(ctx), products, positions)
        if ctx.params.dry_run:
            write_jsonl(ctx.staging.dry_run(f"akeneo-products-{index:05d}.jsonl"), products)
            results += [RecordResult.would_write(n) for n in positions]
        else:
            _, _, raw = staged_metadata(ctx, "target")
            known = {a["code"] for a in raw["attributes"]}
            for n, line in zip(positions, client.patch_products(products, ctx.profile.batch_size,
                                                                known_attributes=known)):
                results.append(_result(n, line))
        return ledger.counts(ledger.record(ctx.staging, "load", index, results))

    def _load_categories(self, ctx: RunContext, index: int, staged_path) -> dict:
        """Categories (code, parent, labels) written one tree level at a time, parents first."""
        depth: dict[str, int] = {}
        levels: dict[int, list[tuple[int, dict]]] = {}
        for n, record in _staged_records(str(staged_path), models_only=None):
            parent = record.get("parent")
            depth[record["code"]] = depth.get(parent, -1) + 1 if parent else 0
            levels.setdefault(depth[record["code"]], []).append((n, record))
        results: list[RecordResult] = []
        client = akeneo_client(self.config.connection, self.config.product_id)
        for level in sorted(levels):
            entries = levels[level]
            records = [record for _, record in entries]
            if ctx.params.dry_run:
                write_jsonl(ctx.staging.dry_run(f"akeneo-categories-{level}.jsonl"), records)
                results += [RecordResult.would_write(n) for n, _ in entries]
                continue
            results += [_result(n, line) for (n, _), line in zip(entries, client.patch_categories(records))]
        return ledger.counts(ledger.record(ctx.staging, "load", index, results))

    def _refuse_unknown(self, client, codec: FlatCodec, products, positions):
        from akeneo.search import ProductQuery

        key = client.settings.product_key
        wanted = [_product_key(p, key, codec) for p in products]
        existing = set()
        for start in range(0, len(wanted), LOOKUP_BATCH):
            batch = tuple(w for w in wanted[start:start + LOOKUP_BATCH] if w)
            if batch:
                query = ProductQuery(**{("uuids" if key == "uuid" else "identifiers"): batch},
                                     attributes=(codec.identifier_column,))
                existing |= {_product_key(p, key, codec) for p in client.iter_products(query)}
        kept_products, kept_positions, refused = [], [], []
        for product, n, value in zip(products, positions, wanted):
            if value in existing:
                kept_products.append(product)
                kept_positions.append(n)
            else:
                refused.append(RecordResult.refused(
                    n, "unknown_product", f"{value!r} does not exist in Akeneo and create_products is off"))
        return kept_products, kept_positions, refused


LINK_KEYS = ("associations", "quantified_associations")


def _reads_categories(ctx: RunContext) -> bool:
    return getattr(ctx.profile.source, "read", "products") == "categories"


def _without_links(record: dict) -> dict:
    return {key: value for key, value in record.items() if key not in LINK_KEYS}


def _identity(product: dict, identifier_column: str) -> dict:
    """What names a product in a PATCH: its uuid and/or identifier (as a value on the uuid API)."""
    identity = {key: product[key] for key in ("identifier", "uuid") if key in product}
    if "identifier" not in product and identifier_column in (product.get("values") or {}):
        identity["values"] = {identifier_column: product["values"][identifier_column]}
    return identity


def _staged_records(path: str, models_only: bool | None) -> list[tuple[int, dict]]:
    """A chunk's staged records (position, record): only its product models, only its products
    (the models are written by the parents step), or (None) all."""
    with as_storage_path(path).open("rb") as handle:
        lines = [msgspec.json.decode(line) for line in handle if line.strip()]
    return [(line["n"], line["record"]) for line in lines
            if models_only is None or bool(line["record"].get("family_variant")) == models_only]


def _as_model(product: dict, identifier_column: str) -> dict:
    """A decoded model row in the product-models API shape: its code, no product-only fields."""
    values = dict(product.get("values") or {})
    code = product.get("identifier")
    if code is None:  # the products-uuid shape carries the identifier as a value
        code = ((values.pop(identifier_column, None) or [{}])[0]).get("data")
    values.pop(identifier_column, None)
    model = {"code": code, "values": values}
    for key in ("family", "family_variant", "parent", "categories", "associations", "quantified_associations"):
        if key in product:
            model[key] = product[key]
    return model


def _product_key(product: dict, key: str, codec: FlatCodec) -> str:
    if product.get(key):
        return product[key]
    values = product.get("values", {}).get(codec.identifier_column) or [{}]
    return values[0].get("data") or ""


def _result(n: int, line) -> RecordResult:
    """An Akeneo line's outcome (the writer's `LineResult`) as the record's ledger result."""
    if line.ok:
        return RecordResult(n=n, status=Status.CREATED if line.created else Status.UPDATED,
                            code=str(line.status_code), target_id=line.uuid or "")
    code = str(line.status_code) if line.status_code else "refused_before_sending"
    return RecordResult.refused(n, code, line.summary,
                                transient=line.sent and ledger.transient_status(line.status_code))
