"""Writing the city's figures into the value cells of the rows `match` found, and nothing else.

A cell is left alone, and the row reported with why, when it is part of a merged block, holds a formula
(the province computes it), is locked on a protected sheet (the province did not ask for it) or already
holds text (a remark such as "见附表" is theirs). A number already there is replaced and reported with
its old value (a province prefills last year's or zeros). Hidden sheets — a nianbao workbook's signed
identity sheet among them — are never filled, so they stay exactly as the province sent them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
from openpyxl.worksheet.worksheet import Worksheet

from nianbao.cityconfig import CityConfig
from nianbao.textsafe import one_line
from nianbao.upward.expression import Unavailable
from nianbao.upward.figures import CityValues
from nianbao.upward.mapping import Upward
from nianbao.upward.match import Catalogue, Row, find_header, match_rows
from nianbao.workbook.values import parse_value


@dataclass(frozen=True)
class FilledRow:
    sheet: str
    cell: str  # e.g. D7
    label: str  # the row's name as the province wrote it
    source: str  # our code, or the upward.yaml expression
    how: str  # code | name | mapping
    value: int | float | str  # str: upward.yaml na_text (不涉及)
    previous: int | float | None = None  # the number replaced, when there was a different one


@dataclass(frozen=True)
class UnfilledRow:
    sheet: str
    row: int
    cell: str
    label: str
    reason: str  # Chinese, for the administrator


@dataclass
class FillResult:
    year: int = 0
    source: Path | None = None
    out: Path | None = None
    sheets: list[str] = field(default_factory=list)  # sheets with a header, filled
    skipped_sheets: list[str] = field(default_factory=list)  # visible sheets without a header
    kept_sheets: list[str] = field(default_factory=list)  # hidden sheets, left exactly as they were
    filled: list[FilledRow] = field(default_factory=list)
    unfilled: list[UnfilledRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    expected: int = 0  # units expected to report this year
    reported: int = 0  # units behind the city's figures

    @property
    def overwritten(self) -> list[FilledRow]:
        return [f for f in self.filled if f.previous is not None]


def _number(value: object) -> float | None:
    """A number already in the cell (typed, or as text a clerk typed), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        parsed = parse_value(value, percent=True)
        return parsed.number if parsed.kind == "number" else None
    return None


def _blocked(ws: Worksheet, cell: Cell | MergedCell, config: CityConfig) -> str | None:
    """Why the cell must not be written, or None."""
    ref = cell.coordinate
    if isinstance(cell, MergedCell):
        return config.text("upward_merged", cell=ref)
    value = cell.value
    if cell.data_type == "f" or isinstance(value, (ArrayFormula, DataTableFormula)):
        return config.text("upward_formula", cell=ref)
    if ws.protection.sheet and cell.protection.locked:
        return config.text("upward_locked", cell=ref)
    blank = value is None or (isinstance(value, str) and not value.strip())
    if not blank and _number(value) is None:
        return config.text("upward_text_kept", cell=ref, text=one_line(value, 20))
    return None


def _fill_row(ws: Worksheet, col: int, row: Row, values: CityValues, up: Upward, config: CityConfig,
              result: FillResult) -> None:
    ref = f"{get_column_letter(col)}{row.row}"

    def unfilled(reason: str) -> None:
        result.unfilled.append(UnfilledRow(ws.title, row.row, ref, row.label, reason))

    if row.expr is None:
        return unfilled(config.text("upward_no_match"))
    got: int | float | str | Unavailable = values.value_of(row.expr)
    if isinstance(got, Unavailable) and up.na_text and row.expr.single_code in values.all_na:
        got = up.na_text
    if isinstance(got, Unavailable):
        if row.expr.single_code is None:  # say which mapping failed: the reason names only its part
            return unfilled(config.text("upward_expr", expr=row.expr.text, reason=got.reason))
        return unfilled(got.reason)
    cell = ws.cell(row=row.row, column=col)
    why = _blocked(ws, cell, config)
    if why:
        return unfilled(why)
    before = _number(cell.value)
    cell.value = got  # the cell's own number format and style stay
    previous = int(before) if before is not None and before.is_integer() else before
    result.filled.append(FilledRow(ws.title, ref, row.label, row.expr.text, row.how, got,
                                   previous if before is not None and before != got else None))


def fill_book(wb: Workbook, up: Upward, config: CityConfig, values: CityValues) -> FillResult:
    """Fill every visible sheet that has a header; the result lists every row filled and not."""
    cat, result = Catalogue.of(config, up), FillResult()
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            result.kept_sheets.append(ws.title)
            continue
        header = find_header(ws, up)
        if header is None:
            result.skipped_sheets.append(ws.title)
            continue
        result.sheets.append(ws.title)
        for row in match_rows(ws, header, cat):
            _fill_row(ws, header.value_col, row, values, up, config, result)
    return result
