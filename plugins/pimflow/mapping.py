"""The mapping engine: flat input rows (a DataFrame of strings) → target rows, vectorised per chunk.

A mapping is an ordered list of output columns. Each column takes its value from an input column
(`from`, or its own name when nothing else is said), a constant (`value`) or a template
(`template: "https://shop/{sku}"`), then converts it (a currency picked from a price cell, a metric
converted to a unit, decimals rounded), applies a default, a required check and a type check.
Rows with a problem are refused with every problem listed; the others go on.

Input columns are addressed as in the flat format; with a `MappingContext` that knows the
catalog, a bare attribute code (`name`) resolves to the profile's locale and channel
(`name~en_US~ecommerce`) according to the attribute's flags.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Callable, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from productsup.cells import split_values
from productsup.columns import CURRENCY_WORD, UNIT_WORD, attribute_code, code_suffix
from productsup.convert import ConversionError, UnitConverter, parse_amount

if TYPE_CHECKING:
    import pandas as pd

# pandas and numpy are imported by the functions that map a chunk (task time), never at module
# level: the profile model uses this module, and building a DAG from a profile must not load them.

_FIELD = re.compile(r"\{\{|\}\}|\{([^{}]+)\}")
_INTEGER = r"[+-]?\d+"
_DECIMAL = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"
_BOOLEANS = {"true": "true", "false": "false", "1": "true", "0": "false", "yes": "true", "no": "false"}


class MappedColumn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    name: str = Field(min_length=1, description="Output column name.")
    source: str | None = Field(None, alias="from", description="Input column to read (default: the same name).")
    value: str | None = Field(None, description="A constant value for every row.")
    template: str | None = Field(None, description="Text with {column} placeholders; empty when a placeholder is empty.")
    default: str | None = Field(None, description="Used when the value is empty.")
    required: bool = Field(False, description="Refuse the row when the value is empty.")
    type: Literal["string", "integer", "decimal", "boolean", "date"] = Field(
        "string", description="Refuse the row when a non-empty value does not parse as this type."
    )
    currency: str | None = Field(None, description="Take this currency's amount from a price cell (740.00 EUR<###>800.00 USD).")
    unit: str | None = Field(None, description="Convert a metric cell (3000.00 MMT) to this unit (UN/CEFACT or Akeneo code); keeps the amount.")
    round: int | None = Field(None, ge=0, le=10, description="Round the amount to this many decimals (half up).")

    @model_validator(mode="after")
    def _one_origin(self) -> "MappedColumn":
        given = [k for k in ("source", "value", "template") if getattr(self, k) is not None]
        if len(given) > 1:
            names = {"source": "from", "value": "value", "template": "template"}
            raise ValueError(f"column {self.name!r}: give only one of {', '.join(names[k] for k in given)}")
        if self.template is not None:
            _template_parts(self.template)
        return self

    def input_columns(self) -> list[str]:
        if self.value is not None:
            return []
        if self.template is not None:
            return [part for kind, part in _template_parts(self.template) if kind == "field"]
        return [self.source or self.name]


class Mapping(BaseModel):
    """Output columns in order. With no columns, every input column passes through unchanged."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    columns: list[MappedColumn] = Field(default_factory=list)
    keep_unmapped: bool = Field(False, description="Also pass through input columns the mapping does not name.")

    @model_validator(mode="after")
    def _unique_names(self) -> "Mapping":
        seen: set[str] = set()
        for column in self.columns:
            if column.name in seen:
                raise ValueError(f"output column {column.name!r} is defined twice")
            seen.add(column.name)
        return self

    def output_columns(self, input_columns: list[str]) -> list[str]:
        if not self.columns:
            return list(input_columns)
        names = [c.name for c in self.columns]
        if self.keep_unmapped:
            used = {name for c in self.columns for name in c.input_columns()} | set(names)
            names += [c for c in input_columns if c not in used]
        return names


@dataclass
class MappingContext:
    """What a mapping may need beyond the rows: the value separator, unit conversions and the
    resolution of bare attribute codes to flat column names (from the catalog's metadata)."""

    separator: str = "<###>"
    converter: UnitConverter | None = None
    resolve: Callable[[str, list[str]], str] | None = None
    _columns: dict = field(default_factory=dict, repr=False)

    def column(self, name: str, columns) -> str:
        if name in columns or self.resolve is None:
            return name
        if name not in self._columns:
            self._columns[name] = self.resolve(name, list(columns))
        return self._columns[name]


@dataclass(frozen=True)
class MappingResult:
    """`rows`: mapped rows that passed (index kept from the input); `problems`: input index → list of
    (column, code, reason) for refused rows."""

    rows: pd.DataFrame
    problems: dict[int, list[tuple[str, str, str]]]


