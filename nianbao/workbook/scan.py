"""What an .xlsx must not hold before calamine reads it, checked with the standard library's zipfile.

Declared sizes are capped. The parts calamine would open, found as it finds them (`package`), are
inflated by zipfile in steps (`members.read_member`), which stops at the declared size and checks the
CRC: a part that inflates to more than it declares (a "lying" zip bomb) is refused here, before any
reader sees it. Each is refused if its prolog declares a DTD or entities, and each sheet part is
searched with a few regex passes for what calamine would place far away — it allocates the whole
rectangle up to the farthest cell — and for formulas without a cached value; a sheet whose markup our
regexes could read otherwise than calamine's XML reader (a second r= in a tag, a comment, CDATA or
processing instruction, a prefixed formula, a `</c >`) is not plain. Anything unusual sends the file to
the careful, window-bounded XML parser instead. Parts no reader of ours opens are not inflated. A
plain file is handed on as a new package of the checked parts alone (`package.repacked`): calamine
reads what was checked, never the sender's archive.
`sound_members` checks every member, for openpyxl (which opens them all)."""

from __future__ import annotations

import re
import zipfile

from nianbao.workbook import layout as L
from nianbao.workbook.errors import Hostile, TooLarge
from nianbao.workbook.members import read_member
from nianbao.workbook.package import Unsure, calamine_parts, repacked
from nianbao.workbook.xlsx_cells import MAX_MEMBER, MAX_TOTAL

# Calamine places a cell by its own r (or, without one, by counting), so anything it could place far is
# refused: a row or cell whose row number could be past the window, a three-letter column, and any
# <c>/<row> not in Excel's own form (r="…" first, double quotes): r later in the tag, single quotes,
# no r at all. Formula elements are found in the same pass.
_MARKS = re.compile(
    rb"<(?:"
    rb'row r="(?P<row>\d{%(d)d,})"'
    rb'|c r="(?:(?P<col3>[A-Z]{3})|[A-Z]{1,2}(?P<cellrow>\d{%(d)d,})")'
    rb"|(?P<f>f)[\s>/]"
    rb'|(?P<odd>(?:c|row)(?=[\s/>])(?! r="[A-Z]{0,3}\d+"))'
    rb")" % {b"d": len(str(L.MAX_ROWS))})
_PREFIXED = re.compile(rb":(?:c|row)[\s/>]")  # calamine matches by local name: <x:c> is a cell too
_PREFIXED_F = re.compile(rb":f[\s/>]")  # a formula too, within sheetData (<xm:f> in extLst is Excel's own)
# Calamine lets a second r="…" in a tag override the first: within sheetData every r= must be the one
# that opens a <c r="…"> or <row r="…"> (an r= in text only sends an honest file to the careful reader).
_R_SPACED = re.compile(rb"r\s+=")
# Where our regexes and calamine's XML reader could see different elements: markup inside comments,
# CDATA or processing instructions, and a </c > closing tag that the formula pass would read past.
_HIDING = re.compile(rb"<(?:[?!]|/c\s)")
_F_START = re.compile(rb"<f[\s>/]")
# A formula cell as Excel writes it, the only form whose cached value calamine and the careful reader
# both read alike: the formula (or an empty <f/> of a shared one), then one non-empty <v>, then </c>.
_EXCEL_FORMULA = re.compile(rb"<f(?:\s[^<>]*)?(?:/>|>[^<]*</f>)<v>[^<]+</v>")
_FORMULA_CELL = re.compile(rb'<c r="[A-Z]+\d+"([^>]*)(?<!/)>(.*?)</c>', re.S)  # not a self-closing <c …/>
_FIRST_ELEMENT = re.compile(rb"<[^?!]")
PROLOG = 4096  # a DTD can only sit before the root element


