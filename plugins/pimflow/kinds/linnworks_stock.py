"""The `linnworks_stock` source: Linnworks stock per location → the quantity each Akeneo channel may list.

extract reads the stock (GetStockItemsFull pages of 200, or the trigger's SKUs by id) into staging
chunks of {sku, stock}; read_chunk applies each channel's listing rule and compares the result with
the attribute's current values in Akeneo, so only changed SKUs reach the akeneo target.

Items archived or added in Linnworks while the pages are read shift them; the client checks each
read and reads again (`linnworks.api.paging`). Items read and then archived are left out (a read of
the listing as it now is would not have them); live items no read could list are staged as refused
records (`not_read`), so the ledger, the feedback file and the summary count them.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal, InvalidOperation

from pimflow.errors import NotRetried
from pimflow.kinds.akeneo import (AkeneoProfileError, akeneo_client, product_id_format, stage_metadata,
                                  staged_metadata)
from pimflow.kinds.base import RunContext, SourceChunk, SourceKind, stage_chunks
from pimflow.ledger import RecordResult, Status
from pimflow.listing import ListingRule, listable_quantity
from pimflow.staging import as_storage_path, read_json, read_jsonl, write_json

DEFAULT_LOCATION_ID = "00000000-0000-0000-0000-000000000000"
NUMBER_TYPE = "pim_catalog_number"
IDENTIFIERS_PER_SEARCH = 99


class LinnworksStockProfileError(NotRetried, ValueError):
    """A stock profile names a location Linnworks lacks: the run stops before any write."""


# ---- pure row building ---------------------------------------------------------------------------

def resolve_locations(wanted: Iterable[str], known: Iterable[tuple[str, str | None]]) -> list[str]:
    """Location names or ids → ids (the Default location when none are named); unknown ones fail."""
    known = list(known)
    by_id = {str(location_id).lower(): str(location_id).lower() for location_id, _ in known}
    by_name = {(name or "").strip().casefold(): str(location_id).lower() for location_id, name in known}
    resolved, missing = [], []
    for name in list(wanted) or [DEFAULT_LOCATION_ID]:
        found = by_id.get(name.strip().lower()) or by_name.get(name.strip().casefold())
        if found is None:
            missing.append(name)
        elif found not in resolved:
            resolved.append(found)
    if missing:
        names = ", ".join(f"{name or '(no name)'} ({location_id})" for location_id, name in known)
        raise LinnworksStockProfileError(
            f"source.locations: {', '.join(map(repr, missing))} not found in Linnworks (locations: {names})")
    return resolved


def stock_of(levels: Iterable, location_ids: list[str], quantity: str) -> int:
    """Sum `quantity` ('available' or 'stock_level') over the chosen locations; a missing one counts 0."""
    wanted, total = set(location_ids), 0
    for level in levels or ():
        location = level.location.stock_location_id if level.location else None
        if location and location.lower() in wanted:
            total += getattr(level, quantity) or 0
    return total


def listing_stock(listing, location_ids: list[str], quantity: str) -> tuple[list[dict], list[str]]:
    """A full stock listing (`iter_items_full`) as {sku, stock} rows in its order, without the items that
    left it while it was read (its `report.left`); returns (rows, SKUs of the items left out)."""
    rows: dict[str, dict] = {}
    for item in listing:
        if item.item_number:  # an item without a SKU cannot be matched to anything
            rows[item.stock_item_id.lower()] = {"sku": item.item_number,
                                                "stock": stock_of(item.stock_levels, location_ids, quantity)}
    left = [rows.pop(key)["sku"] for key in listing.report.left if key in rows]
    return list(rows.values()), left


def unread_rows(report) -> list[dict]:
    """One refused row per live item the listing counted but no read could list (nobody can name them)."""
    if not report.missing:
        return []
    message = (f"the Linnworks stock listing kept changing while it was read ({report.reads} reads; the last "
               f"listed {report.listed} of the {report.counted} items counted before it): up to "
               f"{report.missing} live item(s) could not be read and keep their current quantities; run again")
    return [{"sku": "", "error": ["not_read", message]} for _ in range(report.missing)]


def listing_rules(channels: dict) -> dict[str, ListingRule | None]:
    """The profile's channel rules as `ListingRule`s (None: list all the stock)."""
    return {channel: ListingRule(rule.max_quantity, rule.max_percent, rule.end_when) if rule else None
            for channel, rule in channels.items()}


