"""Attachments and headers as Foxmail, QQ Mail, NetEase 163, Outlook and phone clients really send them."""

from __future__ import annotations

import base64
import io
import urllib.parse
import zipfile

import pytest

from nianbao.mail.headers import decode_header_value
from nianbao.mail.message import compose, parse_mail

DATA = b"PK\x03\x04" + b"fake-xlsx-bytes"


def b64word(raw: bytes, charset: str) -> str:
    return f"=?{charset}?B?{base64.b64encode(raw).decode()}?="


def mail(disposition: bytes, *, ctype: bytes = b"application/vnd.ms-excel", subject: bytes = b"report",
         body: bytes = DATA, extra_parts: bytes = b"") -> bytes:
    return (b"From: =?GBK?B?" + base64.b64encode("崇川区法制科".encode("gbk")) + b"?= <fzb@chongchuan.example.cn>\r\n"
            b"To: nianbao@sfj.nantong.example.cn\r\nSubject: " + subject + b"\r\n"
            b"Message-ID: <x1@client>\r\nDate: Mon, 18 Jan 2027 10:00:00 +0800\r\nMIME-Version: 1.0\r\n"
            b'Content-Type: multipart/mixed; boundary="BB"\r\n\r\n'
            b"--BB\r\nContent-Type: text/plain; charset=GBK\r\n\r\n" + "请查收".encode("gbk") + b"\r\n"
            b"--BB\r\nContent-Type: " + ctype + b"\r\nContent-Transfer-Encoding: base64\r\n" + disposition + b"\r\n\r\n"
            + base64.b64encode(body) + b"\r\n" + extra_parts + b"--BB--\r\n")


NAME = "南通市2026年度统计表(崇川区).xlsx"


def test_foxmail_gbk_encoded_word_filename_and_sender():
    m = parse_mail(mail(b'Content-Disposition: attachment; filename="' + b64word(NAME.encode("gbk"), "GBK").encode() + b'"'))
    assert [a.filename for a in m.attachments] == [NAME] and m.sender_name == "崇川区法制科"


def test_gb18030_encoded_word():
    name = "张喆的报表.xlsx"
    m = parse_mail(mail(b'Content-Disposition: attachment; filename="' + b64word(name.encode("gb18030"), "gb18030").encode() + b'"'))
    assert m.attachments[0].filename == name


def test_gb2312_label_on_gbk_only_characters_is_decoded_as_gb18030():
    name = "张喆镕的报表.xlsx"  # 喆 and 镕 are not in GB2312
    m = parse_mail(mail(b'Content-Disposition: attachment; filename="' + b64word(name.encode("gbk"), "gb2312").encode() + b'"'))
    assert m.attachments[0].filename == name


def test_a_name_split_over_two_words_in_the_middle_of_a_character():
    raw = NAME.encode("gbk")
    words = b64word(raw[:5], "GBK") + " " + b64word(raw[5:], "GBK")  # byte 5 splits a two-byte character
    m = parse_mail(mail(b'Content-Disposition: attachment; filename="' + words.encode() + b'"'))
    assert m.attachments[0].filename == NAME


def test_outlook_rfc2231_with_continuations():
    q = urllib.parse.quote(NAME.encode("utf-8"))
    disp = f"Content-Disposition: attachment;\r\n filename*0*=utf-8''{q[:30]};\r\n filename*1*={q[30:]}".encode()
    assert parse_mail(mail(disp)).attachments[0].filename == NAME


def test_rfc2231_in_gbk():
    q = urllib.parse.quote(NAME.encode("gbk"))
    assert parse_mail(mail(f"Content-Disposition: attachment; filename*=gbk''{q}".encode())).attachments[0].filename == NAME


@pytest.mark.parametrize("charset", ["gbk", "utf-8"])
def test_raw_8bit_header_bytes(charset):
    m = parse_mail(mail(b'Content-Disposition: attachment; filename="' + NAME.encode(charset) + b'"',
                        subject="报送材料".encode(charset)))
    assert m.attachments[0].filename == NAME and m.subject == "报送材料"


