"""A profile in words, for the Airflow UI: the DAG's docs (`doc_md`) and what an untouched Trigger does.

Built from the validated profile and its file alone, when the DAG is built: no network, no database,
no connection is read (profiles name connection ids; a password never reaches the docs, and a URL
carrying one has it masked).
"""
from __future__ import annotations

import re

from pimflow.event_runs import is_event_driven
from pimflow.events.contract import RECEIVER_PATH, asset_uri
from pimflow.loader import LoadedProfile
from pimflow.operations import STEPS, duration_text
from pimflow.pools import write_pool

#: A profile file longer than this is shown cut (profiles are a few dozen lines).
YAML_SHOWN_CHARS = 20_000
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*):[^/\s@]*@")

SOURCE_WORDS = {"feed": "a CSV feed", "akeneo": "Akeneo", "linnworks_stock": "Linnworks stock"}
TARGET_WORDS = {"feed": "a CSV feed", "akeneo": "Akeneo", "linnworks": "Linnworks"}


def masked(text: str) -> str:
    """`text` with the password of any URL in it (`https://user:secret@host`) replaced by ***."""
    return _URL_PASSWORD.sub(lambda match: f"{match['head']}:***@", text)


def reads_everything(profile) -> bool:
    """Whether every run reads the whole source (it has no change dates to select by)."""
    source = profile.source
    return source.kind != "akeneo" or source.read == "categories"


def untouched_trigger(profile) -> str:
    """What a run started with Trigger and the form as it opens covers, in one sentence."""
    source = profile.source
    if source.kind == "feed":
        return ("Trigger with the form as it opens reads the feed whole (a feed has no change dates) and "
                "writes every line of it.")
    if source.kind == "linnworks_stock":
        return ("Trigger with the form as it opens reads the stock of every item and writes the quantities "
                "that changed.")
    if source.read == "categories":
        return "Trigger with the form as it opens reads the category trees whole and writes them."
    return ("Trigger with the form as it opens syncs the products changed in Akeneo since the end of the last "
            "successful run, up to the moment you press it (the form's Logical Date is not used).")


def trigger_in_brief(profile) -> str:
    """`untouched_trigger` in a few words (for the DAG's description)."""
    source = profile.source
    if source.kind == "feed":
        return "Trigger reads the whole feed"
    if source.kind == "linnworks_stock":
        return "Trigger reads all stock"
    if source.read == "categories":
        return "Trigger reads the whole category trees"
    return "Trigger syncs the changes since the last successful run"


def trigger_text(profile) -> str:
    """The Trigger section of the docs: the untouched Trigger, the exceptions, the options."""
    incremental = profile.incremental
    reconcile = [f"every {incremental.full_every_runs} runs" if incremental.full_every_runs else "",
                 f"every {incremental.full_every_days:g} days" if incremental.full_every_days else ""]
    reconcile = " or ".join(part for part in reconcile if part)
    text = untouched_trigger(profile)
    if not reads_everything(profile):
        text += (" The profile's first run is a full sync" + (f", and so is a run when the full reconcile is due "
                 f"({reconcile}: manual runs count towards it as scheduled ones do)" if reconcile else "") + ".")
        text += " Records refused for a transient reason by an earlier run come again."
    return (text + "\n\nOptions: **Full sync** (every record the profile selects), **Identifiers** (only these "
            "SKUs or UUIDs; those the source does not have are reported as not found), **Dry run** (nothing is "
            "written to the target; what a real run would write goes to the run's staging folder, `dry_run/`). "
            "To replay past intervals exactly, create a backfill.")


def profile_doc(loaded: LoadedProfile) -> str:
    """The DAG's docs: what the profile reads, maps and writes, when it runs, and its file."""
    profile = loaded.profile
    title = profile.description or profile.id
    sections = [
        f"**{_escape(title)}**",
        f"{_capitalised(SOURCE_WORDS[profile.source.kind])} → {TARGET_WORDS[profile.target.kind]}, by the pimflow profile "
        f"{_code(masked(str(loaded.path)))} (shown whole at the end).",
        "#### Trigger", trigger_text(profile),
        "#### Reads", _reads(profile),
        "#### Maps", _maps(profile),
        "#### Writes", _writes(profile),
        "#### When it runs, and when it fails", _runs(profile),
        "#### Operational settings", _operations(loaded),
        "#### After a run",
        "The run's note (the runs list, and the run's details) holds its one-line summary. The `feedback` "
        "task's log holds the run summary, the records refused (key — code — message), those skipped and "
        "why, the identifiers not found, and the feedback file's path: `feedback.csv` in the run's staging "
        "folder" + (f", and a copy at {_code(masked(profile.feedback.path))}" if profile.feedback.path else "")
        + ".",
        "#### Profile file", _yaml_block(loaded.path),
    ]
    if loaded.defaults is not None:
        sections += ["#### Defaults file", f"{_code(masked(str(loaded.defaults)))}, merged under the profile "
                     "(the profile's values win):", _yaml_block(loaded.defaults)]
    return "\n\n".join(sections)


