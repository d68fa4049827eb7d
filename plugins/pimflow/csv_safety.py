"""CSV files people open in a spreadsheet never hold a cell the spreadsheet would run as a formula.

OWASP's CSV Injection rule (owasp.org/www-community/attacks/CSV_Injection): no cell may begin
with `=`, `+`, `-`, `@`, tab (0x09), carriage return (0x0D) or line feed (0x0A); such a cell gets
a leading single quote, which spreadsheets read as "this is text". The csv module already quotes
cells holding the delimiter or a quote, so no cell can start in the middle of another.

One exception, on purpose: a cell that is only a number (`-5`, `+3.50`, `-1,25`, `2e-3`), or only
amounts with their unit or currency code as the flat format writes them (`-6.4336 CEL`, `-5.00 EUR`,
`-5.00 EUR<###>-6.00 USD`), is left as it is. A spreadsheet reads a number as that number, and an
amount with a code as text or an error, never as a formula that runs anything (no function call
without parentheses); a shop feed's negative stock, price correction or temperature must stay as
written for the people and programs that read it (`'-5.00 EUR` is what an importer would store,
pimflow's own included). `-5+1`, `-5 EUR+1` or `-SUM(1)` are neither and are neutralised.
"""
from __future__ import annotations

import re
from typing import Iterable

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
_NUMBER = r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?"
_AMOUNT = _NUMBER + r"(?: [A-Za-z][A-Za-z0-9_]*)?"
#: a number, or amounts with their codes (several joined by the flat format's value separator)
_PLAIN_NUMBER = re.compile(rf"{_NUMBER}|{_AMOUNT}(?:<###>{_AMOUNT})*")


def neutralised(cell):
    """The cell as a spreadsheet may open it: a leading `'` when it would start a formula."""
    if isinstance(cell, str) and cell.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def neutralised_row(cells: Iterable) -> list:
    return [neutralised(cell) for cell in cells]
