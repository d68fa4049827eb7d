"""The `linnworks` target: flat source rows → desired Linnworks items → the fewest writes.

The target's settings (prices, titles, dimensions...) define an internal mapping (see
`linnworks_layout`); transform keeps the source's flat rows and `check` refuses the rows that
mapping cannot convert; `load` applies it again and hands the items to `LinnworksWriter`, which
reads the current state, diffs and writes only what changed.
"""
from __future__ import annotations

import json
import threading
from collections import Counter
from typing import TYPE_CHECKING, Callable

import msgspec

from linnworks.items.desired import ImageMode, ImageRef, WriteOptions
from pimflow import ledger
from pimflow.kinds.base import (RunContext, SourceKind, StagedRecords, TargetKind, frame_records, read_flat_records,
                                write_flat_rows)
from pimflow.kinds.linnworks_checks import LinnworksProfileError, check_akeneo_names, check_channels
from pimflow.kinds.linnworks_layout import (VALUE_SEPARATOR, Layout, build_layout, desired_item, item_roles,
                                           row_warnings)
from pimflow.kinds.base import run_keys
from pimflow.kinds.linnworks_structure import (CategoryPaths, gather, link_entries, link_entries_path, model_outcome,
                                           related_properties, related_types)
from pimflow.ledger import Change, RecordResult, Status
from pimflow.mapping import MappingContext
from pimflow.staging import write_jsonl
from productsup.cells import join_values, split_values
from productsup.columns import attribute_code

if TYPE_CHECKING:
    import pandas as pd  # imported where a chunk is staged (task time), never when a DAG is built

RELATED_LABEL = "related products"
__all__ = ["LinnworksProfileError", "LinnworksTargetKind"]


def linnworks_client(connection: str):
    from linnworks.hook import LinnworksHook

    return LinnworksHook(linnworks_conn_id=connection).get_conn()


def _akeneo_source(ctx: RunContext):
    return ctx.profile.source if ctx.profile.source.kind == "akeneo" else None