def _reads(profile) -> str:
    source = profile.source
    if source.kind == "feed":
        return (f"The CSV feed {_code(masked(source.path))} (delimiter {_code(source.delimiter)}, "
                f"{source.encoding}); a record is named by its {_code(source.identifier_column)} column"
                + (", and an Airflow Asset event on the feed starts a run too" if source.asset else "") + ".")
    if source.kind == "linnworks_stock":
        rules = ", ".join(f"`{channel}`" for channel in source.channels) or "none"
        return (f"Linnworks stock through connection `{source.connection}`: {source.quantity} quantity at "
                f"{_list(source.locations) or 'the Default location'}, written to attribute `{source.attribute}` "
                f"for the channels {rules}" + (" (only SKUs Akeneo has)" if source.only_akeneo_skus else "") + ".")
    what = "the category trees" if source.read == "categories" else "products"
    filters = [f"channel `{source.channel}`" if source.channel else "every channel",
               f"locales {_list(source.locales)}" if source.locales else "every locale",
               f"categories {_list(source.categories)} and their children" if source.categories else "every category",
               f"families {_list(source.families)}" if source.families else "every family",
               "enabled products only" if source.enabled_only else "enabled and disabled products"]
    if source.read == "products":
        if source.product_models:
            filters.append("with the product models of the variants")
        if source.reference_entities:
            filters.append(f"with the reference entity records of {_list(source.reference_entities)}")
        filters.append(f"by {source.product_id or 'the connection’s product id format'}")
    return f"Akeneo {what} through connection `{source.connection}`: " + "; ".join(filters) + "."


def _maps(profile) -> str:
    if profile.target.kind == "linnworks":
        return _linnworks_fields(profile.target)
    if profile.source.kind == "linnworks_stock":
        return _channel_rules(profile.source)
    mapping = profile.mapping
    if not mapping.columns:
        return "No mapping: every column of the source passes through as it is."
    rows = ["| column | value from | conversion | if empty | type |", "| --- | --- | --- | --- | --- |"]
    for column in mapping.columns:
        if column.value is not None:
            origin = f"the constant {_code(column.value)}"
        elif column.template is not None:
            origin = f"template {_code(column.template)}"
        else:
            origin = _code(column.source or column.name)
        conversion = ", ".join(part for part in (
            f"currency {column.currency}" if column.currency else "", f"unit {column.unit}" if column.unit else "",
            f"round to {column.round}" if column.round is not None else "") if part) or ""
        empty = "refused" if column.required else (f"{_code(column.default)}" if column.default is not None else "")
        rows.append(f"| {_code(column.name)} | {origin} | {conversion} | {empty} | {column.type} |")
    text = "\n".join(rows)
    if mapping.keep_unmapped:
        text += "\n\nThe source's other columns follow, as they are."
    return text


def _channel_rules(source) -> str:
    rows = [f"The listable quantity each Akeneo channel gets in {_code(source.attribute)}: the stock capped, then "
            "a share of it (rounded down), and 0 at or below the end-when quantity or with negative stock.", "",
            "| channel | at most | share | 0 at or below |", "| --- | --- | --- | --- |"]
    for channel, rule in source.channels.items():
        if rule is None:
            rows.append(f"| {_code(channel)} | | | |")
            continue
        rows.append(f"| {_code(channel)} | {'' if rule.max_quantity is None else rule.max_quantity} "
                    f"| {'' if rule.max_percent is None else f'{rule.max_percent}%'} "
                    f"| {'' if rule.end_when is None else rule.end_when} |")
    return "\n".join(rows)


