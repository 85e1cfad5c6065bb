"""The one python-calamine reader, for every format it knows (.xlsx, .xlsm, .xls, .et, .ods).

Calamine is fast (~0.5 ms a workbook) but native: a crafted file (a cell far away: it allocates the
whole rectangle) can make it allocate hundreds of GiB and abort the process. It is therefore only ever
called inside the intake's sandbox (`nianbao.intake.sandbox`), a child process with a memory and time
limit, whose death sends the file to the careful reader. Only the window's rows become Python objects."""

from __future__ import annotations

import datetime as dt
import io

from nianbao.workbook import layout as L
from nianbao.workbook.errors import NotAWorkbook

COLS = "ABCDEFGH"  # the template's columns; anything further right is not ours


def _plain(value: object) -> object:
    """Numbers, text and booleans as they are; dates and times as the text a clerk would see."""
    if isinstance(value, (int, float, bool, str)):
        return value
    if isinstance(value, (dt.date, dt.time, dt.timedelta)):
        return str(value)
    return str(value)


def calamine_cells(data: bytes) -> dict[str, dict[str, object]]:
    """Sheet name → {cell reference → value} within the template's window (rows 1…MAX_ROWS, A…H).

    A sheet whose data starts past A1 is placed where it really is: calamine reports that start."""
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine's own error types for files it cannot read
        raise NotAWorkbook(f"unreadable workbook: {exc}") from None
    out: dict[str, dict[str, object]] = {}
    for name in wb.sheet_names:
        if name == L.INSTRUCTIONS_SHEET:  # prose for the clerk, nothing to read back
            continue
        try:
            sheet = wb.get_sheet_by_name(name)
            r0, c0 = sheet.start or (0, 0)
            rows = sheet.to_python(nrows=max(L.MAX_ROWS - r0, 0)) if r0 < L.MAX_ROWS else []
        except Exception as exc:  # a sheet calamine cannot decode
            raise NotAWorkbook(f"unreadable sheet {name}: {exc}") from None
        cols = COLS[c0:]  # zip() below stops at column H, or at the row's end
        cells: dict[str, object] = {}
        for r, row in enumerate(rows, r0 + 1):
            digits = str(r)  # the row number as text once a row, not once a cell
            for col, value in zip(cols, row):
                if value != "" and value is not None:
                    cells[col + digits] = _plain(value)
        out[name] = cells
    return out
