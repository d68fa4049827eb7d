"""Catalog structure for the `linnworks` target: what product models, kits, related products and
categories become in Linnworks.

- A root product model is the parent item of a variation group whose variations are the variant
  products under it (at any depth: Linnworks groups have one level); sub-models are not items.
- A quantified association (the profile's `compositions.association`) is the item's composition.
- Related products (association types) become an extended property per type listing the SKUs.
- Category codes become a path of labels, written as the item's category or an extended property.

Groups and compositions are written by the `link` step, once every chunk is loaded, so parents,
variations and components exist whatever chunk they were in. Transform stages what each record
brings to them (`link_entries`); the link step gathers those with the loads' results (`gather`) and
writes them (`write_links`). Each outcome is reported on the record it belongs to (the root model's
record for a group, the kit's record for a composition) and only when it changes that record's
outcome: a refusal, or a write on a record its load left unchanged.

Linking never destroys what it did not positively decide: a group lists every variant the source
puts under its root model and a kit every component its row names, whatever became of their own
records in this run (refused, skipped), so a full run removes only the members the source says left.
A variant Linnworks lacks is left out of its group, which is written with the others. A record the
load refused or skipped keeps that result (code, message, transient flag); its message says what
became of its links (`...; variation group model_1: kept as it was`, `...; could not join variation
group model_1: missing in Linnworks`).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import msgspec

from pimflow import ledger
from pimflow.kinds.akeneo_structure import ModelIndex, staged_models
from pimflow.ledger import WRITTEN, Change, RecordResult, Status
from pimflow.staging import read_jsonl
from productsup.associations import QUANTIFIED_KINDS, association_column, decode_association
from productsup.cells import split_values
SUB_MODEL = "a sub-model is not a Linnworks item: its values reach Linnworks through its variants"
MODEL_WITHOUT_VARIATIONS = "product models are not written without the variations setting"


def is_model(row: Mapping[str, str]) -> bool:
    return bool(row.get("family_variant"))


def model_outcome(row: Mapping[str, str], variations_on: bool) -> str | None:
    """Why a product model row is not an item (None: it is one, the parent item of its group)."""
    if not is_model(row):
        return None
    if not variations_on:
        return MODEL_WITHOUT_VARIATIONS
    return SUB_MODEL if row.get("parent") else None


class CategoryPaths:
    """Category codes → one path of labels (`Master > Clothing > T-shirts`), the deepest category of
    the chosen tree; codes stand in for missing labels."""

    def __init__(self, categories: Iterable[Mapping], settings, locale: str | None):
        self.parents = {c["code"]: c.get("parent") for c in categories}
        self.labels = {c["code"]: ((c.get("labels") or {}).get(locale) if locale else None) or c["code"]
                       for c in categories}
        self.tree, self.separator = settings.tree, settings.separator

    def lineage(self, code: str) -> list[str]:
        chain, seen = [], set()
        while code and code not in seen:
            seen.add(code)
            chain.append(code)
            code = self.parents.get(code)
        return chain[::-1]

    def path(self, codes: Iterable[str]) -> str | None:
        lineages = [self.lineage(code) for code in codes]
        if self.tree:
            lineages = [line for line in lineages if line and line[0] == self.tree]
        if not lineages:
            return None
        deepest = max(lineages, key=lambda line: (len(line), [-ord(ch) for ch in "/".join(line)]))
        return self.separator.join(self.labels.get(code, code) for code in deepest)


@dataclass
class RunLinks:
    """What the link step writes, gathered from every transformed chunk of the run."""

    groups: dict[str, list[str]] = field(default_factory=dict)  # root model code → variant SKUs
    group_names: dict[str, str] = field(default_factory=dict)
    compositions: dict[str, dict[str, int]] = field(default_factory=dict)  # kit SKU → component → qty
    records: dict[str, tuple[int, int]] = field(default_factory=dict)  # SKU → (chunk index, n)
    statuses: dict[str, Status] = field(default_factory=dict)  # SKU → its load status
    ids: dict[str, str] = field(default_factory=dict)  # SKU → StockItemId, as the loads reported it
    # SKU → its load's refusal or skip: the record keeps it, its message says what became of its links
    settled: dict[str, RecordResult] = field(default_factory=dict)
    # settled before the load (transform refused or skipped it) or without a result: link reports nothing on it
    untouched: set[str] = field(default_factory=set)
    would_create: set[str] = field(default_factory=set)  # a dry run's items its loads would write


def related_properties(row: Mapping[str, str], types: list[str], settings, separator: str
                       ) -> tuple[dict[str, str | None], tuple[str, ...]]:
    """A row's related products as extended properties (`related_UPSELL` = `A,B`; none: deleted),
    and every SKU they name."""
    properties: dict[str, str | None] = {}
    named: list[str] = []
    for kind in types:
        skus = [code for suffix in ("products", "product_models")
                for code in split_values(row.get(f"{kind}-{suffix}") or "", separator)]
        properties[f"{settings.prefix}{kind}"] = ",".join(skus) or None
        named += skus
    return properties, tuple(dict.fromkeys(named))


def related_types(columns: Iterable[str], settings, composition_type: str | None) -> list[str]:
    wanted = set(settings.associations) if settings.associations is not None else None
    found = []
    for column in columns:
        parsed = association_column(column, None)
        if parsed and parsed[1] in ("products", "product_models") and parsed[0] != composition_type:
            if (wanted is None or parsed[0] in wanted) and parsed[0] not in found:
                found.append(parsed[0])
    return found


def link_entries_path(ctx, index: int):
    return ctx.staging.transform_chunk(index, "links.jsonl")


def link_entries(config, rows, identifier: str, separator: str, group_name_column: str | None) -> list[dict]:
    """What the link step needs of each record of a chunk, worked out once in transform: its SKU,
    whether it is a product model, its parent, a root model's group name, a kit's components (or,
    as `problem`, why they cannot be read: transform refuses that record, the link step never
    sees the problem)."""
    composition = config.compositions.association if config.compositions else None
    entries = []
    for n, row in zip(rows.index, rows.to_dict("records")):
        sku = row.get(identifier, "")
        if not sku:
            continue
        entry: dict = {"n": int(n), "sku": sku}
        if row.get("parent"):
            entry["parent"] = row["parent"]
        if is_model(row):
            entry["model"] = True
            if group_name_column and row.get(group_name_column):
                entry["group_name"] = row[group_name_column]
        elif composition:
            components, problem = _quantities(row, composition, separator)
            if problem:
                entry["problem"] = problem
            elif components is not None:
                entry["components"] = components
        entries.append(entry)
    return entries


def gather(ctx, config, transformed: list[dict]) -> RunLinks:
    """Every chunk's link entries and load results → the run's links. Every record the source
    carries takes its place in the groups and kits, whatever its own outcome: only the source
    decides a structure's members."""
    links = RunLinks()
    lineage: dict[str, dict] = {}  # model rows of the run (a feed source carries its models so)
    variants: list[tuple[str, str]] = []
    for chunk in transformed:
        index = chunk["index"]
        decided = {result.n: result for step in ("transform", "load")
                   for result in ledger.read(ctx.staging, step, index)}
        for entry in read_jsonl(link_entries_path(ctx, index)):
            n, sku = entry["n"], entry["sku"]
            if entry.get("model"):
                lineage[sku] = {"code": sku, "parent": entry.get("parent")}
            result = decided.get(n)
            before_load = result is not None and result.step == "transform"
            if entry.get("model") and before_load:
                continue  # a sub-model, or a model transform refused: no group of its own to write
            links.records[sku] = (index, n)
            if before_load or result is None:
                links.untouched.add(sku)
            elif result is not None and result.status in (Status.REFUSED, Status.SKIPPED):
                links.settled[sku] = result
            elif result is not None:
                links.statuses[sku] = result.status
                if result.target_id:
                    links.ids[sku] = result.target_id
                if result.status is Status.WOULD_WRITE:
                    links.would_create.add(sku)
            if entry.get("model"):
                if config.variations is not None and not entry.get("parent"):
                    links.groups.setdefault(sku, [])
                    links.group_names[sku] = entry.get("group_name") or sku
                continue
            if config.variations is not None and entry.get("parent"):
                variants.append((entry["parent"], sku))
            if "components" in entry:
                links.compositions[sku] = entry["components"]
    models = _models(ctx, lineage)
    for parent, sku in variants:  # groups are built around the root models the run carries (the parent items)
        root = models.root_of(parent) or parent
        if root in links.groups:
            links.groups[root].append(sku)
    return links


