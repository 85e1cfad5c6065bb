"""The one calamine reader places every cell where the clerk sees it, whatever the sheet's first cell."""

from __future__ import annotations

import io

import openpyxl

from nianbao.workbook.calamine import calamine_cells


def _book(cells: dict[str, object]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "数据"
    for ref, value in cells.items():
        ws[ref] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_sheet_whose_data_starts_past_a1_keeps_its_references():
    cells = calamine_cells(_book({"C3": "F1_01", "D3": 12, "B5": "说明", "H4": 1.5}))
    assert cells["数据"] == {"C3": "F1_01", "D3": 12, "B5": "说明", "H4": 1.5}


def test_cells_right_of_the_templates_columns_are_not_read():
    assert calamine_cells(_book({"A1": "x", "I1": "far", "Z9": 3}))["数据"] == {"A1": "x"}
