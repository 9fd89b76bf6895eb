"""CSV that spreadsheets open safely: no formula injection, Vietnamese intact in Excel.

A citizen types the street or the note; an operator opens the export in a spreadsheet. A cell
that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a formula
there (``=HYPERLINK(…)`` becomes a live link), so such text gets a leading apostrophe, which
spreadsheets show as plain text (OWASP's advice for CSV injection). Numbers are written as
numbers; only text is neutralised.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)*\Z")
BOM = "\ufeff"  # Excel on Windows reads UTF-8 without it as a legacy code page


def cell(value: Any) -> Any:
    """``value`` as a spreadsheet will read it as text, never as a formula. A signed number
    (an E.164 phone such as ``+84912345678``) carries no formula and is left as it is."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.match(value):
        return "'" + value
    return value


def csv_rows(header: Sequence[str], rows: Iterable[Sequence[Any]], *, bom: bool = False) -> str:
    """CSV of a header and rows of values; every text cell neutralised."""
    out = io.StringIO()
    if bom:
        out.write(BOM)
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([cell(value) for value in row] for row in rows)
    return out.getvalue()


def csv_text(fields: Sequence[str], rows: Iterable[Mapping[str, Any]], *, bom: bool = False) -> str:
    """CSV with a fixed header (also for zero rows) from mappings; missing keys are empty."""
    return csv_rows(fields, ([row.get(field) for field in fields] for row in rows), bom=bom)
