"""Reading a returned workbook safely and fast. The file type is sniffed, never taken from the name;
.xlsx/.xlsm are parsed from their XML with defusedxml (no DTDs, so no entity bombs) after checking
declared sizes, and only within the template's window of rows and columns, so a sheet declaring a
million rows or a cell at XFD1048576 costs nothing. .xls/.ods/.et go to python-calamine in a child
process with a memory and time limit, since a crafted file can make a native reader abort."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field

from nianbao.cityconfig import CityConfig
from nianbao.workbook import layout as L
from nianbao.workbook.errors import ArchiveNotWorkbook, Encrypted, NotAWorkbook, TooLarge
from nianbao.workbook.xlsx_cells import read_xlsx_cells

MAX_FILE_BYTES = 5 * 1024 * 1024
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_MARKERS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))
# An OLE2 file is a spreadsheet only with a workbook stream (BIFF8 "Workbook", BIFF5 "Book"): a .doc is not.
WORKBOOK_STREAMS = ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le"))


@dataclass(frozen=True)
class Identity:
    unit_code: str
    year: int
    version: str
    signature_valid: bool


@dataclass(frozen=True)
class Cell:
    raw: object
    sheet: str
    ref: str


@dataclass
class RawWorkbook:
    identity: Identity | None
    unit_name: str | None
    format: str
    cells: dict[str, Cell] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    narratives: list[tuple[str, str, str]] = field(default_factory=list)
    formula_errors: list[Cell] = field(default_factory=list)  # input cells holding a formula, no value


def sniff(data: bytes, filename: str = "") -> tuple[str, zipfile.ZipFile | None]:
    """xlsx | xlsm | ods | xls, from the bytes (the one place that decides what a spreadsheet is, for the
    reader and for naming unnamed attachments); raises for anything else. For a zip, also the directory
    parsed to tell them apart, so the xlsx reader goes on from it instead of parsing it again."""
    if not data:
        raise NotAWorkbook("empty file")
    if data.startswith(OLE):
        if any(m in data for m in ENCRYPTED_MARKERS):
            raise Encrypted("password-protected workbook")
        if not any(m in data for m in WORKBOOK_STREAMS):
            raise NotAWorkbook("an Office file without a workbook stream (a Word document?)")
        return "xls", None
    if data.startswith(b"PK\x03\x04"):
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile as exc:
            raise NotAWorkbook(f"broken zip: {exc}") from None
        names = zf.NameToInfo
        if "xl/workbook.xml" in names:
            return "xlsm" if "xl/vbaProject.bin" in names or filename.lower().endswith(".xlsm") else "xlsx", zf
        if "content.xml" in names:
            return "ods", zf
        raise ArchiveNotWorkbook("zip without a workbook inside")
    raise NotAWorkbook("not a spreadsheet")


def interpret(sheets: dict[str, dict[str, object]], formulas: dict[str, set[str]], key: bytes,
              config: CityConfig, fmt: str) -> RawWorkbook:
    """Cells by sheet → RawWorkbook: match rows by indicator code, not position."""
    ident = sheets.get(L.IDENTITY_SHEET)
    identity = None
    if ident and ident.get("A1"):
        code, year, version, sig = (str(ident.get(c, "") or "").strip() for c in ("A1", "B1", "C1", "D1"))
        try:
            y = int(float(year))
        except ValueError:
            y = 0
        identity = Identity(code, y, version, sig == L.signature(key, code, y, version))
    unit_name = None
    codes = config.input_codes
    wb = RawWorkbook(identity, None, fmt)
    code_col, value_col, note_col = L.COL_CODE, L.COL_VALUE, L.COL_NOTE  # locals: the loop sees every cell
    for sheet, cells in sheets.items():
        if sheet in (L.IDENTITY_SHEET, L.NARRATIVE_SHEET):
            continue
        label = str(cells.get("A2") or "")
        if label.startswith(L.UNIT_LABEL) and unit_name is None:
            unit_name = label.removeprefix(L.UNIT_LABEL).strip()
        missing = formulas.get(sheet, ())
        for ref, value in cells.items():
            # Cheap tests first, most cells fail them; then the rest of the ref must be the row number
            # (tested without a regex).
            if not ref.startswith(code_col) or not isinstance(value, str):
                continue
            code = value.strip()
            digits = ref[len(code_col):]
            if code not in codes or not digits.isdecimal():
                continue
            row = int(digits)
            vref, nref = f"{value_col}{row}", f"{note_col}{row}"
            raw = cells.get(vref)
            wb.cells[code] = Cell(raw, sheet, vref)
            if raw is None and vref in missing:
                wb.formula_errors.append(Cell(None, sheet, vref))
            note = cells.get(nref)
            if note is not None:
                note = str(note).strip()
                if note:
                    wb.notes[code] = note
    wb.unit_name = unit_name
    nar = sheets.get(L.NARRATIVE_SHEET, {})
    sections = {s.code for s in config.report.sections}
    for row in range(2, L.MAX_ROWS):
        sec = str(nar.get(f"A{row}") or "").strip()
        if not sec:
            if row > len(sections) + 5:
                break
            continue
        if sec not in sections:
            continue
        for col, kind in (("C", "highlight"), ("D", "problem")):
            text = str(nar.get(f"{col}{row}") or "").strip()
            if text:
                wb.narratives.append((sec, kind, text))
    return wb


def _read_xlsx(data: bytes, zf: zipfile.ZipFile, careful: bool
               ) -> tuple[dict[str, dict[str, object]], dict[str, set[str]]]:
    from nianbao.workbook.fast_xlsx import read_with_calamine, scan

    try:
        safe, formula_paths = scan(zf, data)
    except zipfile.BadZipFile as exc:
        raise NotAWorkbook(f"broken zip: {exc}") from None
    if careful or not safe or formula_paths:  # the careful parser also knows which sheet each formula is on
        return read_xlsx_cells(data)
    try:
        return read_with_calamine(data), {}
    except Exception as exc:  # calamine's own error types for files it cannot read
        raise NotAWorkbook(f"unreadable xlsx: {exc}") from None


def read_workbook(data: bytes, filename: str, key: bytes, config: CityConfig, careful: bool = False) -> RawWorkbook:
    """Raise a WorkbookError subclass for anything that is not a readable workbook. ``careful`` keeps
    calamine out of this process even for a file the scan passed (after a worker died reading it)."""
    if len(data) > MAX_FILE_BYTES:
        raise TooLarge(f"{len(data)} bytes")
    fmt, zf = sniff(data, filename)
    if zf is not None and fmt in ("xlsx", "xlsm"):
        sheets, formulas = _read_xlsx(data, zf, careful)
    else:
        from nianbao.workbook.native import read_native_cells

        sheets, formulas = read_native_cells(data, fmt), {}
    return interpret(sheets, formulas, key, config, fmt)
