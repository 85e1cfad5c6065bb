"""The scan checks the very parts calamine reads: wherever a package puts a sheet, calamine reads a
marker put there, and a far cell put there sends the file to the careful reader. Packages our parser
could read otherwise than calamine go to the careful reader too."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable

import pytest
from python_calamine import CalamineWorkbook

from nianbao.workbook.calamine import calamine_cells
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


def _scanned(data: bytes) -> bytes | None:
    return scan(zipfile.ZipFile(io.BytesIO(data)))


def _far_in(package: bytes) -> bool:
    zf = zipfile.ZipFile(io.BytesIO(package))
    return any(b"XFD1048576" in zf.read(name) for name in zf.namelist())


def test_calamine_is_handed_the_checked_parts_alone_and_reads_them_as_the_original(template):
    package = _scanned(repack(template, _also("xl/unread.xml", FAR)))  # a member no reader opens
    assert set(zipfile.ZipFile(io.BytesIO(package)).namelist()) == {
        "_rels/.rels", RELS, "xl/workbook.xml", "xl/styles.xml", *(f"xl/worksheets/sheet{n}.xml" for n in range(1, 9))}
    assert calamine_cells(package) == calamine_cells(template)


def _office_document_by_suffix(name: str, body: bytes) -> list[tuple[str, bytes]]:
    """calamine takes any relationship type ending in /relationships/officeDocument, the last one winning."""
    if name == "_rels/.rels":
        body = body.replace(b"</Relationships>", b'<Relationship Type="http://x/relationships/officeDocument" '
                                                 b'Target="ev/workbook.xml" Id="rId9"/></Relationships>')
    return [(name, body)] + ([("ev/workbook.xml", body)] if name == "xl/workbook.xml" else [])


def _tab_in_target(name: str, body: bytes) -> list[tuple[str, bytes]]:
    """Our parser turns the tab into a space (attribute normalisation); calamine keeps it."""
    if name == RELS:
        return [(name, body.replace(b"/xl/worksheets/sheet2.xml", b"/xl/worksheets/s\t2.xml"))]
    return [("xl/worksheets/s\t2.xml" if name == SHEET else name, body)]


def test_a_second_office_document_by_type_suffix_goes_to_the_careful_reader(template):
    assert _scanned(repack(template, _office_document_by_suffix)) is None


def test_a_sheet_target_that_names_no_member_goes_to_the_careful_reader(template):
    assert _scanned(repack(template, _tab_in_target)) is None


@pytest.mark.parametrize("count", [b"4000000000", b"+5", b" 5", b"5x"])
def test_a_shared_strings_count_calamine_would_reserve_blindly_goes_to_the_careful_reader(template, count):
    sst = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" uniqueCount="%s">' \
          b"<si><t>a</t></si></sst>" % count
    assert _scanned(repack(template, _also("xl/sharedStrings.xml", sst))) is None


def test_shared_strings_with_a_true_count_pass(template):
    sst = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" uniqueCount="2">' \
          b"<si><t>a</t></si><si><t>b</t></si></sst>"
    assert _scanned(repack(template, _also("xl/sharedStrings.xml", sst))) is not None


def _zip_with(members: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in members:
            zf.writestr(name, body)
    return out.getvalue()


def _members(data: bytes) -> list[tuple[str, bytes]]:
    zf = zipfile.ZipFile(io.BytesIO(data))
    return [(i.filename, zf.read(i)) for i in zf.infolist()]


def _far(body: bytes) -> bytes:
    return body.replace(b"</sheetData>", FAR + b"</sheetData>")


def test_a_member_renamed_by_a_unicode_path_field_never_reaches_calamine(template):
    """The zip crate names a member by its Info-ZIP "Unicode path" extra field; zipfile ignores it."""
    evil = zipfile.ZipInfo("zz/evil.bin", (2020, 1, 1, 0, 0, 0))
    evil.extra = struct.pack("<HHBI", 0x7075, 5 + len(SHEET), 1, zlib.crc32(b"zz/evil.bin")) + SHEET.encode()
    members = _members(template)
    package = _scanned(_zip_with([*members, (evil, _far(dict(members)[SHEET]))]))
    assert package is None or not _far_in(package)


def test_a_utf8_name_without_its_flag_never_reaches_calamine(template):
    """zipfile decodes such a name as cp437, the zip crate as UTF-8: the sheet is found by calamine only."""
    edit = _renamed("xl/worksheets/QQ.xml", "/xl/worksheets/é.xml")
    data = repack(template, lambda n, b: edit(n, _far(b) if n == SHEET else b))
    package = _scanned(data.replace(b"xl/worksheets/QQ.xml", "xl/worksheets/é.xml".encode()))
    assert package is None or not _far_in(package)


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_a_second_central_directory_never_reaches_calamine(template):
    """zipfile reads the last end record; the zip crate refuses it (its comment runs past the end) and
    reads an earlier directory whose sheet is another one."""
    clean = _members(template)
    hostile = [(n, _far(b) if n == SHEET else b) for n, b in clean]
    raw = _zip_with(clean + hostile)
    end = raw.rfind(b"PK\x05\x06")
    count, size, offset = struct.unpack("<HII", raw[end + 10:end + 20])
    entries, at, directory = [], 0, raw[offset:offset + size]
    for _ in range(count):
        name_len, extra_len, comment_len = struct.unpack("<HHH", directory[at + 28:at + 34])
        entries.append(directory[at:at + 46 + name_len + extra_len + comment_len])
        at += 46 + name_len + extra_len + comment_len

    def end_record(n: int, size: int, offset: int, comment: int = 0) -> bytes:
        return b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, n, n, size, offset, comment)
    first, second = b"".join(entries[len(clean):]), b"".join(entries[:len(clean)])
    data = raw[:offset] + first + end_record(len(hostile), len(first), offset)
    data += second + end_record(len(clean), len(second), len(data), 0xFFFF)
    package = _scanned(data)
    assert package is None or not _far_in(package)


def test_an_empty_sst_before_the_one_calamine_reads_hides_no_count(template):
    sst = b'<x><sst uniqueCount="1"/><sst uniqueCount="99999999999"><si><t>a</t></si></sst></x>'
    assert _scanned(repack(template, _also("xl/sharedStrings.xml", sst))) is None


def _row(cells: bytes) -> Callable[[str, bytes], list[tuple[str, bytes]]]:
    return lambda n, b: [(n, b.replace(b"</sheetData>", b'<row r="30">%s</row></sheetData>' % cells) if n == SHEET else b)]


SECOND_R = {  # calamine's attribute reader lets a later r override the first
    "spaced": b'<c r="A30" r="XFD1048576"><v>1</v></c>',
    "unspaced": b'<c r="A30"r="XFD1048576"><v>1</v></c>',
    "single_quoted": b"<c r=\"A30\" r='XFD1048576'><v>1</v></c>",
}


@pytest.mark.parametrize("case", sorted(SECOND_R))
def test_a_second_r_in_a_cell_goes_to_the_careful_reader(template, case):
    assert _scanned(repack(template, _row(SECOND_R[case]))) is None


X = b'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
FORMULA_WITHOUT_VALUE = {  # forms where calamine reads no cached value though text like one is there
    "tab_after_f": b'<c r="D30"><f\t>1+1</f></c>',
    "newline_after_f": b'<c r="D30"><f\n>1+1</f></c>',
    "prefixed_f": b'<c r="D30"><x:f %s>1+1</x:f></c>' % X,
    "value_in_a_comment": b'<c r="D30"><f>1+1</f><!--<v>3</v>--></c>',
    "value_in_cdata": b'<c r="D30"><f>1+1</f><![CDATA[<v>3</v>]]></c>',
    "spaced_close_tag": b'<c r="D30"><f>1+1</f></c ><c r="E30"><v>3</v></c>',
    "value_before_formula": b'<c r="D30"><v>3</v><f>1+1</f></c>',
    "inline_string": b'<c r="D30" t="inlineStr"><f>1+1</f><v>3</v></c>',
    "value_inside_the_formula": b'<c r="D30"><f>SUM(1,2)<v>3</v></f></c>',
    "value_in_an_inline_string": b'<c r="D30"><f>1+1</f><is><v>3</v></is></c>',
    "an_empty_value_then_another": b'<c r="D30"><f>1</f><v></v><v>3</v><f>2</f></c>',
}


@pytest.mark.parametrize("case", sorted(FORMULA_WITHOUT_VALUE))
def test_a_formula_whose_cached_value_calamine_would_not_read_goes_to_the_careful_reader(template, case):
    assert _scanned(repack(template, _row(FORMULA_WITHOUT_VALUE[case]))) is None


def test_a_formula_with_its_cached_value_passes(template):
    assert _scanned(repack(template, _row(b'<c r="D30"><f>1+1</f><v>2</v></c>'))) is not None


def _sheets_in_workbook(extra: int, same_part: bool) -> Callable[[str, bytes], list[tuple[str, bytes]]]:
    rid = b"rId2" if same_part else b"rId99"
    ns = b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    more = b"".join(b'<sheet %s name="s%d" sheetId="%d" r:id="%s"/>' % (ns, 100 + n, 100 + n, rid) for n in range(extra))
    return lambda n, b: [(n, b.replace(b"</sheets>", more + b"</sheets>") if n == "xl/workbook.xml" else b)]


def test_two_sheets_read_from_one_part_go_to_the_careful_reader(template):
    """Calamine parses the part again for every sheet naming it: thousands of names, one big part, a hang."""
    assert _scanned(repack(template, _sheets_in_workbook(1, same_part=True))) is None


def test_more_sheets_than_any_workbook_of_ours_goes_to_the_careful_reader(template):
    assert _scanned(repack(template, _sheets_in_workbook(100, same_part=False))) is None


def test_the_careful_reader_reads_a_part_named_by_two_sheets_once_and_refuses_thousands(city, template):
    from nianbao.workbook.errors import NotAWorkbook
    from nianbao.workbook.reader import read_workbook

    plain = read_workbook(template, "x.xlsx", b"k", city, careful=True)
    assert read_workbook(repack(template, _sheets_in_workbook(1, True)), "x.xlsx", b"k", city, careful=True).values \
        == plain.values
    with pytest.raises(NotAWorkbook):
        read_workbook(repack(template, _sheets_in_workbook(100, True)), "x.xlsx", b"k", city, careful=True)


def test_a_second_r_inside_a_prefixed_sheet_data_goes_to_the_careful_reader(template):
    def edit(name: str, body: bytes) -> list[tuple[str, bytes]]:
        if name != SHEET:
            return [(name, body)]
        body = body.replace(b"<sheetData>", b"<x:sheetData %s>" % X).replace(b"</sheetData>", b"</x:sheetData>")
        return [(name, body.replace(b"</x:sheetData>", b'<row r="30">%s</row></x:sheetData>' % SECOND_R["spaced"]))]
    assert _scanned(repack(template, edit)) is None


def test_a_faked_end_of_sheet_data_hides_no_second_r(template):
    """The real end written `</sheetData >`, the text `sheetData>` earlier: cells after it are still counted."""
    def edit(name: str, body: bytes) -> list[tuple[str, bytes]]:
        if name != SHEET:
            return [(name, body)]
        row = b'<row r="30"><c r="A30" t="inlineStr"><is><t>sheetData></t></is></c>%s</row>' % SECOND_R["spaced"]
        return [(name, body.replace(b"</sheetData>", row + b"</sheetData >"))]
    assert _scanned(repack(template, edit)) is None


def test_what_excel_writes_around_formulas_passes(template):
    """An empty styled cell just before a formula cell, and <xm:f> in an x14 data validation."""
    ext = (b'<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
           b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:dataValidations '
           b'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main" count="1"><x14:dataValidation '
           b'type="list"><x14:formula1><xm:f>Lists!$A$1:$A$3</xm:f></x14:formula1><xm:sqref>D5</xm:sqref>'
           b"</x14:dataValidation></x14:dataValidations></ext></extLst>")

    def edit(name: str, body: bytes) -> list[tuple[str, bytes]]:
        if name != SHEET:
            return [(name, body)]
        body = body.replace(b"</sheetData>", b'<row r="30"><c r="C30" s="1"/><c r="D30"><f>1+1</f><v>2</v></c>'
                                              b"</row></sheetData>")
        return [(name, body.replace(b"</worksheet>", ext + b"</worksheet>"))]
    assert _scanned(repack(template, edit)) is not None


@pytest.mark.parametrize("end_tag", [b"</:sheetData>", b"</a/b:sheetData>"])
def test_an_end_of_sheet_data_faked_in_an_attribute_hides_no_second_r(template, end_tag):
    """calamine takes `zz="</sheetData>"` for an attribute and `</:sheetData>` for the end."""
    def edit(name: str, body: bytes) -> list[tuple[str, bytes]]:
        if name != SHEET:
            return [(name, body)]
        body = body.replace(b"</sheetData>", b'<row r="30">%s</row>%s' % (SECOND_R["spaced"], end_tag))
        return [(name, body.replace(b'<c r="A1"', b'<c r="A1" zz="</sheetData>"', 1))]
    data = repack(template, edit)
    assert b'zz="</sheetData>"' in zipfile.ZipFile(io.BytesIO(data)).read(SHEET)
    assert _scanned(data) is None
