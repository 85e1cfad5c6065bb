"""The careful reader of an .xlsx/.xlsm: openpyxl in read-only mode, for a file calamine could not read
in its sandbox child (the child died, ran out of time, or the file's parts hide their roots).

With defusedxml installed openpyxl refuses DTDs and entities; it streams each sheet row by row, and only
the template's window (rows 1…MAX_ROWS, columns A…H) is asked for, so a cell placed far away costs
nothing. Members are inflated by `zipfile`, which stops at their declared size and checks the CRC."""

from __future__ import annotations

import io
import warnings

from defusedxml.common import DefusedXmlException

from nianbao.workbook import layout as L
from nianbao.workbook.calamine import COLS, _plain
from nianbao.workbook.errors import Hostile, NotAWorkbook


def careful_cells(data: bytes) -> dict[str, dict[str, object]]:
    """Sheet name → {cell reference → value} within the template's window (cached values of formulas)."""
    return _read(data, True)


def formula_refs(data: bytes) -> dict[str, set[str]]:
    """Sheet name → the references of formula cells within the window: read only for a workbook with
    an empty value cell, to tell the clerk that a formula there has no result."""
    return {name: {ref for ref, v in cells.items() if isinstance(v, str) and v.startswith("=")}
            for name, cells in _read(data, False).items()}


def _read(data: bytes, values: bool) -> dict[str, dict[str, object]]:
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():  # unknown extensions, odd styles: a clerk's file, not our concern
            warnings.simplefilter("ignore")
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=values, keep_links=False)
            try:
                if len(wb.sheetnames) > L.MAX_SHEETS:
                    raise NotAWorkbook(f"{len(wb.sheetnames)} sheets")
                return {name: _window(wb[name]) for name in wb.sheetnames if name != L.INSTRUCTIONS_SHEET}
            finally:
                wb.close()
    except DefusedXmlException as exc:
        raise Hostile(f"XML with DTD or entities: {exc}") from None
    except NotAWorkbook:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever a crafted or broken file makes openpyxl raise
        raise NotAWorkbook(f"unreadable xlsx: {type(exc).__name__}: {exc}"[:300]) from None


def _window(ws) -> dict[str, object]:
    cells: dict[str, object] = {}
    if not hasattr(ws, "iter_rows"):  # a chartsheet
        return cells
    for r, row in enumerate(ws.iter_rows(min_row=1, max_row=L.MAX_ROWS, min_col=1, max_col=len(COLS),
                                         values_only=True), 1):
        digits = str(r)
        for col, value in zip(COLS, row):
            if value is not None and value != "":
                cells[col + digits] = _plain(value)
    return cells
