"""Reading a returned workbook. The file type is sniffed, never taken from the name. A zip (.xlsx, .xlsm,
.ods) passes the cheap checks of `zipcheck` (declared sizes, no DTD); then python-calamine reads the
sender's file as it is. Whoever calls `read_workbook` on untrusted bytes does so inside the intake's
sandbox, a child process with an address-space and time limit: calamine's worst case on a crafted file
(a cell far away makes it allocate the whole rectangle) is that child's death, and the file is read
again with ``careful``: an .xlsx/.xlsm by openpyxl within the template's window (`careful`), an
.xls/.ods/.et not at all (calamine is their only reader; the clerk is asked to save it as .xlsx)."""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import NamedTuple

from nianbao.cityconfig import CityConfig
from nianbao.textsafe import multi_line_checked, one_line
from nianbao.workbook import layout as L
from nianbao.workbook.errors import ArchiveNotWorkbook, Encrypted, NotAWorkbook, ReaderFailed, TooLarge
from nianbao.workbook.task_checks import read_task_rows
from nianbao.workbook.zipcheck import no_dtd, sizes_declared

MAX_FILE_BYTES = 5 * 1024 * 1024
# What zipfile and zlib raise for a broken or unusual archive: a corrupt deflate stream, an unknown
# compression method, the encryption flag, a truncated member, a bad CRC.
BROKEN_ZIP = (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError, OSError)
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


class Cell(NamedTuple):
    raw: object
    sheet: str
    ref: str


@dataclass
class RawWorkbook:
    """What a workbook says. Each indicator's value cell is kept as two plain dicts (the value; its sheet
    and reference) rather than an object a cell: thousands of workbooks cross from the sandbox and wait
    to be stored, and plain values cost the pickler and the garbage collector several times less."""
    identity: Identity | None
    unit_name: str | None
    format: str
    values: dict[str, object] = field(default_factory=dict)  # indicator code → its value cell as read
    places: dict[str, tuple[str, str]] = field(default_factory=dict)  # indicator code → (sheet, ref)
    notes: dict[str, str] = field(default_factory=dict)
    narratives: list[tuple[str, str, str]] = field(default_factory=list)
    formula_errors: list[Cell] = field(default_factory=list)  # input cells holding a formula, no value
    altered: int = 0  # notes and narratives whose control characters were dropped or that were cut short
    task_rows: dict = field(default_factory=dict)  # task id → task_checks.TaskRow (sheet 重点任务落实情况)

    def cell(self, code: str) -> Cell | None:
        """The value cell of indicator ``code`` and where it is, if the workbook has that row."""
        place = self.places.get(code)
        return None if place is None else Cell(self.values.get(code), *place)


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
        except (*BROKEN_ZIP, ValueError, OverflowError) as exc:
            raise NotAWorkbook(f"broken zip: {type(exc).__name__}: {exc}") from None
        names = zf.NameToInfo
        if "xl/workbook.xml" in names:
            return "xlsm" if "xl/vbaProject.bin" in names or filename.lower().endswith(".xlsm") else "xlsx", zf
        if "content.xml" in names:
            return "ods", zf
        raise ArchiveNotWorkbook("zip without a workbook inside")
    raise NotAWorkbook("not a spreadsheet")


def _year(text: str) -> int:
    """The identity's report year, or 0 when it is not a plausible year (1e999, 3e9, "abc")."""
    try:
        y = float(text)
    except ValueError:
        return 0
    return int(y) if y.is_integer() and L.MIN_YEAR <= y <= L.MAX_YEAR else 0


def interpret(sheets: dict[str, dict[str, object]], formulas: dict[str, set[str]], key: bytes,
              config: CityConfig, fmt: str) -> RawWorkbook:
    """Cells by sheet → RawWorkbook: match rows by indicator code, not position."""
    ident = sheets.get(L.IDENTITY_SHEET)
    identity = None
    if ident and ident.get("A1"):
        code, year, version, sig = (one_line(ident.get(c, ""), 80) for c in ("A1", "B1", "C1", "D1"))
        y = _year(year)
        valid = y != 0 and len(code) <= L.MAX_CODE and len(version) <= L.MAX_VERSION \
            and sig == L.signature(key, code, y, version)
        identity = Identity(code, y, version, valid)
    unit_name = None
    codes = config.input_codes
    wb = RawWorkbook(identity, None, fmt)
    code_col, value_col, note_col = L.COL_CODE, L.COL_VALUE, L.COL_NOTE  # locals: the loop sees every cell
    for sheet, cells in sheets.items():
        if sheet in (L.IDENTITY_SHEET, L.NARRATIVE_SHEET, L.TASK_SHEET):
            continue
        label = one_line(cells.get("A2"), 200)
        if unit_name is None and label.startswith(L.UNIT_LABELS):
            unit_name = next(label.removeprefix(p) for p in L.UNIT_LABELS if label.startswith(p)).strip()
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
            wb.values[code], wb.places[code] = raw, (sheet, vref)
            if raw is None and vref in missing:
                wb.formula_errors.append(Cell(None, sheet, vref))
            note = cells.get(nref)
            if note is not None:
                note, altered = multi_line_checked(note, L.MAX_NOTE)
                wb.altered += altered
                if note:
                    wb.notes[code] = note
    wb.unit_name = unit_name
    wb.task_rows, altered = read_task_rows(sheets.get(L.TASK_SHEET))
    wb.altered += altered
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
            text, altered = multi_line_checked(nar.get(f"{col}{row}"), L.MAX_NARRATIVE)
            wb.altered += altered
            if text:
                wb.narratives.append((sec, kind, text))
    return wb


def read_workbook(data: bytes, filename: str, key: bytes, config: CityConfig, careful: bool = False) -> RawWorkbook:
    """Raise a WorkbookError subclass for anything that is not a readable workbook. ``careful`` keeps
    calamine away (used after a sandbox child died or overran reading the file)."""
    if len(data) > MAX_FILE_BYTES:
        raise TooLarge(f"{len(data)} bytes")
    fmt, zf = sniff(data, filename)
    from nianbao.workbook.calamine import calamine_cells

    try:
        if zf is not None:
            sizes_declared(zf)
            no_dtd(zf)
        if careful and fmt in ("xlsx", "xlsm"):
            from nianbao.workbook.careful import careful_cells

            sheets = careful_cells(data)
        elif careful:  # calamine is the only reader of this format, and reading it already failed once
            raise ReaderFailed(f"{fmt}: not read again after the reader failed")
        else:
            sheets = calamine_cells(data)
    except BROKEN_ZIP as exc:
        raise NotAWorkbook(f"broken archive: {type(exc).__name__}: {exc}") from None
    raw = interpret(sheets, {}, key, config, fmt)
    if fmt in ("xlsx", "xlsm") and any(v is None for v in raw.values.values()):
        from nianbao.workbook.careful import formula_refs  # an empty value cell: a formula without result?

        raw = interpret(sheets, formula_refs(data), key, config, fmt)
    return raw