def _prolog_is_plain(xml: bytes) -> bool:
    """Raise Hostile for a DTD before the root element; False when the root is not within PROLOG bytes
    (a long comment could hide one: the careful parser, which refuses every DTD, decides)."""
    root = _FIRST_ELEMENT.search(xml, 0, PROLOG)
    prolog = xml[:root.start()] if root else xml[:PROLOG]
    if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
        raise Hostile("XML with DTD or entities")
    return root is not None or not xml.strip()


def _sheet_data(xml: bytes) -> tuple[int, int]:
    """Where calamine may read cells: from the first "sheetData" to the last. Its start and end tags hold
    the name however they are spelt (a prefix, even an empty one, or an end tag's text in an attribute
    value elsewhere); with one occurrence only, to the end of the part."""
    start, last = xml.find(b"sheetData"), xml.rfind(b"sheetData")
    if start < 0:
        return 0, 0
    return start, last if last > start else len(xml)


def _one_r_a_tag(xml: bytes, start: int, end: int) -> bool:
    cells = xml.count(b'<c r="', start, end)
    if not cells:  # every other form of a cell is refused by _MARKS
        return True
    tags = cells + xml.count(b'<row r="', start, end)
    named_r = xml.count(b"dtr=", start, end)  # the one attribute of a cell's elements whose name ends in r
    return xml.count(b"r=", start, end) - named_r == tags and not _R_SPACED.search(xml, start, end)


def _nothing_hidden(xml: bytes) -> bool:
    declaration = 8 if xml.startswith(b"\xef\xbb\xbf<?xml") else 5 if xml.startswith(b"<?xml") else 0
    return not _HIDING.search(xml, declaration)


def _formula_lacks_value(attrs: bytes, inner: bytes) -> bool:
    if _F_START.search(inner) is None:
        return False
    return b"inlineStr" in attrs or _EXCEL_FORMULA.fullmatch(inner) is None


def _sheet_is_plain(xml: bytes) -> tuple[bool, bool]:
    """(nothing calamine could place far away, some formula lacks its cached value)."""
    start, end = _sheet_data(xml)
    safe = not _PREFIXED.search(xml) and not _PREFIXED_F.search(xml, start, end) and _one_r_a_tag(xml, start, end) \
        and _nothing_hidden(xml)
    has_formula = False
    for m in _MARKS.finditer(xml):
        if m["f"]:
            has_formula = True
        elif m["odd"] or m["col3"] or int(m["row"] or m["cellrow"]) > L.MAX_ROWS:
            safe = False
    missing = has_formula and any(_formula_lacks_value(a, i) for a, i in _FORMULA_CELL.findall(xml))
    return safe, missing


def _sizes_declared(zf: zipfile.ZipFile) -> None:
    infos = zf.infolist()
    if any(i.file_size > MAX_MEMBER for i in infos) or sum(i.file_size for i in infos) > MAX_TOTAL:
        raise TooLarge("declared uncompressed size over the limit")


def scan(zf: zipfile.ZipFile) -> bytes | None:
    """The package calamine may read, rebuilt from exactly the parts checked; None sends the file to the
    careful parser. Raises TooLarge or Hostile, and zipfile's own errors (bad CRC, unsupported
    compression, encryption) for broken files."""
    _sizes_declared(zf)
    try:
        parts = calamine_parts(zf)
    except Unsure:
        return None
    safe = True
    for data in parts.other.values():
        safe = _prolog_is_plain(data) and safe
    for data in parts.sheets.values():
        plain, missing = _sheet_is_plain(data)
        safe = _prolog_is_plain(data) and safe and plain and not missing
    return repacked(parts) if safe else None


def sound_members(zf: zipfile.ZipFile) -> None:
    """For a reader that opens every part (openpyxl): each member inflated within the caps, its CRC
    checked, no DTD in any XML part. Raises TooLarge, Hostile or zipfile's own errors."""
    _sizes_declared(zf)
    for info in zf.infolist():
        data = read_member(zf, info, MAX_MEMBER)
        if info.filename.endswith((".xml", ".rels")):
            _prolog_is_plain(data)
