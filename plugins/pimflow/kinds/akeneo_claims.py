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
        keys = _keys(claim, attributes, family_variant_of)
        lost = [key for key in keys if key in taken]
        if lost:  # the messages are written only for the few lines that lose
            message = "; ".join(_lost_message(key, claim, attributes, family_variant_of, taken[key]) for key in lost)
            refused.setdefault(chunk, []).append(RecordResult.refused(claim["n"], CONFLICT_CODE, message))
            continue  # a refused line takes nothing
        for key in keys:
            taken[key] = claim["key"]
    return refused


def _axes(claim: dict, attributes: ClaimedAttributes, family_variant_of: Mapping[str, str]) -> tuple[int, tuple]:
    """(level, axis codes) a line under a parent claims, or (0, ()) when it claims no axis values."""
    variant = claim["family_variant"] or family_variant_of.get(claim["parent"])  # a sub-model may take its root's
    levels = attributes.levels.get(variant) or {}
    level = 1 if claim["model"] else max(levels, default=0)
    axes = levels.get(level) or ()
    return (level, axes) if axes and all(code in claim["values"] for code in axes) else (0, ())


def _keys(claim: dict, attributes: ClaimedAttributes, family_variant_of: Mapping[str, str]) -> list[tuple]:
    """What the line claims: its variant axis values under its parent, and each unique value."""
    values, parent, keys = claim["values"], claim["parent"], []
    if parent is not None:
        level, axes = _axes(claim, attributes, family_variant_of)
        if axes:
            keys.append(("axes", parent, level, tuple(values[code] for code in axes)))
    unique = attributes.unique
    keys += [("unique", code, values[code]) for code in sorted(code for code in values if code in unique)]
    return keys


def _lost_message(key: tuple, claim: dict, attributes: ClaimedAttributes, family_variant_of: Mapping[str, str],
                  winner: str) -> str:
    """Why the line loses `key` to the earlier line `winner`."""
    values = claim["values"]
    if key[0] == "axes":
        _, axes = _axes(claim, attributes, family_variant_of)
        given = ", ".join(f"{code} = {values[code]!r}" for code in axes)
        what = "sub-model" if claim["model"] else "variant product"
        return (f"an earlier line of this run, {winner!r}, gives the {what} under product model {claim['parent']!r} "
                f"the same variant axis values ({given}); Akeneo accepts one {what} per axis values under a "
                f"model, and the earlier line wins")
    code = key[1]
    return (f"an earlier line of this run, {winner!r}, has the same {code} ({values[code]!r}); {code!r} is "
            f"unique in Akeneo, and the earlier line wins")
