"""CSV files people open in a spreadsheet never hold a cell the spreadsheet would run as a formula.

OWASP's CSV Injection rule (owasp.org/www-community/attacks/CSV_Injection): no cell may begin
with `=`, `+`, `-`, `@`, tab (0x09), carriage return (0x0D) or line feed (0x0A); such a cell gets
a leading single quote, which spreadsheets read as "this is text". The csv module already quotes
cells holding the delimiter or a quote, so no cell can start in the middle of another.

One exception, on purpose: a cell that is only a number (`-5`, `+3.50`, `-1,25`, `2e-3`) is left
as it is. A spreadsheet reads it as that number, never as a formula, and a shop feed's negative
stock or price correction must stay a number for the people and programs that read it
(`'-5` would be text to both). `-5+1` or `-5.00 EUR` are not plain numbers and are neutralised.
"""
from __future__ import annotations

import re
from typing import Iterable

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")


def neutralised(cell):
    """The cell as a spreadsheet may open it: a leading `'` when it would start a formula."""
    if isinstance(cell, str) and cell.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def neutralised_row(cells: Iterable) -> list:
    return [neutralised(cell) for cell in cells]