def _models(ctx, rows: dict[str, dict]) -> ModelIndex:
    """The run's product models: staged by an akeneo source, and those given as rows (a feed)."""
    index = staged_models(ctx)
    missing = {code: model for code, model in rows.items() if code not in index}
    return ModelIndex({**index.models, **missing}) if missing else index


def _quantities(row: Mapping[str, str], association: str, separator: str
                ) -> tuple[dict[str, int] | None, str | None]:
    """A kit's components (SKU → quantity) from its quantified association cells, as the flat format
    reads them; (None, None) when the row has no such column, (None, why) when a cell is malformed."""
    components: dict[str, int] = {}
    found = False
    for kind in QUANTIFIED_KINDS:
        column = f"{association}-{kind}"
        cell = row.get(column)
        if cell is None:
            continue
        found = True
        entries, problem = decode_association(cell, separator, True, kind, by_uuid=False)
        if problem:
            return None, f"{column} {cell!r}: {problem}"
        for entry in entries:
            components[entry["identifier"]] = components.get(entry["identifier"], 0) + entry["quantity"]
    return (components if found else None), None


def write_link_results(ctx, outcomes: dict[tuple[int, int], RecordResult], step: str = "link") -> None:
    """`link`: the results that change a record's outcome (a refusal, or an unchanged item whose
    structure was written); `structure`: what the structure writer did for every record it touched,
    with its changes (the dry-run diff reads them)."""
    by_chunk: dict[int, list[RecordResult]] = {}
    for (index, _), result in outcomes.items():
        by_chunk.setdefault(index, []).append(result)
    ledger.record_by_chunk(ctx.staging, step, by_chunk)


