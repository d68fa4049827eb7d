"""Lines of one run that Akeneo cannot both accept: two variants with the same axis values under one
product model, two sub-models with the same axis values under one root, two products with the same
value of a unique attribute. Sent in batches that run at once, whichever reached Akeneo first would
win; instead the earlier line of the run (chunk order, then position) wins and each later one is
refused before anything is sent, with a message naming the earlier line.

Transform stages, per chunk, what each decoded line claims (`chunk-N.claims.jsonl`: its key, parent,
family variant and the values of attributes that are an axis somewhere or unique); `load_parents`,
which runs once before any load, settles the claims of the whole run. A variant's axes are those of
its parent's family variant, known from the run's model lines or read from Akeneo (a hundred codes
per call).
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from pimflow.ledger import RecordResult

CLAIMS_SUFFIX = "claims.jsonl"
CONFLICT_CODE = "conflicting_line"
IDENTIFIER_TYPE = "pim_catalog_identifier"


@dataclass(frozen=True)
class ClaimedAttributes:
    """The attributes whose values a line may claim: axes of some family variant, unique ones."""

    axes: frozenset[str]
    unique: frozenset[str]
    # family variant code -> {level: [axis codes]}, levels 1 and 2 (variant products take the last)
    levels: Mapping[str, Mapping[int, tuple[str, ...]]]
    claimable: frozenset[str] = frozenset()  # axes | unique

    @classmethod
    def from_metadata(cls, raw: Mapping) -> "ClaimedAttributes":
        levels: dict[str, dict[int, tuple[str, ...]]] = {}
        for variants in (raw.get("family_variants") or {}).values():
            for variant in variants or ():
                sets = variant.get("variant_attribute_sets") or ()
                levels[variant.get("code")] = {s.get("level"): tuple(s.get("axes") or ()) for s in sets}
        unique = frozenset(a["code"] for a in raw.get("attributes") or ()
                           if a.get("unique") and a.get("type") != IDENTIFIER_TYPE and "code" in a)
        axes = frozenset(code for by_level in levels.values() for codes in by_level.values() for code in codes)
        return cls(axes, unique, levels, axes | unique)

    def claim(self, n: int, key: str, record: Mapping, model: bool) -> dict | None:
        """What the line at position `n` claims, or None when it claims nothing."""
        parent = record.get("parent") or None
        found = (self.claimable if parent else self.unique).intersection(record.get("values") or ())
        if not found:  # most lines: no attribute that could be claimed
            return None
        values = {}
        for code in found:
            for entry in record["values"][code] or ():
                if entry.get("locale") is None and entry.get("scope") is None and entry.get("data") is not None:
                    values[code] = canonical(entry["data"])
        if not values or (parent is None and not (values.keys() & self.unique)):
            return None
        return {"n": n, "key": key, "model": model, "parent": parent,
                "family_variant": record.get("family_variant") if model else None, "values": values}


def canonical(data) -> str:
    """A value as Akeneo compares it for axes and uniqueness: codes without case, amounts as numbers."""
    if isinstance(data, str):
        return data.strip().lower()
    if isinstance(data, dict) and "amount" in data:
        try:
            amount = format(Decimal(str(data["amount"])).normalize(), "f")
        except (InvalidOperation, ValueError):
            amount = str(data["amount"])
        return f"{amount} {data.get('unit') or ''}".strip().lower()
    return json.dumps(data, sort_keys=True, ensure_ascii=False).lower()


def settle(claims: Iterable[tuple[int, dict]], attributes: ClaimedAttributes,
           family_variant_of: Mapping[str, str]) -> dict[int, list[RecordResult]]:
    """Refusals of the lines that lose a claim, by chunk. `claims` are (chunk, claim) in run order;
    `family_variant_of` gives each parent model's family variant (a model missing there claims no axes)."""
    taken: dict[tuple, str] = {}
    refused: dict[int, list[RecordResult]] = {}
    for chunk, claim in claims:
        keys = list(_keys(claim, attributes, family_variant_of))
        losses = [message.format(winner=taken[key]) for key, message in keys if key in taken]
        if losses:
            refused.setdefault(chunk, []).append(RecordResult.refused(claim["n"], CONFLICT_CODE, "; ".join(losses)))
            continue  # a refused line takes nothing
        for key, _ in keys:
            taken[key] = claim["key"]
    return refused


def _keys(claim: dict, attributes: ClaimedAttributes, family_variant_of: Mapping[str, str]):
    """(key, message template) for each thing the line claims; `{winner}` names the earlier line."""
    values, parent = claim["values"], claim["parent"]
    if parent is not None:
        variant = claim["family_variant"] or family_variant_of.get(parent)  # a sub-model may take its root's
        levels = attributes.levels.get(variant) or {}
        level = 1 if claim["model"] else max(levels, default=0)
        axes = levels.get(level) or ()
        if axes and all(code in values for code in axes):
            given = ", ".join(f"{code} = {values[code]!r}" for code in axes)
            what = "sub-model" if claim["model"] else "variant product"
            yield (("axes", parent, level, tuple(values[code] for code in axes)),
                   f"an earlier line of this run, {{winner!r}}, gives the {what} under product model {parent!r} "
                   f"the same variant axis values ({given}); Akeneo accepts one {what} per axis values under a "
                   f"model, and the earlier line wins")
    for code in sorted(values.keys() & attributes.unique):
        yield (("unique", code, values[code]),
               f"an earlier line of this run, {{winner!r}}, has the same {code} ({values[code]!r}); {code!r} is "
               f"unique in Akeneo, and the earlier line wins")
