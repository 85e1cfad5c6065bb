"""A clerk filling the workbook, through openpyxl as a real editor round trip (demo, tests, benchmark)."""

from __future__ import annotations

import io

import openpyxl

from nianbao.workbook import layout as L


def fill_workbook(data: bytes, values: dict[str, float | str | None], notes: dict[str, str] | None = None,
                  narratives: list[tuple[str, str, str]] | None = None, drop_identity: bool = False,
                  tasks: dict[str, dict[str, str]] | None = None) -> bytes:
    """Type ``values`` (numbers, or text as a clerk would type it) into the 本年数值 column by code;
    ``tasks``: task id → {status, measures, documents, reason} into the sheet 重点任务落实情况."""
    notes = notes or {}
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for ws in wb.worksheets:
        if ws.title in (L.IDENTITY_SHEET, L.NARRATIVE_SHEET, L.INSTRUCTIONS_SHEET, L.TASK_SHEET):
            continue
        for row in range(L.FIRST_ROW, ws.max_row + 1):
            code = ws[f"{L.COL_CODE}{row}"].value
            if code in values:
                ws[f"{L.COL_VALUE}{row}"] = values[code]
            if code in notes:
                ws[f"{L.COL_NOTE}{row}"] = notes[code]
    if narratives:
        nar = wb[L.NARRATIVE_SHEET]
        rows = {nar[f"A{r}"].value: r for r in range(2, nar.max_row + 1)}
        for section, kind, text in narratives:
            if section in rows:
                nar[f"{'C' if kind == 'highlight' else 'D'}{rows[section]}"] = text
    if tasks and L.TASK_SHEET in wb.sheetnames:
        ws = wb[L.TASK_SHEET]
        cols = {"status": L.TASK_STATUS, "measures": L.TASK_MEASURES, "documents": L.TASK_DOCUMENTS,
                "reason": L.TASK_REASON}
        for row in range(L.TASK_FIRST_ROW, ws.max_row + 1):
            answer = tasks.get(str(ws[f"{L.TASK_ID}{row}"].value))
            for key, text in (answer or {}).items():
                ws[f"{cols[key]}{row}"] = text
    if drop_identity and L.IDENTITY_SHEET in wb.sheetnames:
        del wb[L.IDENTITY_SHEET]
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
