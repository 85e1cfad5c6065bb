"""Cells of an .xlsx/.xlsm straight from its XML, within the template's window.

Handles shared strings (Excel, WPS) and inline strings (openpyxl), formulas with and without cached
values, and refuses zip bombs by the members' declared sizes before inflating anything."""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from xml.etree.ElementTree import ParseError

from defusedxml.ElementTree import iterparse, parse
from defusedxml.common import DefusedXmlException

from nianbao.workbook import layout as L
from nianbao.workbook.errors import Hostile, NotAWorkbook, TooLarge

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
MAX_MEMBER = 20 * 1024 * 1024
MAX_TOTAL = 60 * 1024 * 1024
MAX_COL = "H"


def _col_ok(ref: str) -> tuple[bool, int]:
    letters = ref.rstrip("0123456789")
    row = int(ref[len(letters):] or 0)
    return (len(letters) == 1 and letters <= MAX_COL), row


def _text(el) -> str:
    return "".join(t.text or "" for t in el.iter(f"{NS}t"))


def _shared_strings(zf: zipfile.ZipFile, names: set[str]) -> list[str]:
    if "xl/sharedStrings.xml" not in names:
        return []
    out = []
    for _, el in iterparse(zf.open("xl/sharedStrings.xml"), forbid_dtd=True):
        if el.tag == f"{NS}si":
            out.append(_text(el))
            el.clear()
    return out


def _sheet_paths(zf: zipfile.ZipFile) -> dict[str, str]:
    wb = parse(zf.open("xl/workbook.xml"), forbid_dtd=True).getroot()
    rels = parse(zf.open("xl/_rels/workbook.xml.rels"), forbid_dtd=True).getroot()
    targets = {r.get("Id"): r.get("Target") for r in rels}
    out = {}
    for s in wb.iter(f"{NS}sheet"):
        target = targets.get(s.get(f"{REL_NS}id"), "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        out[s.get("name")] = path
    return out


def _cells(stream, shared: list[str]) -> tuple[dict[str, object], set[str]]:
    cells: dict[str, object] = {}
    formulas: set[str] = set()
    for _, el in iterparse(stream, forbid_dtd=True):
        tag = el.tag
        if tag == f"{NS}row":
            if int(el.get("r") or 0) > L.MAX_ROWS:
                break  # nothing of ours lives below the window; stop reading the rest
            el.clear()
            continue
        if tag != f"{NS}c":
            continue
        ref = el.get("r") or ""
        ok, row = _col_ok(ref)
        if not ok or row > L.MAX_ROWS:
            el.clear()
            continue
        t = el.get("t", "n")
        v = el.find(f"{NS}v")
        if el.find(f"{NS}f") is not None:
            formulas.add(ref)
        if t == "inlineStr":
            cells[ref] = _text(el)
        elif v is None or v.text is None:
            pass
        elif t == "s":
            idx = int(v.text)
            cells[ref] = shared[idx] if 0 <= idx < len(shared) else ""
        elif t in ("str", "e"):
            cells[ref] = v.text
        elif t == "b":
            cells[ref] = v.text == "1"
        else:
            try:
                cells[ref] = float(v.text)
            except ValueError:
                cells[ref] = v.text
        el.clear()
    return cells, formulas


def read_xlsx_cells(data: bytes) -> tuple[dict[str, dict[str, object]], dict[str, set[str]]]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
        if any(i.file_size > MAX_MEMBER for i in infos) or sum(i.file_size for i in infos) > MAX_TOTAL:
            raise TooLarge("declared uncompressed size over the limit")
        names = {i.filename for i in infos}
        shared = _shared_strings(zf, names)
        paths = _sheet_paths(zf)
        if len(paths) > L.MAX_SHEETS:
            raise NotAWorkbook(f"{len(paths)} sheets")
        read: dict[str, tuple[dict[str, object], set[str]]] = {}  # a part named by many sheets is read once
        for path in paths.values():
            if path in names and path not in read:
                read[path] = _cells(zf.open(path), shared)
        sheets = {name: read[path][0] for name, path in paths.items() if path in read}
        return sheets, {name: read[path][1] for name, path in paths.items() if path in read}
    except DefusedXmlException as exc:
        raise Hostile(f"XML with DTD or entities: {exc}") from None
    except (ParseError, KeyError, ValueError, OverflowError, IndexError, zipfile.BadZipFile, zlib.error,
            NotImplementedError, RuntimeError, EOFError) as exc:  # what crafted or broken files raise
        raise NotAWorkbook(f"unreadable xlsx: {type(exc).__name__}: {exc}") from None
