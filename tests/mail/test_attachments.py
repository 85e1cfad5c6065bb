"""Which parts of a mail are the unit's workbooks: file types, unnamed parts, zips (GBK member names,
safety limits), forwarded mail, several workbooks, none; and that malformed mail never raises."""

from __future__ import annotations

import io
import zipfile

from hypothesis import given, settings
from hypothesis import strategies as st

from nianbao.mail import zipped
from nianbao.mail.attachments import sniff_extension
from nianbao.mail.message import parse_mail
from tests.mail import clients
from tests.mail.clients import bword

NAME = "南通市2026年度法治政府建设统计表(崇川区).xlsx"
OLE2_WORKBOOK = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "Workbook".encode("utf-16-le") + b"\0" * 64


def attached(name: str | None, data: bytes, ctype: str = "application/octet-stream") -> bytes:
    disposition = f'Content-Disposition: attachment; filename="{bword(name, "GBK")}"' if name else \
        "Content-Disposition: attachment"
    return clients.part([f"Content-Type: {ctype}".encode(), disposition.encode()], data)


def mail_with(*parts: bytes) -> bytes:
    return clients.message([b"From: =?GBK?B?" + b"1cXI/Q==" + b"?= <a@b.cn>", b"Subject: x"],
                           [clients.text_part("见附件", "GBK"), *parts])