class LinnworksTargetKind(TargetKind):
    feedback_columns = ("linnworks_endpoint", "linnworks_message")

    def extra_steps(self, source: SourceKind | None) -> frozenset[str]:
        """Variation groups and kits join items of any chunk: written once every chunk is loaded."""
        return frozenset({"link"}) if self.config.variations or self.config.compositions else frozenset()

    def prepare(self, ctx: RunContext) -> None:
        try:
            build_layout(self.config, [])
        except ValueError as exc:
            raise LinnworksProfileError(f"target settings: {exc}") from None
        check_channels(self.config, linnworks_client(self.config.connection).get_channels())
        catalog = ctx.source_catalog()
        if catalog is not None:
            resolve = self._context(ctx).resolve or (lambda name, _: name)
            check_akeneo_names(self.config, catalog.meta, resolve, catalog.converter, ctx.profile.source)

    # -- the internal mapping ----------------------------------------------------------------------
    def _context(self, ctx: RunContext) -> MappingContext:
        from pimflow.kinds import source_kind

        return source_kind(ctx.profile).mapping_context(ctx) or MappingContext()

    def _layout(self, ctx: RunContext, columns, context: MappingContext) -> Layout:
        source = ctx.profile.source
        identifier, is_attribute = getattr(source, "identifier_column", "sku"), None
        catalog = ctx.source_catalog()
        if catalog is not None:
            identifier = catalog.identifier
            is_attribute = lambda column: catalog.meta.find_attribute(attribute_code(column)) is not None  # noqa: E731
        return build_layout(self.config, columns, identifier, context.resolve, is_attribute)

    # -- transform: rows → item rows, once ----------------------------------------------------------
    def stage_records(self, ctx: RunContext, index: int, rows: pd.DataFrame) -> StagedRecords:
        """Flat rows → one item row per Linnworks item (columns named for what they fill: `title`,
        `price[AMAZON/Amazon UK]`, `property[ak_material]`, `image[0]`, `category`, `requires[...]`),
        staged as CSV: what load turns into `DesiredItem`s and writes. Numbers are staged at their
        precision (`target.precision`), with a `warning[column]` cell where a value that is not 0
        became 0: load hands it to the record's result, for the feedback file. With a link step,
        what joins the items (groups, kits) is staged beside it."""
        unreadable: list[RecordResult] = []
        if "link" in self.extra_steps(None):
            entries = self._link_entries(ctx, rows)
            for entry in entries:  # a kit whose components cannot be read: refused before any write
                if "problem" in entry:
                    unreadable.append(RecordResult.refused(
                        entry["n"], "invalid_value", f"kit {entry['sku']}: {entry.pop('problem')}; nothing written"))
            write_jsonl(link_entries_path(ctx, index), entries)
            if unreadable:
                rows = rows.drop(index=[result.n for result in unreadable])
        results, frame = self._settle_models(rows)
        results += unreadable
        context = self._context(ctx)
        layout = self._layout(ctx, frame.columns, context)
        mapped = layout.apply(frame, context)
        results += [RecordResult.refused(int(n), problems[0][1],
                                         "; ".join(f"{column}: {reason}" for column, _, reason in problems))
                    for n, problems in mapped.problems.items()]
        extras = self._extras(ctx, frame)
        items: dict[int, dict[str, str]] = {}
        roles_by_columns: dict[tuple, object] = {}  # rows share their columns (extras may add some)
        for n, row in zip(mapped.rows.index, frame_records(mapped.rows)):
            row = layout.at_precision(extras(row, n))
            columns = tuple(row)
            roles = roles_by_columns.get(columns) or roles_by_columns.setdefault(columns, item_roles(row))
            try:  # what DesiredItem refuses (a number that is not one...) is refused here, not at load
                desired_item(row, roles, _image_stub)
            except ValueError as exc:
                results.append(RecordResult.refused(int(n), "invalid_value", str(exc)))
                continue
            items[int(n)] = row
        path = ctx.staging.transform_chunk(index)
        write_flat_rows(path, items)
        return StagedRecords(str(path), len(items), results)

    # -- writing ----------------------------------------------------------------------------------
    def load(self, ctx: RunContext, index: int, flat_path) -> dict:
        """The staged item rows → `DesiredItem`s → `LinnworksWriter` (reads, diffs, writes what changed),
        with the profile's image ledger in staging."""
        from linnworks.items.writer import LinnworksWriter
        from pimflow.kinds.linnworks_images import StagingImageLedger

        positions, columns, rows = read_flat_records(flat_path)
        roles = item_roles(columns)
        image = self._image_factory(ctx)
        items = [desired_item(row, roles, image) for row in rows]
        images = self.config.images
        options = WriteOptions(create_products=self.config.create_products, dry_run=ctx.params.dry_run,
                               image_mode=ImageMode(images.mode) if images else ImageMode.URL,
                               delete_dropped_images=images.remove_dropped if images else False)
        report = LinnworksWriter(linnworks_client(self.config.connection), options,
                                 StagingImageLedger(ctx.staging, index)).write(items)
        # the ledger keeps what an update changed, and all a dry run would change (a creation's diff is the item)
        wanted = {outcome.sku for outcome in report.results
                  if ctx.params.dry_run or outcome.status.value == Status.UPDATED.value}
        changes = changes_by_sku(row for row in report.diff if row.sku in wanted)
        results = [_result(n, outcome, ctx.params.dry_run, changes.get(outcome.sku, ()), row_warnings(row, roles))
                   for n, outcome, row in zip(positions, report.results, rows)]
        counts = ledger.counts(ledger.record(ctx.staging, "load", index, results))
        return {**counts, "calls": dict(report.calls), "units": dict(report.units)}

    def _settle_models(self, frame: pd.DataFrame) -> tuple[list[RecordResult], pd.DataFrame]:
        """Sub-models (and every model without the variations setting) are not items: skipped."""
        if "family_variant" not in frame.columns:
            return [], frame
        results, keep = [], []
        for n, row in zip(frame.index, frame[["family_variant", *(["parent"] if "parent" in frame.columns else [])]]
                          .to_dict("records")):
            why = model_outcome(row, self.config.variations is not None)
            if why is None:
                keep.append(n)
            else:
                results.append(RecordResult(n=int(n), status=Status.SKIPPED, code="product_model", message=why))
        return results, frame.loc[keep]

    def _group_name_column(self, ctx: RunContext, columns) -> str | None:
        """The flat column naming a variation group (the `group_name` attribute for the run's locale and channel)."""
        name = self.config.variations.group_name if self.config.variations else None
        if not name:
            return None
        column = self._context(ctx).column(name, list(columns))
        return column if column in columns else None

    def _separator(self, ctx: RunContext) -> str:
        return getattr(ctx.profile.source, "value_separator", "<###>")

    def _category_paths(self, ctx: RunContext):
        settings = self.config.categories
        if settings is None:
            return None
        categories, locale = (), None
        catalog = ctx.source_catalog()
        if catalog is not None:
            categories = catalog.categories
            locale = (getattr(ctx.profile.source, "locales", None) or [None])[0]
        return CategoryPaths(categories, settings, locale).path

    def _extras(self, ctx: RunContext, frame: pd.DataFrame):
        """What an item row gets beyond the layout: a parent item's title, its category path and its
        related products (which must exist in Linnworks unless this run carries them or the profile
        says otherwise)."""
        separator = self._separator(ctx)
        category = self._category_paths(ctx)
        related = self.config.related_products
        composition = self.config.compositions.association if self.config.compositions else None
        types = related_types(frame.columns, related, composition) if related is not None else []
        in_run = run_keys(ctx) or frozenset(frame[frame.columns[0]]) if types else frozenset()

        group_name = self._group_name_column(ctx, frame.columns)
        models = "family_variant" in frame.columns

        def extend(row: dict[str, str], n) -> dict[str, str]:
            row = dict(row)
            if models and not row.get("title") and frame.at[n, "family_variant"]:
                # a parent item needs a title: the variation group's name when the model has no title
                row["title"] = (frame.at[n, group_name] if group_name else "") or row["sku"]
            if category is not None:
                codes = split_values(frame.at[n, "categories"], separator) if "categories" in frame.columns else []
                path = category(codes) or ""
                if self.config.categories.to == "category":
                    row["category"] = path
                else:
                    row[f"property[{self.config.categories.property}]"] = path
            if types:
                links, named = related_properties(frame.loc[n], types, related, separator)
                row.update((f"property[{name}]", value or "") for name, value in links.items())
                missing_here = [sku for sku in named if sku not in in_run]
                if related.require_existing and missing_here:
                    row[f"requires[{RELATED_LABEL}]"] = join_values(missing_here, VALUE_SEPARATOR)
            return row
        return extend

    def _link_entries(self, ctx: RunContext, rows: pd.DataFrame) -> list[dict]:
        """Per record, what the link step needs: its SKU, whether it is a model, its parent, a root
        model's group name, a kit's components (or why they cannot be read)."""
        catalog = ctx.source_catalog()
        identifier = catalog.identifier if catalog is not None else getattr(ctx.profile.source, "identifier_column", "sku")
        group_column = self._group_name_column(ctx, rows.columns)
        return link_entries(self.config, rows, identifier, self._separator(ctx), group_column)

    # -- linking (variation groups, compositions, related products) --------------------------------
    def link(self, ctx: RunContext, transformed: list[dict], loads: list[dict]) -> dict:
        from pimflow.kinds.linnworks_structure import write_links

        links = gather(ctx, self.config, transformed)
        return write_links(ctx, self.config, linnworks_client(self.config.connection), links)

    def commit(self, ctx: RunContext, loads: list[dict], dry_run: bool) -> dict:
        from pimflow.staging import read_json

        if not dry_run and self.config.images is not None:
            from pimflow.kinds.linnworks_images import fold

            fold(ctx.staging)

        calls: Counter = Counter()
        for loaded in loads:
            calls.update(loaded.get("calls") or {})
        shown = {}
        linked = ctx.staging.link_report
        if linked.exists():
            link = read_json(linked)
            calls.update(link.get("calls") or {})
            if link.get("groups") or link.get("kits"):
                shown["structure"] = f"{link.get('groups', 0)} variation group(s), {link.get('kits', 0)} kit(s)"
        return {**shown, "linnworks": ", ".join(f"{method} {n}" for method, n in sorted(calls.items())) or "no call"}

    def _image_factory(self, ctx: RunContext):
        """ImageRef per media code: a public URL, or bytes downloaded from Akeneo when first needed.
        In url mode with an Akeneo source the bytes can be downloaded too: only to find an image
        already on the item by checksum when the image ledger does not name it."""
        settings = self.config.images
        if settings is None:
            return None
        source = _akeneo_source(ctx)
        if settings.mode == "upload" and source is None:
            raise LinnworksProfileError("images.mode upload downloads from Akeneo: use an akeneo source or mode url")
        download: Callable[[str], bytes] | None = None
        if source is not None:
            lock, holder = threading.Lock(), {}

            def fetch(code: str) -> bytes:
                with lock:
                    if "client" not in holder:
                        from pimflow.kinds.akeneo import akeneo_client

                        holder["client"] = akeneo_client(source.connection)
                return holder["client"].download_media(code)

            download = fetch
        if settings.mode == "url":
            base = settings.base_url.rstrip("/")
            return lambda code: ImageRef(code, url=f"{base}/{code}",
                                         fetch=(lambda: download(code)) if download else None)
        return lambda code: ImageRef(code, fetch=lambda: download(code))


