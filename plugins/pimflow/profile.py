"""Profile models: one YAML file in include/profiles/ is one `Profile`, and one DAG.

Profiles are data, validated once at parse time; everything downstream takes the model. Sources and
targets are discriminated unions on `kind`; a kind that is not implemented is a validation error.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pimflow.mapping import Mapping
from pimflow.operations import PRIORITY_MAX, PRIORITY_MIN, Notify, PoolName, Timeouts, WeightRule

#: Every kind the design names; the ones not listed in the unions below are not implemented yet.
PLANNED_SOURCE_KINDS = ("akeneo", "feed", "linnworks_stock")
PLANNED_TARGET_KINDS = ("linnworks", "akeneo", "feed")

SCHEDULE_PRESETS = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
}
_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
#: Bounds of day counts and retries: a larger value validated, then failed as a run computed a
#: window (timedelta overflow) or the scheduler stored the task's tries (an integer column).
MAX_DAYS = 36_500
MAX_RETRIES = 100


class ImpossibleDate(str):
    """A YAML value shaped like a date or time that names no real one (`2026-02-30`): its text,
    and why it is no date (`reason`, Python's words: "day is out of range for month"). The loader
    reads such values so instead of letting YAML's ValueError escape; a text field takes the text."""

    reason: str

    def __new__(cls, text: str, reason: str) -> "ImpossibleDate":
        value = super().__new__(cls, text)
        value.reason = reason
        return value


class Strict(BaseModel):
    """Base for profile parts: unknown keys are errors, so a typo never passes silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class CsvDialect(Strict):
    delimiter: str = Field(",", min_length=1, max_length=1, description="Field separator.")
    quotechar: str = Field('"', min_length=1, max_length=1, description="Quote character.")
    encoding: str = Field("utf-8", description="Text encoding; a UTF-8 byte-order mark is always accepted.")
    value_separator: str = Field("<###>", min_length=1, description="Joins several values in one cell.")

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str) -> str:
        import codecs

        try:
            codecs.lookup(value)
        except LookupError as exc:
            raise ValueError(f"unknown encoding {value!r}") from exc
        return value


class FeedSource(CsvDialect):
    """A CSV feed in the flat format, at a local path or any fsspec URL; a glob reads several files."""

    kind: Literal["feed"]
    path: str = Field(description="File path, fsspec URL or glob (relative paths are relative to the profile; "
                                  "local ones stay under the data roots).")
    identifier_column: str = Field("sku", description="Column holding the product identifier (or UUID).")
    allow_empty: bool = Field(False, description="A glob matching no file, or a feed with a header and no data "
                                                 "line, is normal: the run goes on with no record (a feed target "
                                                 "then publishes the header alone). Off: either fails the run.")
    asset: bool = Field(False, description="Also run when an Airflow Asset event says the feed changed "
                                           "(the asset's URI is the feed's location; see the README).")


class FeedTarget(CsvDialect):
    """A CSV feed written in the flat format; published atomically when the run ends."""

    kind: Literal["feed"]
    path: str = Field(description="Output file path or fsspec URL; may use {dag_id}, {run_id}, {ds}, {ts_nodash}; "
                                  "a local path stays under the data roots.")
    escape_formulas: bool = Field(
        True, description="Put a single quote before cells a spreadsheet would run as a formula (starting with "
                          "= + - @, tab, CR or LF; plain numbers such as -5 stay as they are), per OWASP's CSV "
                          "injection rule; turn off for programs that read the cells literally.")


class AkeneoSource(Strict):
    """Products from Akeneo's REST API: full, incremental on `updated`, or a list of identifiers."""

    kind: Literal["akeneo"]
    connection: str = Field("akeneo_default", description="Airflow connection id (type akeneo).")
    channel: str | None = Field(None, description="Channel (scope): only its values travel; bare attribute codes resolve to it.")
    locales: list[str] = Field(default_factory=list, description="Locales to read (the first one resolves bare attribute codes).")
    categories: list[str] = Field(default_factory=list, description="Only products in these categories or their children.")
    families: list[str] = Field(default_factory=list, description="Only products of these families.")
    enabled_only: bool = Field(False, description="Only enabled products.")
    product_id: Literal["uuid", "identifier"] | None = Field(
        None, description="Deprecated: the connection's product_id_format says whether products go by uuid or "
                          "identifier. A value here must name the same, or the run fails at its start.",
        json_schema_extra={"deprecated": True})
    concurrent: bool = Field(True, description="Read disjoint parts of the catalog at once, within the connection's cap.")
    value_separator: str = Field("<###>", min_length=1, description="Joins several values in one flat cell.")
    media_base_url: str | None = Field(None, description="Write images and files as download URLs under this base URL.")
    column_form: Literal["pimflow", "productsup"] = Field(
        "pimflow", description="How price and metric columns are named: pimflow's `price@EUR` (one column per currency) "
                               "and bare `weight`, or Productsup's `price@currency` (every price of the value in one "
                               "cell: `740.00 EUR<###>800.00 USD`) and `weight@unit` (`3000.00 MMT`). Feeds are read "
                               "in either form.")
    read: Literal["products", "categories"] = Field(
        "products", description="What the source reads: products (with their models, see product_models), or the "
                                "category trees in parent-before-child order (a bulk initialisation for a target).")
    product_models: bool = Field(
        False, description="Also read the product models of the variants read, so a target can rebuild the "
                           "structure (variation groups); a variant counts as changed when one of its models changed.")
    variant_search_days: int | None = Field(
        None, ge=1, le=MAX_DAYS, description="Incremental runs: how many days back the poll for changed product models looks "
                                "(their variants are re-read), bounding the work of a run after a long pause "
                                "(default: the run's window).")
    reference_entities: list[str] = Field(
        default_factory=list, description="Reference entity attributes whose records' values become columns: "
                                          "`brand-<record attribute>[~locale]`, numbered for collections (`materials_1-label~en_US`).")
    events: bool = Field(
        False, description="Also run when Akeneo's Event Platform says products changed (the asset "
                           "akeneo://<connection>/products, fed by pimflow's receiver): such a run syncs exactly the "
                           "products the events name (a changed model brings its variants); the cron schedule stays "
                           "the safety net for lost events. See the README's \"Event-driven sync\".")

    @model_validator(mode="after")
    def _events_read_products(self) -> "AkeneoSource":
        if self.events and self.read != "products":
            raise ValueError("events: Akeneo's events name products and product models; "
                             "a source with read: categories cannot be event-driven")
        return self


class AkeneoTarget(Strict):
    """Writes flat rows to Akeneo as PATCH collections; every refused line comes back with Akeneo's message."""

    kind: Literal["akeneo"]
    connection: str = Field("akeneo_default", description="Airflow connection id (type akeneo).")
    product_id: Literal["uuid", "identifier"] | None = Field(
        None, description="Deprecated: the connection's product_id_format says whether products go by uuid or "
                          "identifier. A value here must name the same, or the run fails at its start.",
        json_schema_extra={"deprecated": True})
    create_products: bool = Field(True, description="Create products missing in Akeneo; off refuses them.")
    empty_cells: Literal["no_change", "clear"] = Field("no_change", description="What an empty cell means.")
    unknown_columns: Literal["refuse", "ignore"] = Field(
        "refuse", description="A column naming no Akeneo attribute: refuse the lines with a value in it, or ignore it with a warning.")


class _ChannelMapping(Strict):
    """A mapping whose `to: channel` names the channel by Source and SubSource."""

    source: str | None = Field(None, description="Channel Source as GetChannels lists it (with to: channel).")
    subsource: str | None = Field(None, description="Channel SubSource (with to: channel).")

    @model_validator(mode="after")
    def _channel_named(self):
        if self.to == "channel" and not (self.source and self.subsource):
            raise ValueError("a channel mapping needs source and subsource (as GetChannels lists them)")
        if self.to != "channel" and (self.source or self.subsource):
            raise ValueError("source and subsource only go with to: channel")
        return self


class PriceMapping(_ChannelMapping):
    attribute: str = Field(description="Akeneo price attribute (bare code or flat address).")
    currency: str = Field(description="Currency taken from the price collection, e.g. EUR.")
    to: Literal["retail", "purchase", "channel"] = Field(description="Linnworks retail price, purchase price, or a channel's price.")


class TitleMapping(_ChannelMapping):
    attribute: str = Field(description="Akeneo text attribute.")
    to: Literal["item", "channel"] = Field(description="The item's title, or a channel's title.")


class DescriptionMapping(_ChannelMapping):
    attribute: str = Field(description="Akeneo text or textarea attribute.")
    to: Literal["metadata", "channel"] = Field(description="The item's metadata (description), or a channel's description.")


class ImageSettings(Strict):
    main: str = Field(description="Image attribute that gives the main image.")
    others: list[str] = Field(default_factory=list, description="Further image attributes, in order.")
    mode: Literal["upload", "url"] = Field("upload", description="Upload the bytes downloaded from Akeneo, or give Linnworks a public URL.")
    base_url: str | None = Field(None, description="Public base URL of Akeneo media (e.g. a CDN), for mode: url.")
    remove_dropped: bool = Field(
        True, description="Delete from Linnworks the images pimflow put on an item that the source no longer "
                          "gives it; images added another way are never deleted. Off: they stay.")

    @model_validator(mode="after")
    def _url_needs_base(self):
        if self.mode == "url" and not self.base_url:
            raise ValueError("mode: url needs base_url (where Linnworks can fetch the images)")
        return self


class Dimensions(Strict):
    width: str | None = None
    height: str | None = None
    depth: str | None = None
    weight: str | None = None


class LinnworksUnits(Strict):
    length: Literal["cm", "mm"] = "cm"
    weight: Literal["kg", "g"] = "kg"


#: pimflow takes Linnworks numbers that agree to 4 decimals as equal (`linnworks.items.plan`): a
#: fifth decimal would never be written
MAX_LINNWORKS_DECIMALS = 4


class LinnworksPrecision(Strict):
    """Decimals of the numbers sent to Linnworks (rounded half up); unset: the unit's default. A
    value that is not 0 but rounds to 0 is sent as 0 with a warning in the feedback file."""

    weight: int | None = Field(None, description="Weight decimals (default: 3 in kg, 1 in g).")
    length: int | None = Field(None, description="Width, height and depth decimals (default: 2 in cm, 1 in mm).")
    price: int | None = Field(None, description="Retail, purchase and channel price decimals (default: 2).")

    @field_validator("weight", "length", "price", mode="before")
    @classmethod
    def _decimals(cls, value):
        if value is None:
            return value
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_LINNWORKS_DECIMALS:
            raise ValueError(f"{value!r} is not a number of decimals from 0 to {MAX_LINNWORKS_DECIMALS} "
                             f"(Linnworks numbers are compared to {MAX_LINNWORKS_DECIMALS} decimals)")
        return value


class VariationSettings(Strict):
    """Product models become Linnworks variation groups: the root model is the parent item."""

    group_name: str | None = Field(None, description="Attribute of the root model that names the group "
                                                     "(localised ones in the source's first locale; default: the model code).")


class CompositionSettings(Strict):
    """A quantified association type becomes the item's composition (kit contents with quantities)."""

    association: str = Field(description="Quantified association type, e.g. PACK.")
    create_missing_components: bool = Field(
        False, description="Create components missing in Linnworks (bare items) first; off: the kit is refused "
                           "with the list of missing SKUs.")


class RelatedProductSettings(Strict):
    """Related products (association types) become extended properties listing their SKUs."""

    associations: list[str] | None = Field(None, description="Association types to carry (default: every "
                                                             "non-quantified type the products have).")
    prefix: str = Field("related_", description="Property name = prefix + association type, e.g. related_UPSELL.")
    require_existing: bool = Field(True, description="Refuse an item whose related products are neither in "
                                                     "Linnworks nor in the run (off: write the list anyway).")


class CategorySettings(Strict):
    """Akeneo category paths (labels from the root down) written to Linnworks."""

    to: Literal["category", "extended_property"] = Field("category", description="The item's category, or an extended property.")
    property: str = Field("category", description="Extended property name (with to: extended_property).")
    tree: str | None = Field(None, description="Only categories of this tree (root code); default: the first tree the product is in.")
    separator: str = Field(" > ", min_length=1, description="Joins the labels of a path.")


class ExtendedPropertySettings(Strict):
    all_attributes: bool = Field(False, description="Every attribute the product has.")
    attributes: list[str] = Field(default_factory=list, description="Or only these (flat addressing allowed).")
    prefix: str = Field("", description="Put before each property name.")


class LinnworksTarget(Strict):
    """Keeps Linnworks inventory items in line with the source, writing only what changed."""

    kind: Literal["linnworks"]
    connection: str = Field("linnworks_default", description="Airflow connection id (type linnworks).")
    create_products: bool = Field(True, description="Create SKUs missing in Linnworks; off reports them as skipped.")
    prices: list[PriceMapping] = Field(default_factory=list)
    titles: list[TitleMapping] = Field(default_factory=list)
    descriptions: list[DescriptionMapping] = Field(default_factory=list)
    images: ImageSettings | None = Field(None, description="Off when absent.")
    barcode: str | None = Field(None, description="Attribute giving the barcode.")
    dimensions: Dimensions = Field(default_factory=Dimensions, description="Metric attributes for width, height, depth, weight.")
    units: LinnworksUnits = Field(default_factory=LinnworksUnits, description="Units Linnworks stores dimensions and weight in.")
    precision: LinnworksPrecision = Field(default_factory=LinnworksPrecision,
                                          description="Decimals sent for weights, lengths and prices.")
    extended_properties: ExtendedPropertySettings | None = Field(None, description="Off when absent.")
    variations: VariationSettings | None = Field(
        default_factory=VariationSettings,
        description="Variation groups from product models (with an akeneo source reading product_models); null: off.")
    compositions: CompositionSettings | None = Field(None, description="Kits from a quantified association; off when absent.")
    related_products: RelatedProductSettings | None = Field(
        default_factory=RelatedProductSettings, description="Related products as extended properties; null: off.")
    categories: CategorySettings | None = Field(None, description="Category paths; off when absent.")


class ChannelRule(Strict):
    """Linnworks-style listing rule for one channel (all optional)."""

    max_quantity: int | None = Field(None, ge=0, description="List at most this many.")
    max_percent: Decimal | None = Field(None, ge=0, le=100, description="List at most this share of the stock (after the cap), rounding down.")
    end_when: int | None = Field(None, description="List 0 at or below this quantity.")


class LinnworksStockSource(Strict):
    """Stock per location from Linnworks, turned into the quantity each channel may list."""

    kind: Literal["linnworks_stock"]
    connection: str = Field("linnworks_default", description="Airflow connection id (type linnworks).")
    locations: list[str] = Field(default_factory=list, description="Location names or ids, summed (default: the Default location).")
    quantity: Literal["available", "stock_level"] = Field("available", description="Available (stock minus open orders) or all physical stock.")
    attribute: str = Field(description="Scopable Akeneo number attribute that receives the listable quantity.")
    channels: dict[str, ChannelRule | None] = Field(description="Akeneo channel (scope) → its listing rule (null: no rule).")
    only_akeneo_skus: bool = Field(False, description="Only SKUs that exist in Akeneo under the target's connection.")


def _union(members: tuple, planned: tuple[str, ...], what: str):
    kinds = [m.model_fields["kind"].annotation.__args__[0] for m in members]

    def check_kind(value: Any) -> Any:
        if isinstance(value, dict):
            kind = value.get("kind")
            if kind is None:
                raise ValueError(f"{what} needs a 'kind' (one of: {', '.join(kinds)})")
            if kind not in kinds:
                if kind in planned:
                    raise ValueError(f"{what} kind {kind!r} is not implemented yet (available: {', '.join(kinds)})")
                raise ValueError(f"unknown {what} kind {kind!r} (available: {', '.join(kinds)})")
            if what == "source" and "events" in value and kind != "akeneo":
                raise ValueError(f"events: only an akeneo source can be event-driven (Akeneo's Event Platform); "
                                 f"this source is {kind!r}")
        return value

    from pydantic import BeforeValidator

    union = members[0] if len(members) == 1 else Union[members]  # noqa: UP007
    return Annotated[union, Field(discriminator="kind"), BeforeValidator(check_kind)]


SOURCE_MODELS: tuple[type[BaseModel], ...] = (FeedSource, AkeneoSource, LinnworksStockSource)
TARGET_MODELS: tuple[type[BaseModel], ...] = (FeedTarget, AkeneoTarget, LinnworksTarget)
Source = _union(SOURCE_MODELS, PLANNED_SOURCE_KINDS, "source")
Target = _union(TARGET_MODELS, PLANNED_TARGET_KINDS, "target")


class Feedback(Strict):
    """Where refused records go, and when refusals fail the run."""

    path: str | None = Field(
        None, description="Feedback file path or URL (default: feedback.csv in the run's staging folder)."
    )
    max_error_rate: float = Field(
        1.0, ge=0, le=1, description="Fail the run when refused / read exceeds this share (1.0 = never)."
    )
    max_errors: int | None = Field(None, ge=0, description="Fail the run when more records than this are refused.")
    include: Literal["refused", "all"] = Field("refused", description="Only refused lines, or every line with its status.")
    beside_source: bool = Field(False, description="Also write <feed>.feedback.csv next to each source feed file.")


class Incremental(Strict):
    """How incremental windows are chosen, and when a full reconcile is forced instead."""

    full_every_runs: int | None = Field(None, ge=1, description="Force a full sync every N successful runs.")
    full_every_days: float | None = Field(None, gt=0, le=MAX_DAYS,
                                          description="Force a full sync when the last one is older than this.")


class Profile(Strict):
    id: str = Field(description="Becomes the DAG id.")
    description: str = ""
    schedule: str | None = Field(
        None, description="Cron expression or preset (@hourly, @daily...); none means manual runs only."
    )
    start_date: date | datetime = Field(date(2025, 1, 1), validate_default=True,
                                        description="First data interval starts here (UTC).")
    catchup: bool = False
    tags: list[str] = Field(default_factory=list)
    owner: str = "pimflow"
    retries: int = Field(2, ge=0, le=MAX_RETRIES, description="Task retries (each task is safe to retry).")
    source: Source
    target: Target
    mapping: Mapping = Field(default_factory=Mapping)
    feedback: Feedback = Field(default_factory=Feedback)
    incremental: Incremental = Field(default_factory=Incremental)
    chunk_size: int = Field(5000, ge=1, le=1_000_000, description="Records per staging chunk (one mapped task each).")
    batch_size: int = Field(100, ge=1, le=10_000, description="Records per write request to the target.")
    # operational settings (`pimflow.operations`): what Airflow users set on every DAG
    timeouts: Timeouts = Field(default_factory=Timeouts, description="How long the run, its tasks and its wait "
                                                                     "for the turn may take.")
    notify: Notify = Field(default_factory=Notify, description="Airflow notifiers called when a run or a task "
                                                               "fails, or when the error threshold is crossed.")
    queue: str | None = Field(None, min_length=1, max_length=256,
                              description="The executor queue of every task (Celery: the workers listening to it); "
                                          "default: Airflow's [operators] default_queue.")
    priority_weight: int | None = Field(None, ge=PRIORITY_MIN, le=PRIORITY_MAX,
                                        description="Every task's priority against other DAGs' tasks waiting for a "
                                                    "slot (higher first; Airflow's default 1).")
    weight_rule: WeightRule | None = Field(None, description="How a task's effective priority is computed: "
                                                             "downstream (Airflow's default), upstream or absolute.")
    pool: PoolName | None = Field(None, description="An Airflow pool for the profile's tasks: extract, transform, "
                                                    "feedback, and a feed target's load (the tasks writing to Akeneo or "
                                                    "Linnworks stay in their account pool, pimflow_<connection>, and "
                                                    "wait_turn in none); `pimflow pools --create` creates it.")

    @model_validator(mode="after")
    def _target_limits(self) -> "Profile":
        if self.target.kind == "akeneo" and self.batch_size > 100:
            raise ValueError("batch_size: Akeneo accepts at most 100 products per request")
        if self.source.kind == "linnworks_stock" and self.target.kind != "akeneo":
            raise ValueError("a linnworks_stock source writes listable quantities to an akeneo target")
        if self.target.kind == "linnworks" and self.source.kind == "akeneo" and not (
                self.source.channel and self.source.locales):
            raise ValueError("source: an akeneo → linnworks profile needs the channel (scope) and the locales to read")
        if self.source.kind == "akeneo" and self.source.read == "categories" and self.target.kind == "linnworks":
            raise ValueError("source: read: categories goes to a feed or akeneo target "
                             "(a linnworks target takes category paths with its categories setting)")
        if self.target.kind == "linnworks" and self.mapping.columns:
            raise ValueError("mapping: a linnworks target builds its mapping from its own settings (prices, titles...)")
        return self

    @field_validator("id")
    @classmethod
    def _valid_id(cls, value: str) -> str:
        if not _ID.match(value) or len(value) > 250:
            raise ValueError("must be letters, digits, '_', '-' or '.' (it becomes the DAG id)")
        return value

    @field_validator("schedule")
    @classmethod
    def _valid_schedule(cls, value: str | None) -> str | None:
        if value is None or value in SCHEDULE_PRESETS:
            return value
        from croniter import croniter

        if value.startswith("@") or not croniter.is_valid(value):
            raise ValueError(f"{value!r} is neither a cron expression nor one of {', '.join(SCHEDULE_PRESETS)}")
        fields = len(value.split())
        if fields != 5:  # croniter takes a 6th field as seconds: "0 0 * * * *" would fire 60 times a day
            raise ValueError(f"{value!r} has {fields} fields; a cron expression has 5 (minute hour day-of-month "
                             "month day-of-week), and Airflow would read a 6th as seconds")
        return value

    @field_validator("start_date", mode="wrap")
    @classmethod
    def _real_date(cls, value: Any, handler) -> date | datetime:
        """One clear reason for a date that is no real one (`2026-02-30`: "day is out of range for
        month"), rather than one pydantic error per member of `date | datetime`."""
        try:
            return handler(value)
        except ValidationError:
            if isinstance(value, ImpossibleDate):
                reason = value.reason
            elif isinstance(value, str):  # quoted in the YAML: Python's reading gives the reason
                try:
                    datetime.fromisoformat(value.strip())
                except ValueError as exc:
                    reason = str(exc)
                else:
                    raise  # Python reads it, pydantic does not: pydantic's own words
            else:
                raise
            raise ValueError(f"{str(value)!r} is not a valid date: {reason}") from None

    @field_validator("start_date")
    @classmethod
    def _utc(cls, value: date | datetime) -> datetime:
        if not isinstance(value, datetime):
            value = datetime(value.year, value.month, value.day)
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)

    @property
    def cron(self) -> str | None:
        """The schedule as a cron expression (presets expanded), or None for manual only."""
        return SCHEDULE_PRESETS.get(self.schedule, self.schedule) if self.schedule else None


def profile_json_schema() -> dict:
    """JSON Schema of a profile file, for editors."""
    schema = Profile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "pimflow profile"
    return schema