def apply_mapping(mapping: Mapping, frame: pd.DataFrame, context: MappingContext | None = None) -> MappingResult:
    """Map a chunk. `frame` holds strings, with '' for empty cells."""
    import pandas as pd

    if not mapping.columns:
        return MappingResult(frame.copy(), {})
    context = context or MappingContext()
    empty = pd.Series("", index=frame.index, dtype="str")
    out: dict[str, pd.Series] = {}
    problems: dict[int, list[tuple[str, str, str]]] = {}

    def refuse(mask: pd.Series, column: str, code: str, reason) -> None:
        for index in frame.index[mask.to_numpy()]:
            text = reason(index) if callable(reason) else reason
            problems.setdefault(index, []).append((column, code, text))

    for column in mapping.columns:
        source = None
        if column.value is not None:
            values = pd.Series(column.value, index=frame.index, dtype="str")
        elif column.template is not None:
            values = _render(column.template, frame, empty, context)
        else:
            source = context.column(column.source or column.name, frame.columns)
            if source not in frame.columns and (column.currency or column.unit):
                source = _suffixed_source(column, frame.columns, context) or source
            values = frame[source] if source in frame.columns else empty
        values = values.fillna("")
        if column.currency or column.unit or column.round is not None:
            values, failures = _convert_amounts(values, column, source or "", context)
            for index, reason in failures.items():
                problems.setdefault(index, []).append((column.name, "invalid_value", reason))
        if column.default is not None:
            values = values.where(values != "", column.default)
        blank = values == ""
        if column.required and blank.any():
            origin = column.input_columns()
            missing = [name for name in origin if name not in frame.columns]
            why = (f"required column {missing[0]!r} is not in the input" if missing
                   else f"required value is empty (from {', '.join(origin) or 'constant'})")
            refuse(blank, column.name, "missing_value", why)
        values, bad = _convert(values, column.type, ~blank)
        if bad.any():
            refuse(bad, column.name, "invalid_value",
                   lambda i, v=values, t=column.type: f"{frame_value(frame, column, i)!r} is not a valid {t}")
        out[column.name] = values
    result = pd.DataFrame(out, index=frame.index)
    if mapping.keep_unmapped:
        unmapped = mapping.output_columns(list(frame.columns))[len(mapping.columns):]
        if unmapped:  # one concat: inserting the columns one by one copies the column index each time
            result = pd.concat([result, frame[unmapped]], axis=1)
    if problems:
        result = result.drop(index=list(problems))
    return MappingResult(result, problems)


def unknown_references(mapping: Mapping, columns: Collection[str], context: MappingContext | None = None,
                       known: Callable[[str], bool] | None = None) -> list[str]:
    """What the mapping reads that is not there: one message per `from` (or a column's own name when
    it has no `from`) and template placeholder that names none of `columns` (the input's header),
    with the closest names. `known(name)`: names to accept anyway (a source whose records do not all
    carry every column: an attribute of the catalog). Empty when every reference resolves.

    Without this check a typo maps every row to an empty value, and the run succeeds."""
    context = context or MappingContext()
    present = set(columns)
    problems = []
    for column in mapping.columns:
        if column.value is not None:
            continue
        for name in column.input_columns():
            if context.column(name, present) in present or (known is not None and known(name)):
                continue
            if column.template is None and (column.currency or column.unit) and _suffixed_source(
                    column, present, context):
                continue
            what = (f"template placeholder {{{name}}}" if column.template is not None
                    else f"from {name!r}" if column.source is not None else f"input column {name!r} (its own name)")
            problems.append(f"mapping column {column.name!r}: {what} is not a column of the input"
                            f"{closest_names(name, present)}")
    return problems


def closest_names(name: str, names: Collection[str], count: int = 3) -> str:
    """' (did you mean 'a' or 'b'?)' with the names whose code (before any `~` or `@`) is closest to
    `name`'s (difflib's ratio), the closest full names first; '' when none is close."""
    by_code: dict[str, list[str]] = {}
    for other in names:
        by_code.setdefault(attribute_code(other), []).append(other)
    codes = difflib.get_close_matches(attribute_code(name), list(by_code), n=count, cutoff=0.6)
    close = sorted((other for code in codes for other in by_code[code]),
                   key=lambda other: -difflib.SequenceMatcher(None, name, other).ratio())[:count]
    return f" (did you mean {' or '.join(map(repr, close))}?)" if close else ""


def frame_value(frame: pd.DataFrame, column: MappedColumn, index) -> str:
    names = column.input_columns()
    if len(names) == 1 and names[0] in frame.columns:
        return frame.at[index, names[0]]
    return ""


