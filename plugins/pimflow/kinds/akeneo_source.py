"""The `akeneo` source: products (and the product models, categories and reference entity records
they need) through Akeneo's REST API, in the flat format."""
from __future__ import annotations

import re

from akeneo.pagination import field_value
from pimflow import carry_over
from pimflow.kinds import akeneo_structure as structure
from pimflow.kinds.akeneo import (REFERENCE_ENTITY_TYPES, AkeneoProfileError, akeneo_client, attribute_resolver,
                                  check_names, product_id_format, stage_metadata, staged_metadata)
from pimflow.kinds.base import RunContext, SourceCatalog, SourceChunk, SourceKind, stage_chunks
from pimflow.mapping import MappingContext
from pimflow.staging import as_storage_path, read_jsonl
from productsup.codec import FlatCodec
from productsup.columns import attribute_code


class AkeneoSourceKind(SourceKind):
    carries = frozenset({"models", "associations"})

    def key_column(self, ctx: RunContext, header: list[str]) -> str | None:
        if self.config.read == "categories":
            return "code"
        return staged_metadata(ctx, "source")[0].identifier

    def prepare(self, ctx: RunContext) -> None:
        config = self.config
        product_id_format(config, "source", ctx.profile.id, ctx.log)
        client = akeneo_client(config.connection)
        stage_metadata(ctx, client, "source")
        meta, _, raw = staged_metadata(ctx, "source")
        check_names(meta, raw, config.channel, config.locales, config.families, config.categories)
        self._stage_reference_entities(ctx, client, raw)
        if ctx.window is not None and config.read == "products" and ctx.window.mode != "events":
            # (an events run reads its named products only: not even a count over the catalog)
            ctx.log.info("product counter: %d product(s) match the profile's filter for this run",
                         client.count_products(self.query(ctx)))

    def query(self, ctx: RunContext):
        from akeneo.search import ProductQuery

        config, window = self.config, ctx.window
        mode = window.mode if window is not None else None
        if mode == "events":
            # Akeneo's events name products by UUID: the `uuid` filter works on /products and
            # /products-uuid alike, whatever the connection's product_id_format
            identifiers, uuids = (), window.identifiers
        else:
            manual = window.identifiers if mode == "manual" else ()
            by_uuid = akeneo_client(config.connection).settings.product_id_format == "uuid"
            looks_like_uuids = manual and all(len(i) == 36 and i.count("-") == 4 for i in manual)
            identifiers, uuids = ((), tuple(manual)) if (by_uuid and looks_like_uuids) else (tuple(manual), ())
        return ProductQuery(
            categories=tuple(config.categories), enabled=True if config.enabled_only else None,
            families=tuple(config.families),
            updated_since=window.start if mode == "incremental" else None,
            updated_until=window.end if mode == "incremental" else None,
            identifiers=identifiers, uuids=uuids,
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
        client = akeneo_client(config.connection)
        if config.read == "categories":
            tree = client.iter_category_tree(config.categories[0] if len(config.categories) == 1 else None,
                                             with_enriched_attributes=True)
            if len(config.categories) > 1:
                tree = [c for c in tree if _in_trees(c, config.categories, tree)]
            # One chunk: a target replays the tree in order, parents before children.
            return stage_chunks(ctx, tree, "categor(ies), parents first", chunk_size=max(1, len(tree)))
        query = self.query(ctx)
        _, _, raw = staged_metadata(ctx, "source")
        if ctx.window is not None and ctx.window.mode == "events":
            return self._extract_events(ctx, client, query)
        # Products pass to staging as Akeneo sent them: each page decoded one level deep (a product's
        # fields), the values never built as Python objects; only a few fields are read here.
        if config.concurrent and not query.is_manual:
            families = [f["code"] for f in raw.get("families", [])]
            products = client.iter_products_concurrently(query, family_codes=families, raw=True)
        else:
            products = client.iter_products(query, raw=True)
        identifier = staged_metadata(ctx, "source")[0].identifier
        # records earlier runs refused transiently: an incremental window may not select them again
        carried = carry_over.carried_in(ctx) if ctx.window is not None and ctx.window.mode == "incremental" else ()
        if not config.product_models:
            if carried:
                products = self._with_carried(ctx, client, query, products, carried, identifier)
            return stage_chunks(ctx, products, "product(s)", key=lambda record: _record_key(record, identifier))
        with structure.ModelSpill() as models:
            return stage_chunks(ctx, self._with_models(ctx, client, query, products, models, carried, identifier),
                                "record(s)", key=lambda record: _record_key(record, identifier))

    def _extract_events(self, ctx: RunContext, client, query) -> list[dict]:
        """An events run: exactly the products the events name (by UUID), then the variants of the
        product models they name, each once; no search over `updated`. What was named but not read
        (deleted since, or outside the profile's selection) and what the events deleted are reported
        in the run's `events.json` (`pimflow.steps.event_report`), never an error."""
        from pimflow.staging import write_json
        from pimflow.steps import EVENTS_REPORT

        window, config = ctx.window, self.config
        identifier = staged_metadata(ctx, "source")[0].identifier
        read_uuids: set[str] = set()
        handled: list[str] = []

        def named_products():
            from dataclasses import replace

            from akeneo.search import split_codes

            def once(products, wanted: set[str] | None = None):
                for product in products:
                    uuid = field_value(product, "uuid")
                    if uuid not in read_uuids:
                        read_uuids.add(uuid)
                        handled.append(_record_key(product, identifier))
                        yield product
                    if wanted is not None:
                        wanted.discard(uuid)
                        if not wanted:
                            return  # all found: a full page's next link would only read an empty page

            for batch in split_codes(list(window.identifiers)) if window.identifiers else ():
                yield from once(client.iter_products(replace(query, uuids=tuple(batch)), raw=True), set(batch))
            if window.models:  # a changed model: its variants at any depth (`parent IN`)
                yield from once(client.iter_products(replace(query, uuids=(), parents=window.models), raw=True))

        key = lambda record: _record_key(record, identifier)  # noqa: E731
        if config.product_models:
            with structure.ModelSpill() as models:
                chunks = stage_chunks(ctx, self._with_models(ctx, client, query, named_products(), models),
                                      "record(s)", key=key)
        else:
            chunks = stage_chunks(ctx, named_products(), "product(s)", key=key)
        not_read = [uuid for uuid in window.identifiers if uuid not in read_uuids]
        report = {"events": window.events, "handled": handled, "deleted": list(window.deleted), "not_read": not_read,
                  "named": {"products": len(window.identifiers), "product_models": len(window.models)}}
        write_json(ctx.staging.root / EVENTS_REPORT, report)
        ctx.log.info("extract: %d Akeneo event(s): %d product(s) read (%s)%s%s", window.events, len(handled),
                     ", ".join(handled[:20]) + (", …" if len(handled) > 20 else ""),
                     f"; {len(not_read)} named but not read (deleted since, or outside the profile's "
                     f"selection): {', '.join(not_read[:20])}" if not_read else "",
                     f"; {len(window.deleted)} deleted in Akeneo" if window.deleted else "")
        return chunks

    def _with_carried(self, ctx: RunContext, client, query, products, carried: tuple[str, ...], identifier: str,
                      seen: set[str] | None = None):
        """The products, then the carried identifiers they did not include (whatever their `updated`).
        `seen` (identifiers) is filled as products pass."""
        from dataclasses import replace

        seen = set() if seen is None else seen
        for product in products:
            seen.add(_record_key(product, identifier))
            yield product
        rest = tuple(key for key in carried if key not in seen)
        if not rest:
            return
        found = 0
        for product in client.iter_products(replace(query, updated_since=None, updated_until=None,
                                                    identifiers=rest, uuids=()), raw=True):
            key = _record_key(product, identifier)
            if key not in seen:
                seen.add(key)
                found += 1
                yield product
        ctx.log.info("extract: %d of %d carried record(s) outside the window read again", found, len(rest))

    def _with_models(self, ctx: RunContext, client, query, products, models: "structure.ModelSpill",
                     carried: tuple[str, ...] = (), identifier: str = ""):
        """The products, then the variants of models changed in the window that the product filter did
        not return, then every model those variants need (root models last: a run can replay it).
        Carried keys (`pimflow.carry_over`) join an incremental run: carried models as if they had
        changed in the window, carried products by identifier. Models wait in `models` (a file,
        not memory) until every product is staged."""
        window = ctx.window
        incremental = window is not None and window.mode == "incremental"
        seen: set[str] = set()  # only an incremental run asks whether a product came already
        parents: set[str] = set()
        parents_by_chunk: dict[int, set[str]] = {}  # stage_chunks cuts every chunk_size records
        key = "uuid" if query.uuids or client.settings.product_id_format == "uuid" else "identifier"
        chunk_size = ctx.profile.chunk_size
        count = 0

        def name(product) -> str:
            return field_value(product, key) or field_value(product, "identifier") or ""

        def remember(product):
            nonlocal count
            if incremental:
                seen.add(name(product))
            parent = field_value(product, "parent")
            if parent:
                parents.add(parent)
                parents_by_chunk.setdefault(count // chunk_size, set()).add(parent)
            count += 1
            return product

        carried_keys: set[str] = set()  # identifiers of the products met, when there are carried keys
        if carried:
            products = self._with_carried(ctx, client, query, products, carried, identifier, carried_keys)
        yield from map(remember, products)
        if incremental:
            from dataclasses import replace

            since = structure.changed_models_since(window.start, window.end, self.config.variant_search_days)
            changed = 0
            for model in client.iter_product_models(replace(query, updated_since=since, enabled=None), raw=True):
                models.add(model)
                changed += 1
            ctx.log.info("extract: %d product model(s) changed since %s", changed, since)
            carried_models = [key for key in carried if key not in carried_keys and key not in models]
            if carried_models:
                found = 0
                for model in client.iter_product_models(replace(  # as structure.fetch_models looks models up
                        query, identifiers=tuple(carried_models), uuids=(), updated_since=None, updated_until=None,
                        categories=(), families=(), enabled=None), raw=True):
                    models.add(model)
                    found += 1
                changed += found
                ctx.log.info("extract: %d carried product model(s) read again, with their variants", found)
            if changed:
                variants = replace(query, updated_since=None, updated_until=None, parents=tuple(sorted(models)))
                extra = 0
                for product in client.iter_products(variants, raw=True):
                    if name(product) not in seen:
                        extra += 1
                        yield remember(product)
                ctx.log.info("extract: %d more variant(s) of changed models", extra)
        structure.fetch_models(client, parents, query, models)
        ctx.log.info("extract: %d product model(s) for %d parent(s)", len(models), len(parents))
        ordered = [code for lineage_depth in (2, 1) for code in models  # sub-models, then roots
                   if (lineage_depth == 2) == bool(models.parents[code])]
        for position, code in enumerate(ordered, start=count):  # a sub-model's row carries its root's values
            if models.parents[code]:
                parents_by_chunk.setdefault(position // chunk_size, set()).add(models.parents[code])
        structure.stage_models(ctx, models, parents_by_chunk)
        yield from map(models.record, ordered)

    def codec(self, ctx: RunContext) -> FlatCodec:
        meta, _, _ = staged_metadata(ctx, "source")
        # encodes only: the product id format shapes decoded products (a target's codec), not rows
        return FlatCodec(meta, value_separator=self.config.value_separator,
                         media_base_url=self.config.media_base_url, column_form=self.config.column_form)

    def read_chunk(self, ctx: RunContext, chunk: dict) -> SourceChunk:
        records = list(read_jsonl(as_storage_path(chunk["path"])))
        if self.config.read == "categories":
            rows = list(structure.category_records(records, self.config.locales))
            header = list(dict.fromkeys(name for row in rows for name in row))
        else:
            rows, header = self._product_rows(ctx, records, chunk["index"])
        import pandas as pd  # task time only: building a DAG never imports pandas

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

    def known_names(self, ctx: RunContext, columns):
        """A record has a column only for the values it holds: the mapping may read any attribute of
        the catalog (`name`, `name~en_US`, `price@EUR`, a record collection's `brand_2-label`), and
        any field the chunk's columns start with."""
        meta, _, _ = staged_metadata(ctx, "source")
        present = {_leading_code(column) for column in columns}

        def known(name: str) -> bool:
            code = _leading_code(name)
            return code in present or code in meta.attributes
        return known

    def mapping_context(self, ctx: RunContext) -> MappingContext:
        meta, converter, _ = staged_metadata(ctx, "source")
        locale = self.config.locales[0] if self.config.locales else None
        return MappingContext(self.config.value_separator, converter,
                              attribute_resolver(meta, locale, self.config.channel))


def _leading_code(name: str) -> str:
    """The attribute or field a flat column name starts with (`brand_2-label~en_US` → `brand`)."""
    return re.sub(r"_\d+$", "", attribute_code(name).split("-", 1)[0])


def _record_key(record, identifier: str) -> str:
    """What names a record in other systems: a product's identifier, a model's code (a record read
    whole or raw: its values still JSON)."""
    if "family_variant" in record:
        return field_value(record, "code") or ""
    if value := field_value(record, "identifier"):
        return value
    for entry in (field_value(record, "values") or {}).get(identifier) or ():
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
