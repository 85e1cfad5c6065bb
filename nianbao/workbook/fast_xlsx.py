"""The fast path for .xlsx: python-calamine reads the cells (~0.5 ms a workbook) once a cheap scan of the
raw XML has shown the file cannot hurt it — no DTD or entity declarations, declared sizes within limits,
no row or cell beyond the window, no three-letter column, every cell and row in Excel's own form (a
single cell at XFD1048576 makes calamine try to allocate hundreds of GiB and abort the process). Anything
that fails the scan is read by the slow, window-bounded XML parser instead, and formulas without a cached
value are found here too."""

from __future__ import annotations

import io
import re
import zipfile

from nianbao.workbook import layout as L
from nianbao.workbook.errors import Hostile, TooLarge
from nianbao.workbook.xlsx_cells import MAX_MEMBER, MAX_TOTAL
from nianbao.workbook.zipparts import read_head, read_member

# One pass over a sheet for what calamine must not see, and for formula elements (whose cells are then
# looked at one by one). Calamine places a cell by its own r (or, without one, by counting) and allocates
# every cell of the rectangle up to the farthest, so anything it could place far is refused here: a row
# or cell whose row number could be past the window, a three-letter column, and any <c>/<row> not in
# Excel's own form (r="…" first, double quotes): r later in the tag, single quotes, no r at all.
_MARKS = re.compile(
    rb"<(?:"
    rb'row r="(?P<row>\d{%(d)d,})"'
    rb'|c r="(?:(?P<col3>[A-Z]{3})|[A-Z]{1,2}(?P<cellrow>\d{%(d)d,})")'
    rb"|(?P<f>f)[ >/]"
    rb'|(?P<odd>(?:c|row)(?=[\s/>])(?! r="[A-Z]{0,3}\d+"))'
    rb")" % {b"d": len(str(L.MAX_ROWS))})
# Calamine matches elements by local name, so <x:c …> is a cell too; Excel never writes prefixes here.
# A separate literal search: a prefix group in _MARKS, tried at every '<', doubled the scan's cost.
_PREFIXED = re.compile(rb":(?:c|row)[\s/>]")
_VALUE = re.compile(rb"<v>[^<]+</v>")
_FORMULA_CELL = re.compile(rb'<c r="([A-Z]+\d+)"[^>]*>(.*?)</c>', re.S)
_FIRST_ELEMENT = re.compile(rb"<[^?!]")
PROLOG = 4096  # a DTD can only sit before the root element; real parts start it within a few bytes
GLANCE = 256  # ... within this many, nearly always: inflating a whole PROLOG of every part cost ~20 µs a file
COLS = "ABCDEFGH"


def _prolog_is_plain(head: bytes) -> bool:
    """No DTD before the root element (so none at all); False when the root is not found in ``head``."""
    root = _FIRST_ELEMENT.search(head)
    if root is None:
        return not head.strip()
    if b"<!DOCTYPE" in head[:root.start()] or b"<!ENTITY" in head[:root.start()]:
        raise Hostile("XML with DTD or entities")
    return True


def _part_prolog_is_plain(zf: zipfile.ZipFile, data: bytes, info: zipfile.ZipInfo) -> bool:
    """``_prolog_is_plain`` of the part's first PROLOG bytes, inflating only GLANCE of them when the root
    element starts there: the verdict depends only on the bytes before the root."""
    head = read_head(zf, data, info, GLANCE)
    if _FIRST_ELEMENT.search(head) is None and info.file_size > GLANCE:
        head = read_head(zf, data, info, PROLOG)
    return _prolog_is_plain(head)


def scan(zf: zipfile.ZipFile, data: bytes) -> tuple[bool, dict[str, set[str]]]:
    """(safe for calamine, formula cells without a cached value per sheet XML path), from the zip
    directory ``sniff`` already parsed (``zf`` reads ``data``)."""
    infos = zf.infolist()
    if any(i.file_size > MAX_MEMBER for i in infos) or sum(i.file_size for i in infos) > MAX_TOTAL:
        raise TooLarge("declared uncompressed size over the limit")
    safe, formulas = True, {}
    for info in infos:
        if not info.filename.endswith((".xml", ".rels")):
            continue
        if not info.filename.startswith("xl/worksheets/"):  # only the prolog matters: inflate no more of it
            safe = _part_prolog_is_plain(zf, data, info) and safe
            continue
        xml = read_member(zf, data, info)
        safe = _prolog_is_plain(xml[:PROLOG]) and safe
        has_formula = False
        if _PREFIXED.search(xml):
            safe = False
        for m in _MARKS.finditer(xml):
            if m["f"]:
                has_formula = True
            elif m["odd"] or m["col3"] or int(m["row"] or m["cellrow"]) > L.MAX_ROWS:
                safe = False
        if has_formula:
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
        cols = COLS[c0:]  # zip() below stops at column H, or at the row's end
        cells: dict[str, object] = {}
        # Only rows up to MAX_ROWS; the row number is turned into text once a row, not once a cell.
        for r, row in enumerate(sheet.to_python()[:max(L.MAX_ROWS - r0, 0)], r0 + 1):
            digits = str(r)
            for col, value in zip(cols, row):
                if value != "" and value is not None:
                    cells[col + digits] = value
        out[name] = cells
    return out
