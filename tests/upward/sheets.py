"""Province workbooks as a province would send them, built with openpyxl: a title, a header row
somewhere near the top, rows by code or by name, styles and protection of their own."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Protection
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation


def province_book(path: Path, header: list[str], rows: list[list[object]], *, title: str = "市级法治政府建设统计表",
                  sheet: str = "统计表", header_row: int = 3) -> Path:
    """One sheet: a title in A1, ``header`` at ``header_row``, then ``rows``; plus a visible notes
    sheet without a header, a hidden sheet, a defined name and a data validation (all to be kept)."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws["A1"] = title
    for c, text in enumerate(header, 1):
        ws.cell(row=header_row, column=c, value=text)
    for r, values in enumerate(rows, header_row + 1):
        for c, v in enumerate(values, 1):
            ws.cell(row=r, column=c, value=v)
    dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    dv.add(f"A{header_row + 1}:Z{header_row + len(rows)}")
    ws.add_data_validation(dv)
    notes = wb.create_sheet("填表说明")
    notes["A1"] = "请按本年度数据填写。"
    hidden = wb.create_sheet("参数")
    hidden["A1"], hidden["B1"] = "版本", "2026-省-1"
    hidden.sheet_state = "hidden"
    wb.defined_names["报送年度"] = DefinedName("报送年度", attr_text="参数!$B$1")
    wb.save(path)
    return path


def protect(path: Path, sheet: str, unlocked: list[str], password: str | None = None) -> None:
    """Protect ``sheet`` with every cell locked except ``unlocked`` (Excel's default: all locked)."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb[sheet]
    for ref in unlocked:
        ws[ref].protection = Protection(locked=False)
    ws.protection.sheet = True
    if password:
        ws.protection.password = password
    wb.save(path)
