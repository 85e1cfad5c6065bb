"""The disclosure as .xlsx: the city's table (two header rows, a unit a row, the total last) and each
unit's one-page table. Figures stay numbers with a number format (a reader can add them up again);
不涉及 and 尚未报送 are text. The file's creation time is given, not now, so the same figures give the
same bytes (xlsxwriter already dates every zip member 1980-01-01)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable

import xlsxwriter

from nianbao.disclosure.config import DisclosureFile
from nianbao.disclosure.table import Cell, Column, Row, Table, cell_text

BORDER = {"border": 1, "valign": "vcenter", "font_size": 10}


class _Book:
    """One in-memory workbook with the formats both tables use."""

    def __init__(self, title: str, author: str, stamp: dt.datetime):
        self.buf = io.BytesIO()
        self.wb = xlsxwriter.Workbook(self.buf, {"in_memory": True})
        self.wb.set_properties({"title": title, "author": author, "created": stamp})
        f = self.wb.add_format
        self.title = f({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"})
        self.head = f({**BORDER, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#EEF2F7"})
        self.name = f({**BORDER, "align": "left", "text_wrap": True})
        self.count = f({**BORDER, "num_format": "#,##0"})
        self.amount = f({**BORDER, "num_format": "#,##0.00"})
        self.word = f({**BORDER, "align": "center"})
        self.bold_name = f({**BORDER, "bold": True, "align": "left"})
        self.bold_count = f({**BORDER, "bold": True, "num_format": "#,##0"})
        self.bold_amount = f({**BORDER, "bold": True, "num_format": "#,##0.00"})
        self.bold_word = f({**BORDER, "bold": True, "align": "center"})
        self.note = f({"text_wrap": True, "valign": "top", "font_size": 10})

    def cell(self, ws, r: int, c: int, cell: Cell, col: Column, spec: DisclosureFile, bold: bool = False) -> None:
        if cell.state == "number" and cell.value is not None:
            fmt = ((self.bold_amount if bold else self.amount) if col.amount
                   else (self.bold_count if bold else self.count))
            ws.write_number(r, c, cell.value if col.amount else round(cell.value), fmt)
        else:
            ws.write_string(r, c, cell_text(cell, col, spec.words), self.bold_word if bold else self.word)

    def close(self) -> bytes:
        self.wb.close()
        return self.buf.getvalue()


def _measured(name: str, measures: set[str], spec: DisclosureFile) -> str:
    return spec.words.with_measure.format(name=name, measure=next(iter(measures))) if len(measures) == 1 else name


def _width(texts: Iterable[str], least: float = 10, most: float = 80) -> float:
    return min(max([least] + [len(t) * 2.1 + 2 for t in texts]), most)


def city_xlsx(table: Table, spec: DisclosureFile, author: str, stamp: dt.datetime) -> bytes:
    book = _Book(table.title, author, stamp)
    ws = book.wb.add_worksheet(spec.words.sheet)
    cols = table.columns
    last = len(cols)
    ws.merge_range(0, 0, 0, last, table.title, book.title)
    ws.set_row(0, 28)
    ws.merge_range(1, 0, 2, 0, spec.words.unit, book.head)
    c = 1
    for g in table.groups:
        measures = {col.measure for col in g.columns}
        if g.single:
            ws.merge_range(1, c, 2, c, _measured(g.heading, measures, spec), book.head)
        else:
            ws.merge_range(1, c, 1, c + len(g.columns) - 1, _measured(g.heading, measures, spec), book.head)
            for k, col in enumerate(g.columns):
                label = col.label if len(measures) == 1 else _measured(col.label, {col.measure}, spec)
                ws.write_string(2, c + k, label, book.head)
        c += len(g.columns)
    ws.set_row(2, 48)
    r = 3
    for row in table.rows:
        ws.write_string(r, 0, row.name, book.name)
        for k, (cell, col) in enumerate(zip(row.cells, cols), 1):
            book.cell(ws, r, k, cell, col, spec)
        r += 1
    ws.write_string(r, 0, spec.words.total, book.bold_name)
    for k, (cell, col) in enumerate(zip(table.total, cols), 1):
        book.cell(ws, r, k, cell, col, spec, bold=True)
    coverage = spec.words.coverage.format(expected=len(table.rows), reported=len(table.reported),
                                          missing=len(table.missing))
    for text in (coverage, spec.note):
        if text:
            r += 1
            ws.merge_range(r, 0, r, last, text, book.note)
            ws.set_row(r, 30)
    ws.set_column(0, 0, 22)
    ws.set_column(1, last, 11)
    ws.freeze_panes(3, 1)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)  # the page's width, as many pages down as it takes
    ws.repeat_rows(1, 2)
    return book.close()


def unit_xlsx(table: Table, row: Row, spec: DisclosureFile, title: str, author: str, stamp: dt.datetime) -> bytes:
    """One unit's table on one A4 page: category, item, measure, figure."""
    book = _Book(title, author, stamp)
    w = spec.words
    ws = book.wb.add_worksheet(w.sheet)
    ws.merge_range(0, 0, 0, 3, title, book.title)
    ws.set_row(0, 28)
    ws.write_row(1, 0, [w.category, w.item, w.measure, w.value], book.head)
    index = {col.code: n for n, col in enumerate(table.columns)}
    r = 2
    for g in table.groups:
        if g.single:
            ws.write_string(r, 0, g.heading, book.name)
        else:
            ws.merge_range(r, 0, r + len(g.columns) - 1, 0, g.heading, book.name)
        for col in g.columns:
            ws.write_string(r, 1, col.label, book.name)
            ws.write_string(r, 2, col.measure, book.word)
            book.cell(ws, r, 3, row.cells[index[col.code]], col, spec)
            r += 1
    if spec.note:
        ws.merge_range(r + 1, 0, r + 1, 3, spec.note, book.note)
        ws.set_row(r + 1, 30)
    # Wide enough for the longest name on one line (a CJK character is about two widths): wrapped
    # text in a merged or fixed-height row is cut off by some spreadsheet programs.
    ws.set_column(0, 0, _width(g.heading for g in table.groups))
    ws.set_column(1, 1, _width(c.label for c in table.columns))
    ws.set_column(2, 2, 9)
    ws.set_column(3, 3, 14)
    ws.set_paper(9)
    ws.fit_to_pages(1, 1)
    return book.close()