def listed_row(sku: str, stock: int, attribute: str, rules: dict[str, ListingRule | None],
               identifier: str = "sku") -> dict[str, str]:
    """One flat row: the identifier column and `<attribute>~<channel>` for every channel."""
    return {identifier: sku, **{f"{attribute}~{channel}": str(listable_quantity(stock, rule))
                           for channel, rule in rules.items()}}


def current_quantities(product: dict, attribute: str) -> dict[str, Decimal]:
    """channel → the attribute's current value in an Akeneo product (non-numbers are left out)."""
    current = {}
    for entry in (product.get("values") or {}).get(attribute) or []:
        try:
            current[entry.get("scope")] = Decimal(str(entry.get("data")))
        except (InvalidOperation, ValueError):
            continue
    return current


def is_unchanged(row: dict[str, str], current: dict[str, Decimal] | None, attribute: str) -> bool:
    if current is None:
        return False
    prefix = f"{attribute}~"
    return all(current.get(column[len(prefix):]) == Decimal(value)
               for column, value in row.items() if column.startswith(prefix))


# ---- the source kind -----------------------------------------------------------------------------

def linnworks_client(connection: str):
    from linnworks.hook import LinnworksHook

    return LinnworksHook(linnworks_conn_id=connection).get_conn()


class LinnworksStockSourceKind(SourceKind):
    def key_column(self, ctx: RunContext, header: list[str]) -> str | None:
        return "sku"

    def _locations_path(self, ctx: RunContext):
        return ctx.staging.root / "linnworks-stock-locations.json"

    def prepare(self, ctx: RunContext) -> None:
        config, target = self.config, ctx.profile.target
        locations = linnworks_client(config.connection).get_stock_locations()
        ids = resolve_locations(config.locations, [(l.stock_location_id, l.location_name) for l in locations])
        write_json(self._locations_path(ctx), ids)
        # The akeneo target stages its metadata after the source's prepare; the checks need it now.
        product_id_format(target, "target", ctx.profile.id, ctx.log)
        stage_metadata(ctx, akeneo_client(target.connection), "target")
        meta, _, _ = staged_metadata(ctx, "target")
        check_attribute(meta, config.attribute, list(config.channels))
        ctx.log.info("stock of %s (%s) → %s for channel(s) %s", ", ".join(ids), config.quantity,
                     config.attribute, ", ".join(config.channels))

    def extract(self, ctx: RunContext) -> list[dict]:
        location_ids = read_json(self._locations_path(ctx))
        wanted = ctx.window.identifiers if ctx.window and ctx.window.mode == "manual" else ()
        return stage_chunks(ctx, self._stock(ctx, location_ids, wanted), "SKU(s)", numbered=True)

    def _stock(self, ctx: RunContext, location_ids: list[str], wanted: tuple[str, ...]) -> Iterator[dict]:
        from linnworks.api.models import DataRequirement

        client, quantity = linnworks_client(self.config.connection), self.config.quantity
        if not wanted:
            # Variation parents hold no stock of their own; composite parents do (Linnworks computes it).
            listing = client.iter_items_full([DataRequirement.STOCK_LEVELS], load_variation_parents=False)
            rows, left = listing_stock(listing, location_ids, quantity)
            report = listing.report
            if report.reads > 1:
                ctx.log.warning("extract: the Linnworks stock listing changed while it was read; read %d times, %s",
                                report.reads, f"up to {report.missing} live item(s) not read" if report.missing
                                else "every live item read")
            if left:
                ctx.log.info("extract: %d item(s) archived or deleted in Linnworks while the stock was read, "
                             "left out: %s%s", len(left), ", ".join(left[:20]), " …" if len(left) > 20 else "")
            unread = unread_rows(report)
            if unread:
                ctx.log.error("extract: %s", unread[0]["error"][1])
            yield from rows
            yield from unread
            return
        ids = client.find_stock_item_ids(wanted)
        levels = client.get_stock_levels(ids.values()) if ids else {}
        for sku in wanted:
            if sku not in ids:
                yield {"sku": sku, "error": ["unknown_sku", f"{sku!r} is not a Linnworks stock item"]}
            else:
                yield {"sku": sku, "stock": stock_of(levels.get(ids[sku], []), location_ids, quantity)}

    def read_chunk(self, ctx: RunContext, chunk: dict) -> SourceChunk:
        config = self.config
        rules = listing_rules(config.channels)
        records = list(read_jsonl(as_storage_path(chunk["path"])))
        header = ["sku", "stock"]
        originals = {r["n"]: [r["sku"], str(r.get("stock", ""))] for r in records}
        refused = {r["n"]: tuple(r["error"]) for r in records if "error" in r}
        meta, _, _ = staged_metadata(ctx, "target")
        key = meta.identifier
        rows = {r["n"]: listed_row(r["sku"], r["stock"], config.attribute, rules, key)
                for r in records if "error" not in r}
        target = ctx.profile.target
        current = akeneo_quantities(akeneo_client(target.connection),
                                    [row[key] for row in rows.values()], config.attribute, key)
        settled: dict[int, RecordResult] = {}
        for n, row in list(rows.items()):
            if config.only_akeneo_skus and row[key] not in current:
                settled[n] = RecordResult(n=n, status=Status.SKIPPED, code="not_in_akeneo",
                                          message=f"{row[key]!r} is not an Akeneo product (only_akeneo_skus)")
            elif is_unchanged(row, current.get(row[key]), config.attribute):
                settled[n] = RecordResult(n=n, status=Status.UNCHANGED)
            if n in settled:
                del rows[n]
        columns = [key, *(f"{config.attribute}~{channel}" for channel in config.channels)]
        import pandas as pd  # task time only: building a DAG never imports pandas

        frame = pd.DataFrame(list(rows.values()), index=list(rows), columns=columns, dtype="str")
        return SourceChunk(frame.fillna(""), refused, header, originals, settled=settled)


