"""The workbook a unit fills: styled, validated and protected with openpyxl once per (year, unit kind),
then patched per unit in its XML (unit name, identity, signature, last year's values) — which is what
makes templates for thousands of units cheaper than writing them cell by cell."""

from __future__ import annotations

import io
import re
import zipfile
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation

from nianbao.cityconfig import CityConfig, Indicator, Unit
from nianbao.workbook import layout as L
from nianbao.workbook.checks import span_words
from nianbao.workbook.task_sheet import add_task_sheet
from nianbao.workplan.assign import unit_tasks, year_tasks

THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
HEAD_FILL = PatternFill("solid", fgColor="D9E1F2")


def template_filename(config: CityConfig, unit: Unit, year: int) -> str:
    return config.text("workbook_filename", city=config.city, year=year, unit=unit.name)


def _validation(config: CityConfig, ind: Indicator, ref: str) -> DataValidation:
    lo, hi = ind.bounds
    lo = 0 if lo is None else lo
    bound = f"{ref}>={lo}" + (f",{ref}<={hi}" if hi is not None else "")
    formula = f"AND(ISNUMBER({ref}),{bound})"
    if ind.na_allowed:
        formula = f'OR({ref}="{L.NA_TEXT}",{formula})'
    na = ind.na_allowed
    dv = DataValidation(type="custom", formula1=formula, allow_blank=True, showErrorMessage=True, showInputMessage=True,
                        errorTitle=config.text("workbook_error_title"),
                        error=config.text("workbook_error", span=span_words(config, ind), unit=ind.unit)
                        + (config.text("workbook_error_na") if na else ""),
                        promptTitle=ind.name[:32], prompt=config.text("workbook_prompt", unit=ind.unit)
                        + (config.text("workbook_prompt_na") if na else ""))
    dv.add(ref)
    return dv


