"""Hostile and broken files end in a clear rejection, quickly, without taking the intake down."""

from __future__ import annotations

import io
import time
import zipfile

import pytest

from nianbao.errors import WorkbookError
from nianbao.workbook.errors import Encrypted, Hostile, NotAWorkbook, TooLarge
from nianbao.workbook.errors_zh import describe
from nianbao.workbook.reader import read_workbook
from nianbao.workbook.template import build_template
from tests.hostile import read_as_intake

KEY = b"k"


def rezip(data: bytes, replace: dict[str, bytes], add: dict[str, bytes] | None = None) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            zf.writestr(info.filename, replace.get(info.filename, src.read(info)))
        for name, body in (add or {}).items():
            zf.writestr(name, body)
    return out.getvalue()


@pytest.fixture
def template(city):
    return build_template(city, city.reporting_units[0], 2026, {}, KEY)


def rejected_quickly(data: bytes, city, exc_type, filename="x.xlsx") -> WorkbookError:
    start = time.perf_counter()
    with pytest.raises(exc_type) as err:
        read_workbook(data, filename, KEY, city)
    assert time.perf_counter() - start < 5
    assert describe(city, err.value)  # every rejection has a Chinese explanation with what to do
    return err.value


def test_zero_bytes_is_not_a_workbook(city):
    rejected_quickly(b"", city, NotAWorkbook)


def test_a_pdf_named_xlsx_is_not_a_workbook(city):
    rejected_quickly(b"%PDF-1.7\n...", city, NotAWorkbook)


def test_a_workbook_with_the_wrong_extension_is_read_by_its_content(city, template):
    assert read_workbook(template, "报表.pdf", KEY, city).identity is not None


def test_zip_bomb_is_refused_by_declared_size(city, template):
    bomb = rezip(template, {}, {"xl/media/pad.bin": b"\0" * (80 * 1024 * 1024)})
    rejected_quickly(bomb, city, TooLarge)


def test_billion_laughs_is_refused(city, template):
    lol = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
           + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i else b"&lol;") * 10) for i in range(1, 10))
           + b']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol9;</t></si></sst>')
    rejected_quickly(rezip(template, {}, {"xl/sharedStrings.xml": lol}), city, Hostile)


def test_a_dtd_in_a_worksheet_is_refused(city, template):
    name = "xl/worksheets/sheet2.xml"
    sheet = zipfile.ZipFile(io.BytesIO(template)).read(name)
    root = sheet.index(b"<worksheet")
    crafted = sheet[:root] + b'<!DOCTYPE w [<!ENTITY x "x">]>' + sheet[root:]
    rejected_quickly(rezip(template, {name: crafted}), city, Hostile)


def test_a_dtd_hidden_behind_a_long_comment_is_still_refused(city, template):
    padded = (b'<?xml version="1.0"?><!--' + b" " * 10000 + b'--><!DOCTYPE sst [<!ENTITY x "x">]>'
              b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&x;</t></si></sst>')
    rejected_quickly(rezip(template, {}, {"xl/sharedStrings.xml": padded}), city, Hostile)


def _dtd_in(template: bytes, part: str, padding: int = 0) -> bytes:
    body = zipfile.ZipFile(io.BytesIO(template)).read(part)
    root = body.index(b"<", body.index(b"?>")) if body.startswith(b"<?") else 0
    crafted = body[:root] + b"<!--" + b" " * padding + b'--><!DOCTYPE r [<!ENTITY x "x">]>' + body[root:]
    return rezip(template, {part: crafted})


@pytest.mark.parametrize("part", ["_rels/.rels", "xl/_rels/workbook.xml.rels", "xl/workbook.xml", "xl/styles.xml",
                                  "xl/worksheets/sheet3.xml"])
@pytest.mark.parametrize("padding", [0, 300, 3000])
def test_a_dtd_in_any_part_calamine_opens_is_refused_however_far_into_its_prolog(city, template, part, padding):
    rejected_quickly(_dtd_in(template, part, padding), city, Hostile)


@pytest.mark.parametrize("part", ["docProps/app.xml", "[Content_Types].xml", "xl/theme/theme1.xml"])
def test_a_dtd_in_a_part_no_reader_opens_is_refused_too(city, template, part):
    rejected_quickly(_dtd_in(template, part), city, Hostile)


def test_a_workbook_stored_without_compression_reads_the_same(city, template):
    src = zipfile.ZipFile(io.BytesIO(template))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:
        for info in src.infolist():
            zf.writestr(info.filename, src.read(info))
    assert read_workbook(out.getvalue(), "x.xlsx", KEY, city) == read_workbook(template, "x.xlsx", KEY, city)


def test_a_sheet_declaring_a_million_rows_is_read_only_within_the_template_window(city, template, box):
    name = "xl/worksheets/sheet2.xml"
    sheet = zipfile.ZipFile(io.BytesIO(template)).read(name)
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (r, r) for r in range(1000, 200000))
    far = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    crafted = sheet.replace(b"</sheetData>", rows + far + b"</sheetData>").replace(b'<dimension ref="A1:F8"/>',
                                                                               b'<dimension ref="A1:XFD1048576"/>')
    start = time.perf_counter()
    raw = read_as_intake(box, rezip(template, {name: crafted}))
    assert time.perf_counter() - start < 10 and raw.identity is not None