def check_attribute(meta, attribute: str, channels: list[str]) -> None:
    """Fail before any write unless `attribute` is a scopable, non-localizable number and every channel exists."""
    problems = []
    found = meta.attributes.get(attribute)
    if found is None:
        problems.append(f"source.attribute {attribute!r} does not exist in Akeneo")
    elif found.type != NUMBER_TYPE or not found.scopable or found.localizable:
        problems.append(f"source.attribute {attribute!r} must be a scopable, non-localizable number attribute "
                        f"(it is a {found.type}, scopable {found.scopable}, localizable {found.localizable})")
    for channel in channels:
        if channel not in meta.channels:
            problems.append(f"source.channels: {channel!r} is not an Akeneo channel "
                            f"(channels: {', '.join(sorted(meta.channels))})")
    if not channels:
        problems.append("source.channels: name at least one Akeneo channel")
    if problems:
        raise AkeneoProfileError("the stock profile does not match Akeneo: " + "; ".join(problems))


def akeneo_quantities(client, skus: list[str], attribute: str, identifier: str) -> dict[str, dict[str, Decimal]]:
    """SKU → channel → current value, for the SKUs that exist in Akeneo (one identifier search per 99)."""
    from akeneo.search import ProductQuery

    found = {}
    # Akeneo gives a full page (100) a `next` link even when nothing follows, so searches of 100
    # identifiers cost two calls each; 99 never fill a page and cost one.
    for start in range(0, len(skus), IDENTIFIERS_PER_SEARCH):
        query = ProductQuery(identifiers=tuple(skus[start:start + IDENTIFIERS_PER_SEARCH]),
                             attributes=(identifier, attribute))
        for product in client.iter_products(query):
            values = (product.get("values") or {}).get(identifier) or [{}]
            sku = product.get("identifier") or values[0].get("data")
            if sku:
                found[sku] = current_quantities(product, attribute)
    return found
