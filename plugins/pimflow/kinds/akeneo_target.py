"""The `akeneo` target: flat rows decoded once into Akeneo's records (products, product models,
categories), PATCHed in batches: models before the chunk loads, associations after them."""
from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec

from pimflow import ledger
from pimflow.kinds.akeneo import akeneo_client, product_id_format, stage_metadata, staged_metadata
from pimflow.kinds.akeneo_claims import CLAIMS_SUFFIX, ClaimedAttributes, settle
from pimflow.kinds.akeneo_levels import Levels, drop_inherited
from pimflow.kinds.akeneo_merge import complete, partial_codes, price_codes
from pimflow.kinds.base import RunContext, SourceKind, StagedRecords, TargetKind
from pimflow.ledger import RecordResult, RunLedger, Status
from pimflow.mapping import MappingContext
from pimflow.staging import as_storage_path, write_jsonl
from productsup.codec import FlatCodec, gc_paused
from productsup.columns import attribute_code, qualifiers

if TYPE_CHECKING:
    import pandas as pd  # only for annotations: building a DAG must not import pandas

class AkeneoTargetKind(TargetKind):
    feedback_columns = ("akeneo_code", "akeneo_message")

    def extra_steps(self, source: SourceKind) -> frozenset[str]:
        """Product models before the loads (Akeneo checks a variant's parent); associations after
        them, when the source's records can carry any (Akeneo refuses links to missing products)."""
        return frozenset({"parents", *(["link"] if "associations" in source.carries else [])})

    def prepare(self, ctx: RunContext) -> None:
        product_id_format(self.config, "target", ctx.profile.id, ctx.log)
        if not (ctx.staging.root / "akeneo-target-metadata.json").exists():  # a source may have read it
            stage_metadata(ctx, akeneo_client(self.config.connection), "target")

    def _codec(self, ctx: RunContext, product_id: str) -> FlatCodec:
        meta, _, _ = staged_metadata(ctx, "target")
        separator = getattr(ctx.profile.source, "value_separator", "<###>")
        return FlatCodec(meta, value_separator=separator, empty_cell=self.config.empty_cells,
                         product_id=product_id,
                         unknown_columns="ignore" if self.config.unknown_columns == "ignore" else "report")

    def product_id(self, ctx: RunContext) -> str:
        """uuid or identifier: the connection's product id format (checked against the profile in prepare)."""
        return akeneo_client(self.config.connection).settings.product_id_format

    def mapping_context(self, ctx: RunContext) -> MappingContext:
        _, converter, _ = staged_metadata(ctx, "target")
        return MappingContext(getattr(ctx.profile.source, "value_separator", "<###>"), converter)

    def stage_records(self, ctx: RunContext, index: int, rows: pd.DataFrame) -> StagedRecords:
        """Rows → the records PATCHed to Akeneo (products and product models, or categories),
        decoded once and staged as JSON lines `{"n", "record"}`, each step's in its own file, as it
        sends them: products without their links (`chunk-N.jsonl`, load), product models
        (`chunk-N.models.jsonl`, load_parents), links (`chunk-N.links.jsonl`, link)."""
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
        product_id = self.product_id(ctx)  # the connection's, looked up once per chunk
        codec = self._codec(ctx, product_id)
        columns = list(rows.columns)
        header_problems = codec.column_problems(columns)
        if header_problems and self.config.unknown_columns == "ignore":
            for problem in header_problems:
                ctx.log.warning("ignoring column %r: %s", problem.column, problem.reason)
        identifier = codec.identifier_column
        key_field = "uuid" if product_id == "uuid" else "identifier"  # the writer's key
        raw = staged_metadata(ctx, "target")[2]
        claimed, levels, prices = ClaimedAttributes.from_metadata(raw), Levels(raw), price_codes(codec.meta)
        products, models, links, claims, results = [], [], [], [], []
        decoded = codec.decode_many(rows[columns])  # column by column: no row tuples built
        for n, result in zip(rows.index, decoded):
            if result.problems:
                problems = [(p.column, f"{p.value!r}: {p.reason}" if p.value else p.reason) for p in result.problems]
                results.append(RecordResult.refused(
                    int(n), "invalid_value", "; ".join(f"{column}: {reason}" for column, reason in problems)))
                continue
            record, n = result.product, int(n)
            linked = {key: record[key] for key in LINK_KEYS if key in record}
            if record.get("family_variant"):
                model = _as_model(record, identifier)
                models.append({"n": n, "record": _without_links(model)})
                if linked:
                    links.append({"n": n, "model": True, "record": {"code": model["code"], **linked}})
                claim = claimed.claim(n, model["code"], model, model=True)
            else:
                product = {"n": n, "key": record.get(key_field), "record": _without_links(record) if linked else record}
                if partial := partial_codes(record.get("values") or {}, prices):
                    product["merge"] = partial  # completed at load with what Akeneo holds
                if levels.may_inherit(record):
                    product["parent"] = record["parent"]  # its models' values are left out at load
                products.append(product)
                if linked:
                    links.append({"n": n, "model": False, "record": {**_identity(record, identifier), **linked}})
                claim = claimed.claim(n, _product_key(record, "identifier", codec), record, model=False)
            if claim is not None:
                claims.append(claim)
        write_jsonl(path, products)
        for suffix, entries in (("models.jsonl", models), ("links.jsonl", links), (CLAIMS_SUFFIX, claims)):
            extra = ctx.staging.transform_chunk(index, suffix)
            if entries:
                write_jsonl(extra, entries)
            elif extra.exists():  # an earlier try of this chunk staged some
                extra.unlink()
        return StagedRecords(str(path), len(products) + len(models), results)

    def load_parents(self, ctx: RunContext, transformed: list[dict]) -> dict:
        """Product models before any product: root models, then sub-models (Akeneo checks parents).
        First the lines of the run that Akeneo cannot both accept are settled (`akeneo_claims`): the
        earlier line wins, later ones are refused here, models and products alike (a load leaves
        the products refused here alone)."""
        transformed = sorted(transformed, key=lambda chunk: chunk["index"])
        client = akeneo_client(self.config.connection)
        staged_models = [(chunk["index"], n, model) for chunk in transformed
                         for n, model in _staged_records(_beside(chunk["path"], "models.jsonl"))]
        results = self._settle_claims(ctx, client, transformed, staged_models)
        lost = {(index, result.n) for index, chunk_results in results.items() for result in chunk_results}
        levels: tuple[list, list] = ([], [])
        for index, n, model in staged_models:
            if (index, n) not in lost:
                levels[1 if model.get("parent") else 0].append((index, n, model))
        for level, entries in enumerate(levels):
            if not entries:
                continue
            records = [model for _, _, model in entries]
            self._complete_models(ctx, client, records)
            if level == 1:
                self._drop_inherited_from_sub_models(ctx, client, records)
            if ctx.params.dry_run:
                write_jsonl(ctx.staging.dry_run(f"akeneo-product-models-{level}.jsonl"), records)
                lines = [None] * len(records)
            else:
                lines = client.patch_product_models(records, ctx.profile.batch_size)
            for (index, n, _), line in zip(entries, lines):
                results.setdefault(index, []).append(RecordResult.would_write(n) if line is None else _result(n, line))
        ledger.record_by_chunk(ctx.staging, "parents", results)
        return {"models": sum(len(level) for level in levels), "conflicting_lines": len(lost),
                **ledger.counts(result for chunk_results in results.values() for result in chunk_results)}

    def _drop_inherited_from_sub_models(self, ctx: RunContext, client, records: list[dict]) -> None:
        """Sub-model lines carrying their root's values: those equal to the root's are left out
        (`akeneo_levels`); the roots are read once written."""
        levels = Levels(staged_metadata(ctx, "target")[2])
        carrying = [record for record in records if levels.may_inherit(record)]
        roots = client.fetch_product_models(record["parent"] for record in carrying) if carrying else {}
        dropped = sum(bool(drop_inherited(record, roots.get(record["parent"]), levels, model=True))
                      for record in carrying)
        if dropped:
            ctx.log.info("load parents: %d sub-model line(s) carried their root's values: left out", dropped)

    def _complete_models(self, ctx: RunContext, client, records: list[dict]) -> None:
        """Price collections models give in part, completed with what Akeneo holds (`akeneo_merge`)."""
        prices = price_codes(staged_metadata(ctx, "target")[0])
        partial = [(record, codes) for record in records if (codes := partial_codes(record.get("values") or {}, prices))]
        if partial:
            current = client.fetch_product_models(record["code"] for record, _ in partial)
            for record, codes in partial:
                complete(record, current.get(record["code"]), codes)

    def _settle_claims(self, ctx: RunContext, client, transformed: list[dict], staged_models: list) -> dict:
        """Refusals of the lines that lose a claim to an earlier line, by chunk (see `akeneo_claims`)."""
        claims = [(chunk["index"], claim) for chunk in transformed
                  for claim in _staged_lines(_beside(chunk["path"], CLAIMS_SUFFIX))]
        if not claims:
            return {}
        claimed = ClaimedAttributes.from_metadata(staged_metadata(ctx, "target")[2])
        family_variant_of = {model["code"]: model.get("family_variant") for _, _, model in staged_models}
        unknown = {claim["parent"] for _, claim in claims if claim["parent"] and not claim["model"]
                   and claim["parent"] not in family_variant_of and claim["values"].keys() & claimed.axes}
        if unknown:  # parents this run does not write: their family variant (their axes) is Akeneo's
            family_variant_of.update((code, model.get("family_variant"))
                                     for code, model in client.fetch_product_models(unknown).items())
        refused = settle(claims, claimed, family_variant_of)
        if refused:
            ctx.log.info("load parents: %d line(s) refused: an earlier line of the run claims the same axis "
                         "values or unique value", sum(map(len, refused.values())))
        return refused

    def link(self, ctx: RunContext, transformed: list[dict], loads: list[dict]) -> dict:
        """Associations once every chunk is written: Akeneo refuses links to products that do not
        exist yet, wherever they are in the feed (as its own imports do, products first, then links)."""
        loaded = RunLedger(ctx.staging, ("parents", "load"))  # a model's word is its parents step's
        models, products = [], []
        for chunk in transformed:
            index = chunk["index"]
            outcomes = None
            for entry in _staged_lines(_beside(chunk["path"], "links.jsonl")):
                outcomes = loaded.decided(index) if outcomes is None else outcomes
                outcome = outcomes.get(entry["n"])
                if outcome is None or outcome.status in (Status.REFUSED, Status.SKIPPED):
                    continue
                (models if entry["model"] else products).append((index, entry["n"], entry["record"]))
        refused: dict[int, list[RecordResult]] = {}
        client = akeneo_client(self.config.connection)
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
        # A chunk's JSON lines, Akeneo's answers and a result per line: many small objects, none in a
        # cycle, that the cycle collector would rescan again and again (a third of the step's CPU).
        # Bounded by the chunk: no files nor images are held here.
        with gc_paused():
            return self._load_products(ctx, index, flat_path)

    def _load_products(self, ctx: RunContext, index: int, flat_path) -> dict:
        from akeneo.writer import EncodedRecord

        # products only, without their links (the link step's), each as the JSON line it is sent as:
        # encoded once at transform, from target-checked columns
        settled = {result.n for result in ledger.read(ctx.staging, "parents", index) if result.is_refused}
        staged = [line for line in _staged_products(flat_path) if line.n not in settled]  # lost a claim
        results: list[RecordResult] = []
        client = akeneo_client(self.config.connection)
        current = self._current(ctx, client, staged)
        if not self.config.create_products:
            known = [line for line in staged if line.key is None or line.key in current]  # no key: the writer says
            results += [RecordResult.refused(line.n, "unknown_product", f"{line.key!r} does not exist in Akeneo and "
                                                                       "create_products is off")
                        for line in staged if line.key is not None and line.key not in current]
            staged = known
        # the parent models of variant lines carrying values a model level could hold, as Akeneo
        # answers them once load_parents wrote the run's
        wanted_parents = {line.parent for line in staged if line.parent}
        parents = client.fetch_product_models(wanted_parents) if wanted_parents else {}
        levels = Levels(staged_metadata(ctx, "target")[2]) if parents else None
        completed = inherited = 0
        products = []
        for line in staged:
            text = bytes(line.record)
            merge, parent = line.merge and line.key in current, parents.get(line.parent)
            if merge or parent:
                record = _decode(text)  # completed first: a price its model holds is then compared whole
                grown = merge and complete(record, current[line.key], line.merge)
                dropped = drop_inherited(record, parent, levels, model=False) if parent else 0
                if dropped or grown:
                    text = _encode(record)
                completed, inherited = completed + bool(grown), inherited + bool(dropped)
            products.append(EncodedRecord(line.key, text))
        if completed:
            ctx.log.info("load chunk %d: %d line(s) gave part of a price collection: completed with the "
                         "currencies Akeneo holds", index + 1, completed)
        if inherited:
            ctx.log.info("load chunk %d: %d variant line(s) carried their models' values: left out (Akeneo "
                         "takes them on the models)", index + 1, inherited)
        positions = [line.n for line in staged]
        if ctx.params.dry_run:
            write_jsonl(ctx.staging.dry_run(f"akeneo-products-{index:05d}.jsonl"),
                        (msgspec.Raw(product.line) for product in products))
            results += [RecordResult.would_write(n) for n in positions]
        else:
            for n, line in zip(positions, client.writer(batch_size=ctx.profile.batch_size).write(products)):
                results.append(_result(n, line))
        return ledger.counts(ledger.record(ctx.staging, "load", index, results))

    def _current(self, ctx: RunContext, client, staged: list) -> dict[str, dict]:
        """What Akeneo holds of the products the chunk must look up, by key, read a hundred per call:
        those giving part of a price collection (only those attributes are read), and every one when
        create_products is off (to refuse the unknown ones)."""
        merging = [line for line in staged if line.merge]
        wanted = staged if not self.config.create_products else merging
        if not any(line.key for line in wanted):
            return {}
        attributes = sorted({code for line in merging for code in line.merge}) or \
            [staged_metadata(ctx, "target")[0].identifier]
        return client.fetch_products((line.key for line in wanted if line.key), attributes=attributes)

    def _load_categories(self, ctx: RunContext, index: int, staged_path) -> dict:
        """Categories (code, parent, labels) written one tree level at a time, parents first."""
        depth: dict[str, int] = {}
        levels: dict[int, list[tuple[int, dict]]] = {}
        for n, record in _staged_records(str(staged_path)):
            parent = record.get("parent")
            depth[record["code"]] = depth.get(parent, -1) + 1 if parent else 0
            levels.setdefault(depth[record["code"]], []).append((n, record))
        results: list[RecordResult] = []
        client = akeneo_client(self.config.connection)
        for level in sorted(levels):
            entries = levels[level]
            records = [record for _, record in entries]
            if ctx.params.dry_run:
                write_jsonl(ctx.staging.dry_run(f"akeneo-categories-{level}.jsonl"), records)
                results += [RecordResult.would_write(n) for n, _ in entries]
                continue
            results += [_result(n, line) for (n, _), line in zip(entries, client.patch_categories(records))]
        return ledger.counts(ledger.record(ctx.staging, "load", index, results))


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