FAR_CELLS = {  # forms that make calamine allocate the whole rectangle up to the far cell
    "plain": b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
    "r_not_first": b'<row r="9"><c s="0" r="XFD1048576"><v>1</v></c></row>',
    "row_r_not_first": b'<row spans="1:1" r="1048576"><c r="A1048576"><v>1</v></c></row>',
    "far_row_in_a_cell_only": b'<row r="9"><c r="ZZ1048576"><v>1</v></c></row>',
    "single_quotes": b"<row r='1048576'><c r='XFD1048576'><v>1</v></c></row>",
    "no_r_at_all": b"<row>" + b"<c><v>1</v></c>" * 20000 + b"</row>",
    "prefixed": b'<x:row r="1048576" xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                b'<x:c r="XFD1048576"><x:v>1</x:v></x:c></x:row>',
}


def _with_far_cells(template: bytes, form: str) -> bytes:
    name = "xl/worksheets/sheet2.xml"
    sheet = zipfile.ZipFile(io.BytesIO(template)).read(name)
    return rezip(template, {name: sheet.replace(b"</sheetData>", FAR_CELLS[form] + b"</sheetData>")})


@pytest.fixture(scope="module")
def box(city):
    """A sandbox as the intake's (its default address-space limit), one child."""
    from nianbao.intake.sandbox import Limits, Sandbox

    sandbox = Sandbox(city, Limits(processes=1))
    yield sandbox
    sandbox.close()


@pytest.mark.parametrize("form", sorted(FAR_CELLS))
def test_a_far_cell_costs_at_most_its_child_and_the_workbook_is_still_read(city, template, box, form):
    """Calamine reads the sender's file as it is; where it allocates past the child's limit, the child
    dies and the careful reader reads the template's window."""
    from nianbao.workbook.reader import RawWorkbook

    raw = read_as_intake(box, _with_far_cells(template, form))
    assert isinstance(raw, RawWorkbook), raw
    assert raw.identity.unit_code == city.reporting_units[0].code
    assert raw == read_workbook(template, "x.xlsx", KEY, city)


def test_a_word_document_named_xls_is_not_a_workbook(city):
    doc = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512 + "WordDocument".encode("utf-16-le") + b"\0" * 512
    rejected_quickly(doc, city, NotAWorkbook, "报表.xls")


def test_encrypted_workbook_is_refused(city):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512 + "EncryptionInfo".encode("utf-16-le") + b"\0" * 512
    rejected_quickly(ole, city, Encrypted)


def test_xlsm_is_read_and_its_macros_never_run(city, template):
    xlsm = rezip(template, {}, {"xl/vbaProject.bin": b"Attribute VB_Name = \"Evil\"\nShell \"rm -rf /\""})
    raw = read_workbook(xlsm, "报表.xlsm", KEY, city)
    assert raw.format == "xlsm" and raw.identity is not None


def test_corrupt_xls_goes_to_a_bounded_child_process_and_is_refused(city):
    broken = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\xff" * 4096
    err = rejected_quickly(broken, city, WorkbookError, "x.xls")
    assert isinstance(err, WorkbookError)