def write_links(ctx, config, client, links: RunLinks) -> dict:
    if not (links.groups or links.compositions):
        return {}
    dry_run = ctx.params.dry_run
    outcomes: dict[str, RecordResult] = {}
    # what became of the links of records the load refused or skipped (and of members that could not join)
    notes: dict[str, list[str]] = {}
    calls: Counter = Counter()
    units: Counter = Counter()
    _structure(ctx, config, client, links, outcomes, notes, calls, units, dry_run)
    merged: dict[tuple[int, int], RecordResult] = {}
    structure: dict[tuple[int, int], RecordResult] = {}
    counts: Counter = Counter()
    for sku, outcome in outcomes.items():
        record = links.records.get(sku)
        if record is None:
            continue
        outcome = msgspec.structs.replace(outcome, n=record[1], key=sku)
        structure[record] = outcome
        outcome = msgspec.structs.replace(outcome, changes=())
        counts[outcome.status.value] += 1
        if sku in links.settled or sku in links.untouched:
            continue  # a refused or skipped record keeps its result (its notes tell the structure's fate)
        loaded = links.statuses.get(sku)
        if outcome.is_refused:
            merged[record] = outcome
        elif outcome.status in (*WRITTEN, Status.WOULD_WRITE) and loaded is Status.UNCHANGED:
            changed = Status.WOULD_WRITE if dry_run else Status.UPDATED
            merged[record] = msgspec.structs.replace(outcome, status=changed)
    for sku, said in notes.items():
        record = links.records.get(sku)
        if record is None or sku in links.untouched or not said:
            continue
        settled = links.settled.get(sku)
        if settled is not None:  # its load's code, message and transient flag, and its links' fate
            message = "; ".join([settled.message, *said] if settled.message else said)
            merged[record] = msgspec.structs.replace(settled, n=record[1], key=sku, message=message, changes=())
        elif record not in merged:  # loaded, yet not in Linnworks: it could not join its group
            merged[record] = RecordResult.refused(record[1], "pimflow", "; ".join(said), key=sku)
    write_link_results(ctx, structure, step=ledger.STRUCTURE)
    write_link_results(ctx, merged)
    return {**counts, "groups": len(links.groups), "compositions": len(links.compositions),
            "kits": sum(1 for components in links.compositions.values() if components),
            "calls": dict(calls), "units": dict(units)}