def _template_parts(template: str) -> list[tuple[str, str]]:
    parts: list[tuple[str, str]] = []
    position = 0
    for match in _FIELD.finditer(template):
        if match.start() > position:
            parts.append(("text", template[position:match.start()]))
        token = match.group(0)
        if token in ("{{", "}}"):
            parts.append(("text", token[0]))
        else:
            parts.append(("field", match.group(1).strip()))
        position = match.end()
    rest = template[position:]
    if "{" in rest or "}" in rest:
        raise ValueError(f"template {template!r}: unbalanced brace (write {{{{ or }}}} for a literal one)")
    if rest:
        parts.append(("text", rest))
    return parts


def _suffixed_source(column: MappedColumn, columns, context: MappingContext) -> str | None:
    """The input column of a price or metric written with a suffix: pimflow's one column per
    currency (`price@EUR`), or Productsup's `price@currency` / `weight@unit` (codes in the cells)."""
    base = column.source or column.name
    wanted = [f"{base}@{column.currency.upper()}", f"{base}@{CURRENCY_WORD}"] if column.currency \
        else [f"{base}@{UNIT_WORD}"]
    for name in wanted:
        found = context.column(name, columns)
        if found in columns:
            return found
    return None


def _convert_amounts(values: pd.Series, column: MappedColumn, source: str, context: MappingContext):
    """Currency selection, unit conversion and rounding, cell by cell (each distinct cell once)."""
    import pandas as pd

    column_unit = code_suffix(source)
    failures: dict = {}
    cache: dict[str, tuple[str, str | None]] = {}

    def convert(cell: str) -> tuple[str, str | None]:
        if not cell:
            return "", None
        amount_text, unit = cell, column_unit
        if column.currency:
            amount_text = _pick_currency(cell, column.currency, column_unit, context.separator)
            if amount_text is None:
                return "", None  # no price in that currency: an empty value
            unit = None
        elif column.unit:
            amount_text, _, cell_unit = cell.strip().partition(" ")
            unit = cell_unit.strip() or column_unit
        amount = parse_amount(amount_text)
        if amount is None:
            return cell, f"{cell!r} is not an amount"
        if column.unit:
            if not unit:
                return cell, f"{cell!r} has no unit to convert from"
            if context.converter is None:
                return cell, "unit conversion needs the catalog's measurement families"
            try:
                amount = context.converter.convert(amount, unit, column.unit)
            except ConversionError as exc:
                return cell, str(exc)
        if column.round is not None:
            amount = amount.quantize(Decimal(1).scaleb(-column.round), rounding=ROUND_HALF_UP)
            return format(amount, "f"), None
        return (_plain(amount) if column.unit else amount_text.strip()), None

    out = []
    for index, cell in zip(values.index, values.tolist()):
        if cell not in cache:
            cache[cell] = convert(cell)
        text, failure = cache[cell]
        if failure:
            failures[index] = failure
        out.append(text)
    return pd.Series(out, index=values.index, dtype="str"), failures


def _pick_currency(cell: str, currency: str, column_unit: str | None, separator: str) -> str | None:
    wanted = currency.upper()
    for item in split_values(cell, separator):
        amount, _, code = item.strip().partition(" ")
        code = code.strip().upper() or (column_unit or "").upper()
        if code == wanted:
            return amount
    return None


def _plain(amount: Decimal) -> str:
    text = format(amount, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _render(template: str, frame: pd.DataFrame, empty: pd.Series, context: MappingContext) -> pd.Series:
    import pandas as pd

    result = pd.Series("", index=frame.index, dtype="str")
    any_blank = pd.Series(False, index=frame.index)
    for kind, part in _template_parts(template):
        if kind == "text":
            result = result + part
        else:
            part = context.column(part, frame.columns)
            values = frame[part].fillna("") if part in frame.columns else empty
            any_blank |= values == ""
            result = result + values
    return result.where(~any_blank, "")


def _convert(values: pd.Series, kind: str, present: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Normalise typed values; return (values, mask of present values that do not parse)."""
    import numpy as np
    import pandas as pd

    if kind == "string":
        return values, pd.Series(False, index=values.index)
    stripped = values.str.strip()
    if kind == "integer":
        ok = stripped.str.fullmatch(_INTEGER)
        return stripped.where(ok, values), present & ~ok
    if kind == "decimal":
        ok = stripped.str.fullmatch(_DECIMAL)
        return stripped.where(ok, values), present & ~ok
    if kind == "boolean":
        mapped = stripped.str.lower().map(_BOOLEANS)
        ok = mapped.notna()
        return mapped.where(ok, values).astype("str"), present & ~ok
    # date: ISO 8601 date or date-time; kept as written when valid
    parsed = pd.to_datetime(stripped.where(present, None), format="ISO8601", errors="coerce", utc=True)
    ok = pd.Series(np.asarray(parsed.notna()), index=values.index)
    return stripped.where(ok, values), present & ~ok