def _linnworks_fields(target) -> str:
    rows = ["| Linnworks | from Akeneo |", "| --- | --- |"]

    def channel(mapping) -> str:
        return f" on {_escape(mapping.source)} / {_escape(mapping.subsource)}" if mapping.to == "channel" else ""

    for price in target.prices:
        rows.append(f"| {price.to} price{channel(price)} | {_code(price.attribute)} in {price.currency} |")
    for title in target.titles:
        rows.append(f"| {'item' if title.to == 'item' else 'channel'} title{channel(title)} | {_code(title.attribute)} |")
    for description in target.descriptions:
        where = "description (metadata)" if description.to == "metadata" else "channel description"
        rows.append(f"| {where}{channel(description)} | {_code(description.attribute)} |")
    if target.barcode:
        rows.append(f"| barcode | {_code(target.barcode)} |")
    for name in ("width", "height", "depth", "weight"):
        attribute = getattr(target.dimensions, name)
        if attribute:
            unit = target.units.weight if name == "weight" else target.units.length
            rows.append(f"| {name} ({unit}) | {_code(attribute)} |")
    properties = target.extended_properties
    if properties:
        named = "every attribute" if properties.all_attributes else _list(properties.attributes)
        rows.append(f"| extended properties (prefix {_code(properties.prefix) if properties.prefix else 'none'}) "
                    f"| {named} |")
    if target.images:
        images = target.images
        rows.append(f"| images ({images.mode}) | main {_code(images.main)}"
                    + (f", then {_list(images.others)}" if images.others else "") + " |")
    if target.categories:
        where = "category" if target.categories.to == "category" else f"extended property {_code(target.categories.property)}"
        tree = f" of tree {_code(target.categories.tree)}" if target.categories.tree else ""
        rows.append(f"| {where} | the deepest category's path of labels{tree} |")
    if target.variations is not None:
        name = _code(target.variations.group_name) if target.variations.group_name else "the model code"
        rows.append(f"| variation groups | root product models (named by {name}) and their variants |")
    if target.compositions:
        rows.append(f"| kits (composition) | quantified association {_code(target.compositions.association)} |")
    if target.related_products is not None:
        related = target.related_products
        kinds = _list(related.associations) if related.associations else "every non-quantified association"
        rows.append(f"| extended properties {_code(related.prefix + '…')} | related SKUs of {kinds} |")
    return "\n".join(rows)


def _writes(profile) -> str:
    target = profile.target
    if target.kind == "feed":
        return (f"The CSV feed {_code(masked(target.path))} (delimiter {_code(target.delimiter)}, {target.encoding}), "
                "published whole when the run ends"
                + ("; cells a spreadsheet would run as formulas get a leading `'`" if target.escape_formulas else "")
                + ".")
    batches = f"{profile.batch_size} records per request"
    if target.kind == "akeneo":
        return (f"Akeneo through connection `{target.connection}` (PATCH collections, {batches}): "
                + ("creates missing products" if target.create_products else "refuses products Akeneo does not have")
                + f"; an empty cell means {'clear the value' if target.empty_cells == 'clear' else 'no change'}; "
                + f"a column naming no attribute {'refuses its lines' if target.unknown_columns == 'refuse' else 'is ignored'}."
                + f" Write tasks take turns in pool `{write_pool(profile)}`.")
    return (f"Linnworks inventory items through connection `{target.connection}`, writing only what changed: "
            + ("creates missing SKUs" if target.create_products else "reports SKUs Linnworks does not have as skipped")
            + f". Write tasks take turns in pool `{write_pool(profile)}`.")


def _runs(profile) -> str:
    lines = []
    event_driven = is_event_driven(profile)
    if profile.schedule:
        cron = f" (`{profile.cron}`)" if profile.cron != profile.schedule else ""
        covers = ("reads the whole source" if reads_everything(profile) else
                  "syncs its own interval, reaching back to the last successful run after a gap")
        lines.append(f"- **Schedule** `{profile.schedule}`{cron}, UTC, from {profile.start_date:%Y-%m-%d}: each "
                     f"scheduled run {covers}.")
    elif event_driven:
        lines.append("- **Schedule**: none: runs start on Akeneo's events (below) or by hand.")
    else:
        lines.append("- **Schedule**: none, manual runs only.")
    if event_driven:
        conn = profile.source.connection
        lines.append(f"- **Akeneo events**: a delivery from Akeneo's Event Platform (asset "
                     f"`{asset_uri(conn)}`, received at `{RECEIVER_PATH.format(conn_id=conn)}`) starts a run "
                     "that syncs exactly the products the events name (a changed product model brings its "
                     "variants); events arriving while a run is busy wait and start one run together. "
                     + ("The schedule stays the safety net for lost events." if profile.schedule else
                        "Without a schedule nothing catches an event that never arrived: add one."))
    incremental = profile.incremental
    if reads_everything(profile):
        lines.append("- **Full reconcile**: every run reads the whole source.")
    elif incremental.full_every_runs or incremental.full_every_days:
        every = " or ".join(part for part in (
            f"every {incremental.full_every_runs} runs" if incremental.full_every_runs else "",
            f"when the last one is {incremental.full_every_days:g} days old" if incremental.full_every_days else "")
            if part)
        lines.append(f"- **Full reconcile**: {every} (manual runs count as scheduled ones do).")
    else:
        lines.append("- **Full reconcile**: never forced (only the first run, or Full sync).")
    lines.append(f"- **Error threshold**: {threshold_text(profile)}")
    lines.append(f"- **Retries**: {profile.retries} per task, for what another try can fix; "
                 f"{profile.chunk_size} records per chunk (one transform and one load task each).")
    return "\n".join(lines)


