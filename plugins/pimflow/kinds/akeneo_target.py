"""The `akeneo` target: flat rows decoded once into Akeneo's records (products, product models,
categories), PATCHed in batches: models before the chunk loads, associations after them."""
from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec

from pimflow import ledger
from pimflow.kinds.akeneo import akeneo_client, stage_metadata, staged_metadata
from pimflow.kinds.base import RunContext, SourceKind, StagedRecords, TargetKind
from pimflow.ledger import RecordResult, RunLedger, Status
from pimflow.mapping import MappingContext
from pimflow.staging import as_storage_path, write_jsonl
from productsup.codec import FlatCodec
from productsup.columns import attribute_code, qualifiers

if TYPE_CHECKING:
    import pandas as pd  # only for annotations: building a DAG must not import pandas

#: products per identifier lookup when unknown products must be refused (create_products off)
LOOKUP_BATCH = 100


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