def _image_stub(code: str) -> ImageRef:
    """Images are fetched at load; transform only checks that the item can be built."""
    return ImageRef(code, url=code)


def _result(n: int, outcome, dry_run: bool, changes: tuple[Change, ...] = (),
            warnings: tuple[str, ...] = ()) -> RecordResult:
    """The writer's `ItemResult` as the record's ledger result (its StockItemId as the target id,
    the fields an update changed or a dry run would change, and the row's warnings)."""
    status = Status(outcome.status.value)
    if status is Status.REFUSED:
        message = outcome.message or ""
        if outcome.sent is not None:
            message += f" (sent: {json.dumps(outcome.sent, default=str, ensure_ascii=False)})"
        result = RecordResult.refused(n, outcome.endpoint or "pimflow", message, transient=outcome.transient)
    elif dry_run and status in (Status.CREATED, Status.UPDATED):
        result = msgspec.structs.replace(
            RecordResult.would_write(n, "create" if status is Status.CREATED else "update"), changes=changes)
    else:
        result = RecordResult(n=n, status=status, target_id=outcome.stock_item_id or "",
                              changes=changes if status is Status.UPDATED else ())
    return msgspec.structs.replace(result, warnings=warnings) if warnings else result


def changes_by_sku(diff) -> dict[str, tuple[Change, ...]]:
    """A writer's diff rows (sku, field, old, new, action, endpoint) as ledger changes per SKU."""
    grouped: dict[str, list[Change]] = {}
    for row in diff:
        grouped.setdefault(row.sku, []).append(Change.of(row.field, row.old, row.new, row.action, row.endpoint))
    return {sku: tuple(changes) for sku, changes in grouped.items()}