def _structure(ctx, config, client, links: RunLinks, outcomes: dict, notes: dict[str, list[str]], calls: Counter,
               units: Counter, dry_run: bool) -> None:
    from linnworks.structure.desired import DesiredComposition, DesiredVariationGroup, StructureOptions
    from linnworks.structure.writer import StructureWriter

    groups = [DesiredVariationGroup(root, links.group_names.get(root) or root, tuple(skus))
              for root, skus in links.groups.items()]
    compositions = [DesiredComposition(sku, components) for sku, components in links.compositions.items()]
    options = StructureOptions(
        create_missing_components=bool(config.compositions and config.compositions.create_missing_components),
        dry_run=dry_run,
        # only a full run sees every variation of a group: an incremental one adds, never removes
        remove_unlisted=ctx.window is not None and ctx.window.mode == "full")
    report = StructureWriter(client, options).write(groups, compositions, known_ids=links.ids,
                                                    would_create=links.would_create if dry_run else ())
    calls.update(report.calls)
    units.update(report.units)
    changes: dict[str, list[Change]] = {}
    for result in report.results:
        previous = outcomes.get(result.sku)
        changes.setdefault(result.sku, []).extend(
            Change.of(row.field, row.old, row.new, row.action, row.endpoint) for row in result.diff)
        outcome = _outcome(result.status.value, result.endpoint, result.message, dry_run, result.transient)
        if previous is None or not previous.is_refused:
            outcomes[result.sku] = outcome
        _note_links(result, links, notes, dry_run)
    for sku, sku_changes in changes.items():
        if sku_changes and sku in outcomes:
            outcomes[sku] = msgspec.structs.replace(outcomes[sku], changes=tuple(sku_changes))


def _note_links(result, links: RunLinks, notes: dict[str, list[str]], dry_run: bool) -> None:
    """What a group's or kit's write means for its records: every fate for those the load refused or
    skipped (they keep their result), and a member Linnworks lacks, which could not join."""
    from linnworks.structure.report import Membership, StructureKind, StructureStatus

    sku, refused = result.sku, result.status is StructureStatus.REFUSED
    if result.kind is StructureKind.VARIATION_GROUP:
        label, listed = f"variation group {sku}", links.groups.get(sku, [])
    else:
        label, listed = f"composition of {sku}", list(links.compositions.get(sku, {}))
    if sku in links.settled and (listed or result.status is not StructureStatus.UNCHANGED):  # not an empty kit
        said = {StructureStatus.WRITTEN: f"{label}: would be written" if dry_run else f"{label}: written",
                StructureStatus.UNCHANGED: f"{label}: kept as it was",
                StructureStatus.REFUSED: f"{label}: not written: {result.message}"}.get(result.status)
        if said and said not in notes.get(sku, ()):
            notes.setdefault(sku, []).append(said)
    for member in listed:
        fate = result.members.get(member)
        if member not in links.settled and fate is not Membership.MISSING:
            continue
        if fate is Membership.KEPT:
            said = f"{label}: kept as it was"
        elif fate is Membership.JOINED:
            said = f"would join {label}" if dry_run else f"joined {label}"
        elif fate is Membership.UPDATED:
            said = f"{label}: quantity would be updated" if dry_run else f"{label}: quantity updated"
        elif fate is Membership.MISSING:
            said = f"could not join {label}: missing in Linnworks"
        elif fate is Membership.REFUSED:
            said = f"could not join {label}: {result.message}"
        elif refused:  # refused before any plan (its parent missing, a read failed): nothing changed
            said = f"{label}: not written: {result.message}"
        else:
            continue
        notes.setdefault(member, []).append(said)


def _outcome(status: str, endpoint, message, dry_run: bool, transient: bool = False) -> RecordResult:
    """A structure result (group or composition) as its record's ledger result; `n` is set later."""
    if status == "refused":
        return RecordResult.refused(0, endpoint or "pimflow", message or "", transient=transient)
    if dry_run and status != "unchanged":
        return RecordResult.would_write(0)
    return RecordResult(n=0, status=Status(status))