def _data_sheet(wb: Workbook, config: CityConfig, title: str, year: int, sheet: str, rows: list[Indicator]) -> None:
    ws = wb.create_sheet(sheet)
    ws["A1"] = config.text("workbook_sheet_title", city=config.city, year=year, sheet=sheet)
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = f"{L.UNIT_LABEL}@@NAME@@"
    for col, text in zip("ABCDEF", L.HEADERS):
        c = ws[f"{col}{L.HEADER_ROW}"]
        c.value, c.font, c.fill, c.border = text, Font(bold=True), HEAD_FILL, BOX
    for n, ind in enumerate(rows):
        r = L.FIRST_ROW + n
        ws[f"A{r}"], ws[f"B{r}"], ws[f"C{r}"] = ind.code, ind.name, ind.unit
        ws[f"E{r}"] = f"@@LY:{ind.code}@@"
        for col in "ABCDEF":
            ws[f"{col}{r}"].border = BOX
        for col in (L.COL_VALUE, L.COL_NOTE):
            ws[f"{col}{r}"].protection = Protection(locked=False)
            ws[f"{col}{r}"].fill = INPUT_FILL
        ws.add_data_validation(_validation(config, ind, f"D{r}"))
    for col, width in zip("ABCDEF", (10, 44, 9, 14, 14, 40)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = f"A{L.FIRST_ROW}"
    ws.print_title_rows = f"{L.HEADER_ROW}:{L.HEADER_ROW}"
    ws.page_setup.paperSize, ws.page_setup.orientation = ws.PAPERSIZE_A4, "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.protection.sheet = True  # no password: protection guards against slips, not against the clerk


def _build_base(config: CityConfig, kind: str, year: int, tasks=()) -> bytes:
    wb = Workbook()
    info = wb.active
    info.title = L.INSTRUCTIONS_SHEET
    lines = [config.text("workbook_instructions_title", city=config.city, year=year), f"{L.UNIT_LABEL}@@NAME@@",
             "", *config.text("workbook_instructions").splitlines()]
    for n, text in enumerate(lines, 1):
        info[f"A{n}"] = text
    info["A1"].font = Font(bold=True, size=14)
    info.column_dimensions["A"].width = 100
    info.protection.sheet = True
    unit_kind_inds = [i for i in config.indicators if not i.derived and kind in i.applies_to]
    for sec in config.report.sections:
        rows = [i for i in unit_kind_inds if i.section == sec.code]
        if rows:
            _data_sheet(wb, config, sec.heading, year, sec.sheet, rows)
    add_task_sheet(wb, config, year, tasks)
    nar = wb.create_sheet(L.NARRATIVE_SHEET)
    headers = ("板块代码", "板块", config.text("workbook_highlights_header"), config.text("workbook_problems_header"))
    for col, text in zip("ABCD", headers):
        nar[f"{col}1"], nar[f"{col}1"].font = text, Font(bold=True)
    for n, sec in enumerate(config.report.sections, 2):
        nar[f"A{n}"], nar[f"B{n}"] = sec.code, sec.heading
        for col in "CD":
            nar[f"{col}{n}"].protection = Protection(locked=False)
            nar[f"{col}{n}"].alignment = Alignment(wrap_text=True, vertical="top")
            nar[f"{col}{n}"].fill = INPUT_FILL
    nar.column_dimensions["B"].width, nar.column_dimensions["C"].width = 30, 60
    nar.column_dimensions["D"].width = 60
    nar.protection.sheet = True
    ident = wb.create_sheet(L.IDENTITY_SHEET)
    ident["A1"], ident["B1"], ident["C1"], ident["D1"] = "@@CODE@@", year, L.TEMPLATE_VERSION, "@@SIG@@"
    ident.sheet_state = "veryHidden"
    ident.protection.sheet = True
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


_BASES: dict[tuple, tuple[CityConfig, tuple[tuple[zipfile.ZipInfo, bytes], ...]]] = {}


def _base_members(config: CityConfig, kind: str, year: int, tasks=()) -> tuple[tuple[zipfile.ZipInfo, bytes], ...]:
    """One base a (unit kind, task list): units given the same tasks (a group's members) share it."""
    key = (id(config), kind, year, tuple((t.id, t.text, role) for t, role in tasks))
    if key not in _BASES or _BASES[key][0] is not config:
        with zipfile.ZipFile(io.BytesIO(_build_base(config, kind, year, tasks))) as zf:
            _BASES[key] = (config, tuple((i, zf.read(i)) for i in zf.infolist()))
    return _BASES[key][1]


_LAST = re.compile(rb'<c r="([A-Z]+\d+)"((?: s="\d+")?) t="inlineStr"><is><t>@@LY:(\w+)@@</t></is></c>')


def _number(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def build_template(config: CityConfig, unit: Unit, year: int, last_year: dict[str, float | None],
                   key: bytes) -> bytes:
    """The unit's workbook: its name, signed identity and last year's values (None = 不涉及); with the
    sheet 重点任务落实情况 when config/tasks/<year>.yaml gives the unit tasks."""
    tasks = unit_tasks(config, year_tasks(config, year), unit.code)
    name = escape(unit.name).encode()
    sig = L.signature(key, unit.code, year, L.TEMPLATE_VERSION).encode()

    def last(m: re.Match) -> bytes:
        ref, style, code = m.group(1), m.group(2), m.group(3).decode()
        if code not in last_year:
            return b'<c r="' + ref + b'"' + style + b"/>"
        v = last_year[code]
        if v is None:
            return b'<c r="' + ref + b'"' + style + b' t="inlineStr"><is><t>' + L.NA_TEXT.encode() + b"</t></is></c>"
        return b'<c r="' + ref + b'"' + style + b"><v>" + _number(v).encode() + b"</v></c>"

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for info, data in _base_members(config, unit.kind, year, tasks):
            if info.filename.startswith("xl/worksheets/"):
                data = _LAST.sub(last, data.replace(b"@@NAME@@", name)
                                 .replace("@@CODE@@".encode(), escape(unit.code).encode())
                                 .replace("@@SIG@@".encode(), sig))
            zf.writestr(info, data)
    return out.getvalue()
TEMPLATE_VERSION = L.TEMPLATE_VERSION