def gbk_zip(members: dict[str, bytes], *, utf8_flag: bool = False) -> bytes:
    """A zip as WinRAR / 7-Zip / Windows' own compressor on Chinese Windows write it: GBK names, no
    UTF-8 flag (zipfile itself would write UTF-8 with the flag, so the names are patched in)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for i, (name, data) in enumerate(members.items()):
            zf.writestr(name if utf8_flag else f"{i:0{len(name.encode('gbk'))}d}", data)
    raw = buf.getvalue()
    if not utf8_flag:
        for i, name in enumerate(members):
            gbk = name.encode("gbk")
            raw = raw.replace(f"{i:0{len(gbk)}d}".encode(), gbk)
    return raw


def test_every_spreadsheet_type_is_taken_and_other_files_are_listed(xlsx):
    m = parse_mail(mail_with(*(attached(f"表{ext}", xlsx) for ext in (".xlsx", ".xlsm", ".xls", ".ods", ".et")),
                             attached("说明.pdf", b"%PDF-1.4"), attached("照片.jpg", b"\xff\xd8\xff")))
    assert [a.filename for a in m.attachments] == [f"表{e}" for e in (".xlsx", ".xlsm", ".xls", ".ods", ".et")]
    assert m.ignored == ["说明.pdf", "照片.jpg"]


def test_uppercase_extension_is_a_spreadsheet(xlsx):
    assert [a.filename for a in parse_mail(mail_with(attached("统计表.XLSX", xlsx))).attachments] == ["统计表.XLSX"]


def test_a_mail_without_attachments_has_none(xlsx):
    m = parse_mail(b"From: a@b.cn\r\nSubject: =?GBK?B?xOO6ww==?=\r\n\r\nhello")
    assert (m.attachments, m.ignored, m.problems, m.subject) == ([], [], [], "你好")


def test_unnamed_octet_stream_workbook_is_recognised_by_content(xlsx):
    (a,) = parse_mail(mail_with(attached(None, xlsx))).attachments
    assert (a.filename, a.data) == ("未命名附件.xlsx", xlsx)


def test_a_name_without_extension_gets_the_one_its_content_shows(xlsx):
    assert [a.filename for a in parse_mail(mail_with(attached("统计表", xlsx))).attachments] == ["统计表.xlsx"]


def test_sniffing_tells_workbooks_from_other_office_files(xlsx):
    docx = gbk_zip({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<Types/>"}, utf8_flag=True)
    assert [sniff_extension(d) for d in (xlsx, OLE2_WORKBOOK, docx, b"%PDF", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")] \
        == [".xlsx", ".xls", ".zip", "", ""]


def test_an_unnamed_password_protected_workbook_is_kept_so_the_clerk_hears_why(xlsx):
    encrypted = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64 + "EncryptedPackage".encode("utf-16-le")
    assert sniff_extension(encrypted) == ".xlsx"


def test_several_workbooks_in_one_mail(xlsx):
    m = parse_mail(mail_with(attached("崇川区.xlsx", xlsx), attached("海门区.xls", OLE2_WORKBOOK)))
    assert [a.filename for a in m.attachments] == ["崇川区.xlsx", "海门区.xls"]


def test_zip_with_gbk_member_names_without_the_utf8_flag(xlsx):
    archive = gbk_zip({NAME: xlsx, "填报说明.txt": "说明".encode("gbk")})
    m = parse_mail(mail_with(attached("报表.zip", archive, "application/x-zip-compressed")))
    assert [(a.filename, a.via, a.data) for a in m.attachments] == [(NAME, "zip:报表.zip", xlsx)]


def test_zip_with_utf8_flagged_names_and_folders(xlsx):
    archive = gbk_zip({"2026年/" + NAME: xlsx}, utf8_flag=True)
    assert [a.filename for a in parse_mail(mail_with(attached("报表.zip", archive))).attachments] == [NAME]


def test_zip_with_windows_folder_separators_in_gbk_names(xlsx):
    archive = gbk_zip({"2026年报表\\" + NAME: xlsx})
    assert [a.filename for a in parse_mail(mail_with(attached("报表.zip", archive))).attachments] == [NAME]


def test_zip_with_too_many_members_is_refused(xlsx):
    archive = gbk_zip({f"{i}.xlsx": xlsx for i in range(zipped.MAX_MEMBERS + 1)}, utf8_flag=True)
    m = parse_mail(mail_with(attached("报表.zip", archive)))
    assert m.attachments == [] and m.problems == [("zip_too_big", {"archive": "报表.zip"})]


def test_zip_declaring_a_huge_member_is_refused_before_reading(xlsx, monkeypatch):
    monkeypatch.setattr(zipped, "MAX_TOTAL_BYTES", 10_000)
    archive = gbk_zip({"a.xlsx": b"\0" * 20_000}, utf8_flag=True)  # compresses to a few dozen bytes
    m = parse_mail(mail_with(attached("bomb.zip", archive)))
    assert m.attachments == [] and m.problems == [("zip_too_big", {"archive": "bomb.zip"})]


def test_broken_zip_is_a_problem_not_an_error():
    m = parse_mail(mail_with(attached("报表.zip", b"PK\x03\x04 broken")))
    assert m.attachments == [] and m.problems == [("zip_broken", {"archive": "报表.zip"})]


def test_rar_is_named_as_unreadable():
    m = parse_mail(mail_with(attached("报表.rar", b"Rar!\x1a\x07\x00")))
    assert m.ignored == ["报表.rar"] and m.problems == [("archive_unsupported", {"name": "报表.rar"})]


def test_outlook_winmail_dat_asks_for_another_format():
    m = parse_mail(mail_with(attached("winmail.dat", b"\x78\x9f\x3e\x22", "application/ms-tnef")))
    assert m.ignored == ["winmail.dat"] and m.problems == [("winmail", {})]


def test_forwarded_inline_message_attachment_is_found(xlsx):
    m = parse_mail(clients.forwarded(clients.foxmail(NAME, xlsx)))
    assert [(a.filename, a.via, a.data) for a in m.attachments] == [(NAME, "forwarded", xlsx)]
    assert m.subject == "转发: 统计表"


def test_forwarded_message_in_base64_is_found(xlsx):
    m = parse_mail(clients.forwarded(clients.outlook(NAME, xlsx), encode_inner=True))
    assert [(a.filename, a.via) for a in m.attachments] == [(NAME, "forwarded")]


def test_forwarded_as_eml_file_is_found(xlsx):
    m = parse_mail(clients.forwarded(clients.netease(NAME, xlsx), as_eml=True))
    assert [(a.filename, a.via) for a in m.attachments] == [(NAME, "forwarded")]


def test_forwarded_zip_is_unpacked(xlsx):
    inner = mail_with(attached("报表.zip", gbk_zip({NAME: xlsx})))
    assert [a.filename for a in parse_mail(clients.forwarded(inner)).attachments] == [NAME]


def test_truncated_mail_keeps_what_arrived(xlsx):
    raw = mail_with(attached("崇川区.xlsx", xlsx), attached("海门区.xlsx", xlsx))
    m = parse_mail(raw[: raw.rindex(b"--") - 40])
    assert [a.filename for a in m.attachments][:1] == ["崇川区.xlsx"]


@settings(max_examples=150, deadline=None)
@given(cut=st.integers(0, 4000), junk=st.binary(max_size=40), at=st.integers(0, 4000))
def test_malformed_mail_never_raises(cut, junk, at):
    raw = clients.forwarded(clients.outlook(NAME, b"PK\x03\x04"), encode_inner=at % 2 == 0)
    broken = raw[:at] + junk + raw[at:cut] if cut > at else raw[:cut] + junk
    m = parse_mail(broken)
    assert all(a.filename and isinstance(a.data, bytes) for a in m.attachments)


def test_a_mail_fed_to_the_parser_in_pieces_reads_as_one_parsed_whole(xlsx, monkeypatch):
    """The parser is fed a MB at a time (a big mail's peak memory); a CRLF or a boundary line split
    between two pieces must not change what is found."""
    from email import message_from_bytes, policy

    from nianbao.mail import headers

    raw = mail_with(attached("崇川区.xlsx", xlsx), attached("扫描件.pdf", b"%PDF" * 3000), attached("海门区.xlsx", xlsx))
    whole = message_from_bytes(raw, policy=policy.compat32)
    expected = [(p.get_filename(), p.get_payload(decode=True)) for p in whole.walk()]
    for piece in {raw.index(b"\r\n", 900) + 1, raw.index(b"\r\n--", 5000) + 3, 7}:
        monkeypatch.setattr(headers, "FEED_BYTES", piece)
        parsed = headers.message_from_raw(raw)
        assert [(p.get_filename(), p.get_payload(decode=True)) for p in parsed.walk()] == expected
        assert [a.filename for a in parse_mail(raw).attachments] == ["崇川区.xlsx", "海门区.xlsx"]
