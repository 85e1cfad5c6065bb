"""The scan checks the very parts calamine reads: wherever a package puts a sheet, calamine reads a
marker put there, and a far cell put there sends the file to the careful reader. Packages our parser
could read otherwise than calamine go to the careful reader too."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import pytest
from python_calamine import CalamineWorkbook

from nianbao.workbook.scan import scan
from nianbao.workbook.template import build_template

SHEET = "xl/worksheets/sheet2.xml"
RELS = "xl/_rels/workbook.xml.rels"
FAR = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'


@pytest.fixture
def template(city):
    return build_template(city, city.reporting_units[0], 2026, {}, b"k")


def repack(data: bytes, edit: Callable[[str, bytes], list[tuple[str, bytes]]]) -> bytes:
    """Each member through ``edit`` (name, bytes) → the members to write instead."""
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            for name, body in edit(info.filename, src.read(info)):
                zf.writestr(name, body)
    return out.getvalue()


def _renamed(new: str, target: str) -> Callable[[str, bytes], list[tuple[str, bytes]]]:
    def edit(name: str, body: bytes) -> list[tuple[str, bytes]]:
        if name == SHEET:
            return [(new, body)]
        if name == RELS:
            return [(name, body.replace(b'"/xl/worksheets/sheet2.xml"', b'"%s"' % target.encode()))]
        return [(name, body)]
    return edit


def _other_folder(name: str, body: bytes) -> list[tuple[str, bytes]]:
    if name == "_rels/.rels":
        body = body.replace(b"xl/workbook.xml", b"book/workbook.xml")
    if name == RELS:
        body = body.replace(b"/xl/", b"/book/")
    return [(name.replace("xl/", "book/", 1) if name.startswith("xl/") else name, body)]


def _id_twice(name: str, body: bytes) -> list[tuple[str, bytes]]:
    """rId2 given twice: calamine keeps the last, a careless reader the first."""
    if name == RELS:
        again = b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"' \
                b' Target="/xl/second.xml" Id="rId2"/>'
        return [(name, body.replace(b"</Relationships>", again + b"</Relationships>"))]
    if name == SHEET:
        return [(name, body), ("xl/second.xml", body)]
    return [(name, body)]


PLACES = {  # where a sheet can live, and the member that then holds it
    "moved_out_of_worksheets": (_renamed("xl/sheet2.xml", "sheet2.xml"), "xl/sheet2.xml"),
    "absolute_target": (_renamed("data/s.xml", "/data/s.xml"), "data/s.xml"),
    "name_in_other_case": (_renamed("XL/WorkSheets/Sheet2.XML", "/xl/worksheets/sheet2.xml"), "XL/WorkSheets/Sheet2.XML"),
    "workbook_in_other_folder": (_other_folder, "book/worksheets/sheet2.xml"),
    "relationship_id_twice": (_id_twice, "xl/second.xml"),
}


def _with(data: bytes, member: str, extra: bytes) -> bytes:
    return repack(data, lambda n, b: [(n, b.replace(b"</sheetData>", extra + b"</sheetData>") if n == member else b)])


def _sheet_seen_by_calamine(data: bytes, city) -> list:
    name = next(s.sheet for s in city.report.sections)
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name(name).to_python()


def test_a_plain_workbook_passes_the_scan(template):
    assert scan(zipfile.ZipFile(io.BytesIO(template)))


@pytest.mark.parametrize("place", sorted(PLACES))
def test_calamine_reads_the_sheet_where_the_scan_looks(city, template, place):
    edit, member = PLACES[place]
    moved = repack(template, edit)
    marker = b'<row r="40"><c r="A40" t="inlineStr"><is><t>MARKER</t></is></c></row>'
    assert any("MARKER" in row for row in _sheet_seen_by_calamine(_with(moved, member, marker), city))
    assert scan(zipfile.ZipFile(io.BytesIO(moved)))  # still plain: nothing is refused for its place alone
    assert not scan(zipfile.ZipFile(io.BytesIO(_with(moved, member, FAR))))


def _entity_in_target(name: str, body: bytes) -> list[tuple[str, bytes]]:
    return [(name, body.replace(b"worksheets/sheet2.xml", b"worksheets&#47;sheet2.xml") if name == RELS else body)]


def _xmlns_id(name: str, body: bytes) -> list[tuple[str, bytes]]:
    """calamine takes xmlns:id="rId3" for the sheet's relationship id; our parser sees r:id only."""
    return [(name, body.replace(b'r:id="rId2"', b'r:id="rId2" xmlns:id="rId3"') if name == "xl/workbook.xml" else body)]


def _also(member: str, body: bytes = b"") -> Callable[[str, bytes], list[tuple[str, bytes]]]:
    return lambda n, b: [(n, b)] + ([(member, body)] if n == SHEET else [])


def _declared(encoding: bytes) -> Callable[[str, bytes], list[tuple[str, bytes]]]:
    return lambda n, b: [(n, b'<?xml version="1.0" encoding="%s"?>' % encoding + b.split(b"?>", 1)[-1]
                          if n == SHEET else b)]


UNSURE = {
    "entity_in_a_relationship_target": _entity_in_target,
    "xmlns_id_on_a_sheet": _xmlns_id,
    "an_ods_entry_point": _also("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
    "an_xlsb_entry_point": _also("xl/_rels/workbook.bin.rels"),
    "one_name_in_two_cases": _also("XL/WORKSHEETS/SHEET2.XML"),
    "a_sheet_declared_in_another_encoding": _declared(b"GB18030"),
}


@pytest.mark.parametrize("case", sorted(UNSURE))
def test_a_package_calamine_could_read_otherwise_goes_to_the_careful_reader(template, case):
    assert not scan(zipfile.ZipFile(io.BytesIO(repack(template, UNSURE[case]))))


def test_a_utf16_sheet_goes_to_the_careful_reader(template):
    def edit(name: str, body: bytes) -> list[tuple[str, bytes]]:
        return [(name, body.split(b"?>", 1)[-1].decode().encode("utf-16") if name == SHEET else body)]
    assert not scan(zipfile.ZipFile(io.BytesIO(repack(template, edit))))