def test_name_only_in_content_type():
    m = parse_mail(mail(b"Content-Disposition: attachment",
                        ctype=b'application/octet-stream; name="' + b64word(NAME.encode("gbk"), "GBK").encode() + b'"'))
    assert m.attachments[0].filename == NAME


def test_placeholder_name_with_the_real_one_in_filename_star():
    q = urllib.parse.quote(NAME.encode("utf-8"))
    m = parse_mail(mail(f"Content-Disposition: attachment; filename=\"attachment.xlsx\"; filename*=utf-8''{q}".encode()))
    assert m.attachments[0].filename == NAME


def test_octet_stream_without_a_name_is_sniffed():
    m = parse_mail(mail(b"Content-Disposition: attachment", ctype=b"application/octet-stream"))
    assert m.attachments[0].filename.endswith(".xlsx")


def test_traditional_characters_survive():
    name = "崇川區統計報表.xlsx"
    m = parse_mail(mail(b'Content-Disposition: attachment; filename="' + b64word(name.encode("utf-8"), "UTF-8").encode() + b'"'))
    assert m.attachments[0].filename == name


def test_zip_with_gbk_member_names_without_the_utf8_flag():
    gbk = NAME.encode("gbk")
    placeholder = b"Q" * len(gbk)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(placeholder.decode(), DATA)
        zf.writestr("readme.txt", "说明")
    # How WinRAR/7-Zip on Chinese Windows store names: GBK bytes, no UTF-8 flag.
    archive = buf.getvalue().replace(placeholder, gbk)
    m = parse_mail(mail(b'Content-Disposition: attachment; filename="bao.zip"', ctype=b"application/zip",
                        body=archive))
    assert [a.filename for a in m.attachments] == [NAME] and m.attachments[0].via == "zip:bao.zip"


def test_forwarded_message_attachment_is_found():
    inner = mail(b'Content-Disposition: attachment; filename="' + b64word(NAME.encode("gbk"), "GBK").encode() + b'"')
    outer = (b"From: a@b.cn\r\nTo: c@d.cn\r\nSubject: Fwd\r\nMIME-Version: 1.0\r\n"
             b'Content-Type: multipart/mixed; boundary="OO"\r\n\r\n--OO\r\nContent-Type: text/plain\r\n\r\nfw\r\n'
             b"--OO\r\nContent-Type: message/rfc822\r\n\r\n" + inner + b"\r\n--OO--\r\n")
    m = parse_mail(outer)
    assert [(a.filename, a.via) for a in m.attachments] == [(NAME, "forwarded")]


def test_several_workbooks_and_other_files():
    extra = (b"--BB\r\nContent-Type: application/vnd.oasis.opendocument.spreadsheet\r\nContent-Transfer-Encoding: base64\r\n"
             b'Content-Disposition: attachment; filename="b.ods"\r\n\r\n' + base64.b64encode(b"PK\x03\x04ods") + b"\r\n"
             b"--BB\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
             b'Content-Disposition: attachment; filename="scan.pdf"\r\n\r\n' + base64.b64encode(b"%PDF") + b"\r\n")
    m = parse_mail(mail(b'Content-Disposition: attachment; filename="a.et"', extra_parts=extra))
    assert [a.filename for a in m.attachments] == ["a.et", "b.ods"] and m.ignored == ["scan.pdf"]


def test_a_mail_without_attachments_parses_to_none():
    raw = b"From: a@b.cn\r\nSubject: =?GBK?B?" + base64.b64encode("你好".encode("gbk")) + b"?=\r\n\r\nhello"
    m = parse_mail(raw)
    assert m.attachments == [] and m.subject == "你好"


def test_outgoing_chinese_attachment_names_survive_a_round_trip():
    msg = compose(sender=("南通市依法治市办", "nianbao@example.cn"), to=["a@b.cn"], subject="回执:已收到",
                  text="您好", attachments=[(NAME, DATA, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")])
    back = parse_mail(msg.as_bytes())
    assert back.attachments[0].filename == NAME and back.subject == "回执:已收到"
    assert b"filename*=" in msg.as_bytes() or b"=?utf-8?" in msg.as_bytes()


def test_header_decoding_of_mixed_plain_and_encoded_words():
    assert decode_header_value("Re: " + b64word("报表".encode("gbk"), "gbk")) == "Re: 报表"