def _operations(loaded: LoadedProfile) -> str:
    """Timeouts, notifiers, queue, priority and pools: how the profile's tasks run in Airflow."""
    profile = loaded.profile
    timeouts = profile.timeouts
    lines = []
    if loaded.defaults is not None:
        lines.append(f"- **Defaults**: the folder's defaults file {_code(masked(loaded.defaults.name))} gives the "
                     "settings the profile does not (shown at the end).")
    run = (f"the run fails when it takes longer than {duration_text(timeouts.run)} from its start (waiting for "
           "its turn included)" if timeouts.run else "the run has no time limit")
    own = [f"{step} {duration_text(getattr(timeouts, step))}" for step in _steps(profile)
           if getattr(timeouts, step) is not None]
    if timeouts.task is not None:
        tasks = f"each try of a task may take {duration_text(timeouts.task)}" + (f" ({', '.join(own)})" if own else "")
    else:
        tasks = ("each try may take: " + ", ".join(own) + "; other tasks have no time limit") if own else \
            "tasks have no time limit"
    lines.append(f"- **Timeouts**: {run}; {tasks}; a run waits at most {duration_text(timeouts.wait_turn)} "
                 "for its turn.")
    notify = profile.notify
    events = [("when a run fails", notify.on_failure), ("when a task fails after its retries", notify.on_task_failure),
              ("when the error threshold is crossed", notify.on_threshold)]
    named = [f"{when}: " + ", ".join(_code(spec.class_path.rsplit('.', 1)[-1]) for spec in specs)
             for when, specs in events if specs]
    lines.append("- **Notifiers**: " + ("; ".join(named) if named else "none") + ".")
    placing = [f"queue {_code(profile.queue)}" if profile.queue else "",
               f"priority weight {profile.priority_weight}" if profile.priority_weight is not None else "",
               f"weight rule {profile.weight_rule}" if profile.weight_rule else ""]
    placing = ", ".join(part for part in placing if part)
    lines.append(f"- **Tasks**: {placing or 'Airflow’s default queue and priority'}; "
                 + (f"the tasks run in pool {_code(profile.pool)}" if profile.pool else "the tasks run in Airflow's "
                    "default pool") + (f", but the write tasks, which take turns in {_code(write_pool(profile))} (one "
                                       "writer per account)," if write_pool(profile) else "")
                 + " and wait_turn (a run waiting for its turn takes no slot from the runs that work).")
    return "\n".join(lines)


def _steps(profile) -> list[str]:
    """The steps the profile's DAG has, in order (load_parents and link only when its target needs them)."""
    from pimflow.kinds import source_kind, target_kind

    extra = target_kind(profile).extra_steps(source_kind(profile))
    return [step for step in STEPS if step not in ("load_parents", "link")
            or (step == "load_parents" and "parents" in extra) or (step == "link" and "link" in extra)]


def threshold_text(profile) -> str:
    policy = profile.feedback
    limits = []
    if policy.max_error_rate < 1:
        limits.append(f"more than {policy.max_error_rate:.1%} of the records read are refused")
    if policy.max_errors is not None:
        limits.append(f"more than {policy.max_errors} records are refused")
    if not limits:
        return "none: refused records never fail the run (they are in the feedback file)."
    when = "the run fails when " + " or ".join(limits)
    if profile.target.kind == "feed":
        return when + "; then the output feed is not published."
    again = "" if reads_everything(profile) else "; the window is not marked synced, so the next run covers it again"
    return (when + f"; by then the loads have already written the other records to "
            f"{TARGET_WORDS[profile.target.kind]} (nothing is undone){again}.")


def _yaml_block(path) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return f"(the file could not be read: {_escape(str(exc))})"
    cut = len(text) > YAML_SHOWN_CHARS
    text = masked(text[:YAML_SHOWN_CHARS])
    fence = "~~~~" if "```" in text else "```"
    return f"{fence}yaml\n{text.rstrip()}\n{fence}" + ("\n\n(cut: the file is longer)" if cut else "")


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _list(values) -> str:
    return ", ".join(_code(value) for value in values)


def _code(value) -> str:
    """`value` as inline code, safe in a table cell (Markdown has no escape inside code spans)."""
    text = str(value).replace("|", "\\|").replace("\n", " ")
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _escape(text: str) -> str:
    """Plain text in Markdown: the characters that would format it escaped."""
    return re.sub(r"([\\`*_{}\[\]<>|#])", r"\\\1", text)
