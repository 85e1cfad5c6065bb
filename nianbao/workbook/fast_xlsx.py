"""The fast path for .xlsx: python-calamine reads the cells (~0.5 ms a workbook) once a cheap scan of the
raw XML has shown the file cannot hurt it — no DTD or entity declarations, declared sizes within limits,
no row beyond the window and no three-letter column (a single cell at XFD1048576 makes calamine try to
allocate hundreds of GiB and abort the process). Anything that fails the scan is read by the slow,
window-bounded XML parser instead, and formulas without a cached value are found here too."""

from __future__ import annotations

import io
import re
import zipfile

from nianbao.workbook import layout as L
from nianbao.workbook.errors import Hostile, TooLarge
from nianbao.workbook.xlsx_cells import MAX_MEMBER, MAX_TOTAL

# One pass over a sheet for what calamine must not see: a row number long enough to be past the window,
# or a three-letter column.
_FAR = re.compile(rb'<row r="(\d{%d,})"|<c r="[A-Z]{3}\d' % len(str(L.MAX_ROWS)))
_VALUE = re.compile(rb"<v>[^<]+</v>")
_FORMULA_CELL = re.compile(rb'<c r="([A-Z]+\d+)"[^>]*>(.*?)</c>', re.S)
_FIRST_ELEMENT = re.compile(rb"<[^?!]")
PROLOG = 4096  # a DTD can only sit before the root element; real parts start it within a few bytes
COLS = "ABCDEFGH"


def _prolog_is_plain(head: bytes) -> bool:
    """No DTD before the root element (so none at all); False when the root is not found in ``head``."""
    root = _FIRST_ELEMENT.search(head)
    if root is None:
        return not head.strip()
    if b"<!DOCTYPE" in head[:root.start()] or b"<!ENTITY" in head[:root.start()]:
        raise Hostile("XML with DTD or entities")
    return True


def scan(data: bytes) -> tuple[bool, dict[str, set[str]]]:
    """(safe for calamine, formula cells without a cached value per sheet XML path)."""
    zf = zipfile.ZipFile(io.BytesIO(data))
    infos = zf.infolist()
    if any(i.file_size > MAX_MEMBER for i in infos) or sum(i.file_size for i in infos) > MAX_TOTAL:
        raise TooLarge("declared uncompressed size over the limit")
    safe, formulas = True, {}
    for info in infos:
        if not info.filename.endswith((".xml", ".rels")):
            continue
        if not info.filename.startswith("xl/worksheets/"):
            with zf.open(info) as fh:
                safe = _prolog_is_plain(fh.read(PROLOG)) and safe
            continue
        xml = zf.read(info)
        safe = _prolog_is_plain(xml[:PROLOG]) and safe
        if any(m.group(1) is None or int(m.group(1)) > L.MAX_ROWS for m in _FAR.finditer(xml)):
            safe = False
        if b"<f>" in xml or b"<f " in xml or b"<f/>" in xml:
            missing = {ref.decode() for ref, inner in _FORMULA_CELL.findall(xml)
                       if (b"<f>" in inner or b"<f " in inner or b"<f/>" in inner) and not _VALUE.search(inner)}
            if missing:
                formulas[info.filename] = missing
    return safe, formulas


def read_with_calamine(data: bytes) -> dict[str, dict[str, object]]:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    out: dict[str, dict[str, object]] = {}
    for name in wb.sheet_names:
        if name == L.INSTRUCTIONS_SHEET:  # prose for the clerk, nothing to read back
            continue
        sheet = wb.get_sheet_by_name(name)
        r0, c0 = sheet.start or (0, 0)
        cells: dict[str, object] = {}
        for r, row in enumerate(sheet.to_python(), r0 + 1):
            if r > L.MAX_ROWS:
                break
            for c, value in enumerate(row, c0):
                if c >= len(COLS):
                    break
                if value != "" and value is not None:
                    cells[f"{COLS[c]}{r}"] = value
        out[name] = cells
    return out