def _staged_records(path) -> list[tuple[int, dict]]:
    """A staged file's records as (position, record)."""
    return [(line["n"], line["record"]) for line in _staged_lines(path)]


def _staged_lines(path) -> list[dict]:
    """A staged JSON-lines file, none when transform staged nothing there."""
    path = as_storage_path(path)
    if not path.exists():
        return []
    with path.open("rb") as handle:
        return [_decode(line) for line in handle if line.strip()]


_decode = msgspec.json.Decoder().decode
_encode = msgspec.json.Encoder().encode


class _StagedProduct(msgspec.Struct):
    n: int
    record: msgspec.Raw  # kept as its JSON text: load sends it as it is (unless a merge completes it)
    key: str | None = None
    merge: list[str] = []  # price collections the line may give in part (`akeneo_merge`)
    parent: str | None = None  # a variant's model, when the line carries values a model may hold


def _staged_products(path) -> list[_StagedProduct]:
    path = as_storage_path(path)
    decode = msgspec.json.Decoder(_StagedProduct).decode
    with path.open("rb") as handle:
        return [decode(line) for line in handle if line.strip()]


def _beside(path, suffix: str):
    """A chunk's other staged file: `chunk-N.jsonl` → `chunk-N.{suffix}` (models, links)."""
    path = as_storage_path(path)
    return path.parent / path.name.replace(".jsonl", f".{suffix}")

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
