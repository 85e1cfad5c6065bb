"""The workbook's sheet 重点任务落实情况: one row a task of the year's plan that the unit leads or shares,
its number, text and the unit's role locked; 完成情况 chosen from a list, the rest typed. Written with
openpyxl into the (kind, task list)'s base workbook, so units with the same tasks share one build."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation

from nianbao.workbook import layout as L
from nianbao.workplan.answers import STATUSES

THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
HEAD_FILL = PatternFill("solid", fgColor="D9E1F2")
WIDTHS = {L.TASK_ID: 8, L.TASK_TEXT: 50, L.TASK_ROLE: 8, L.TASK_STATUS: 11, L.TASK_MEASURES: 50,
          L.TASK_DOCUMENTS: 34, L.TASK_REASON: 40}
INPUTS = (L.TASK_STATUS, L.TASK_MEASURES, L.TASK_DOCUMENTS, L.TASK_REASON)
LIMITS = {L.TASK_MEASURES: L.MAX_MEASURES, L.TASK_DOCUMENTS: L.MAX_DOCUMENTS, L.TASK_REASON: L.MAX_REASON}


def _lines(text: str, width: int) -> int:
    """Lines a wrapped cell needs: a CJK character takes about two of a column's width units."""
    return max(1, -(-len(text) * 2 // max(width - 2, 1)))


def _validations(config, ws, first: int, last: int) -> None:
    status = DataValidation(type="list", formula1='"' + ",".join(STATUSES) + '"', allow_blank=True,
                            showErrorMessage=True, showInputMessage=True,
                            errorTitle=config.text("workbook_error_title"),
                            error=config.text("workbook_tasks_status_error"),
                            prompt=config.text("workbook_tasks_status_prompt"))
    status.add(f"{L.TASK_STATUS}{first}:{L.TASK_STATUS}{last}")
    ws.add_data_validation(status)
    for col, limit in LIMITS.items():
        dv = DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(limit), allow_blank=True,
                            showErrorMessage=True, errorTitle=config.text("workbook_error_title"),
                            error=config.text("workbook_tasks_length_error", limit=limit))
        dv.add(f"{col}{first}:{col}{last}")
        ws.add_data_validation(dv)


def add_task_sheet(wb: Workbook, config, year: int, rows) -> None:
    """``rows``: (Task, role) pairs in the plan's order (none: no sheet)."""
    if not rows:
        return
    ws = wb.create_sheet(L.TASK_SHEET)
    ws["A1"] = config.text("workbook_tasks_title", city=config.city, year=year)
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = f"{L.UNIT_LABEL}@@NAME@@"
    ws[f"{L.TASK_TEXT}2"] = config.text("workbook_tasks_note")
    ws[f"{L.TASK_TEXT}2"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(f"{L.TASK_TEXT}2:{L.TASK_REASON}2")
    ws.row_dimensions[2].height = 30
    for col, text in zip("ABCDEFG", L.TASK_HEADERS):
        c = ws[f"{col}{L.TASK_HEADER_ROW}"]
        c.value, c.font, c.fill, c.border = text, Font(bold=True), HEAD_FILL, BOX
        c.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for n, (task, role) in enumerate(rows):
        r = L.TASK_FIRST_ROW + n
        ws[f"{L.TASK_ID}{r}"] = task.id
        ws[f"{L.TASK_TEXT}{r}"] = task.text
        ws[f"{L.TASK_ROLE}{r}"] = config.text(f"workbook_tasks_role_{role}")
        for col in "ABCDEFG":
            ws[f"{col}{r}"].border = BOX
            ws[f"{col}{r}"].alignment = Alignment(wrap_text=True, vertical="top")
        for col in INPUTS:
            ws[f"{col}{r}"].protection = Protection(locked=False)
            ws[f"{col}{r}"].fill = INPUT_FILL
        ws.row_dimensions[r].height = min(15 * max(_lines(task.text, WIDTHS[L.TASK_TEXT]), 4), 400)
    _validations(config, ws, L.TASK_FIRST_ROW, L.TASK_FIRST_ROW + len(rows) - 1)
    for col, width in WIDTHS.items():
        ws.column_dimensions[col].width = width
    ws.freeze_panes = f"A{L.TASK_FIRST_ROW}"
    ws.print_title_rows = f"{L.TASK_HEADER_ROW}:{L.TASK_HEADER_ROW}"
    ws.page_setup.paperSize, ws.page_setup.orientation = ws.PAPERSIZE_A4, "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.protection.sheet = True
