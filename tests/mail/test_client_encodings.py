"""Attachment names, subjects and senders as Foxmail, QQ Mail, NetEase 163, Outlook, phones and old
clients really write them come out as correct Unicode."""

from __future__ import annotations

import urllib.parse

import pytest

from nianbao.mail.headers import decode_header_value
from nianbao.mail.message import parse_mail
from tests.mail import clients
from tests.mail.clients import bword

NAME = "南通市2026年度法治政府建设统计表(崇川区).xlsx"
GBK_ONLY = "张喆镕的统计表(崇川区).xlsx"  # 喆 and 镕 are in GBK but not in GB2312
TRADITIONAL = "崇川區法治政府建設統計報表.xlsx"


def names(raw: bytes) -> list[str]:
    return [a.filename for a in parse_mail(raw).attachments]


def test_foxmail_gbk_words_give_name_sender_and_subject(xlsx):
    m = parse_mail(clients.foxmail(NAME, xlsx))
    assert ([a.filename for a in m.attachments], m.sender_name, m.subject) == ([NAME], "崇川区司法局", "2026年度统计表")


def test_foxmail_attachment_bytes_are_the_workbook(xlsx):
    assert parse_mail(clients.foxmail(NAME, xlsx)).attachments[0].data == xlsx


def test_qq_mail_gb18030_words(xlsx):
    m = parse_mail(clients.qq_mail(NAME, xlsx))
    assert (names(clients.qq_mail(NAME, xlsx)), m.sender, m.sender_name) == ([NAME], "123456789@qq.com", "海门区司法局")


def test_qq_mail_four_byte_gb18030_character_in_sender_name(xlsx):
    name = "𠀀区司法局"  # outside the BMP: four bytes in GB18030
    assert parse_mail(clients.qq_mail(NAME, xlsx, sender_name=name)).sender_name == name


@pytest.mark.parametrize("split_at", [5, 7, 9])
def test_netease_name_split_over_folded_words_in_the_middle_of_characters(xlsx, split_at):
    assert names(clients.netease(NAME, xlsx, split_at=split_at)) == [NAME]


def test_netease_q_encoded_gbk_subject(xlsx):
    assert parse_mail(clients.netease(NAME, xlsx)).subject == "关于报送统计表"


def test_outlook_rfc2231_continuations_in_gb2312(xlsx):
    assert names(clients.outlook(NAME, xlsx)) == [NAME]


def test_outlook_gb2312_label_on_gbk_only_characters(xlsx):
    assert names(clients.outlook(GBK_ONLY, xlsx)) == [GBK_ONLY]


def test_gb2312_labelled_encoded_word_with_gbk_only_characters():
    assert decode_header_value(bword(GBK_ONLY.encode("gbk"), "gb2312")) == GBK_ONLY


def test_gbk_encoded_word_with_gbk_only_characters_in_foxmail(xlsx):
    assert names(clients.foxmail(GBK_ONLY, xlsx)) == [GBK_ONLY]


def test_phone_placeholder_name_loses_to_filename_star(xlsx):
    assert names(clients.phone_utf8(NAME, xlsx)) == [NAME]


def test_phone_cut_encoded_word_placeholder_loses_to_filename_star(xlsx):
    assert names(clients.phone_utf8(NAME, xlsx, placeholder="=?utf-8?Q?=E5=8D=97=E9=80=9A?=...")) == [NAME]


@pytest.mark.parametrize("charset", ["gbk", "gb18030", "utf-8"])
def test_raw_8bit_header_bytes(xlsx, charset):
    m = parse_mail(clients.raw_8bit(NAME, xlsx, charset))
    assert ([a.filename for a in m.attachments], m.subject, m.sender_name) == ([NAME], "报送材料", "海安市司法局")


@pytest.mark.parametrize("client", ["foxmail", "netease", "phone_utf8"])
def test_traditional_characters_survive(xlsx, client):
    if client == "netease":  # GBK holds traditional characters too
        raw = clients.netease(TRADITIONAL, xlsx)
    else:
        raw = getattr(clients, client)(TRADITIONAL, xlsx)
    assert names(raw) == [TRADITIONAL]


def test_rfc2231_in_gbk_without_continuations(xlsx):
    q = urllib.parse.quote(NAME.encode("gbk"))
    raw = clients.message([b"From: a@b.cn"], [clients.part(
        [b"Content-Type: application/octet-stream", f"Content-Disposition: attachment; filename*=gbk''{q}".encode()],
        xlsx)])
    assert names(raw) == [NAME]


def test_name_only_in_content_type(xlsx):
    raw = clients.message([b"From: a@b.cn"], [clients.part(
        [f'Content-Type: application/vnd.ms-excel; name="{bword(NAME, "GBK")}"'.encode(),
         b"Content-Disposition: attachment"], xlsx)])
    assert names(raw) == [NAME]


def test_windows_path_before_the_name_is_dropped(xlsx):
    word = bword("C:\\报表\\" + NAME, "GBK")
    raw = clients.message([b"From: a@b.cn"], [clients.part(
        [b"Content-Type: application/octet-stream", f'Content-Disposition: attachment; filename="{word}"'.encode()],
        xlsx)])
    assert names(raw) == [NAME]


def test_sender_name_holding_a_comma_keeps_the_address(xlsx):
    raw = clients.foxmail(NAME, xlsx, sender_name="崇川区司法局, 法制科")
    m = parse_mail(raw)
    assert (m.sender, m.sender_name) == ("fzk@chongchuan.example.cn", "崇川区司法局, 法制科")


def test_sender_address_is_lowercased():
    m = parse_mail(b"From: Unit <FZK@Example.CN>\r\nSubject: x\r\n\r\nhi")
    assert m.sender == "fzk@example.cn"


def test_the_senders_date_is_read_as_the_instant_it_names(xlsx):
    d = parse_mail(clients.foxmail(NAME, xlsx)).date
    assert d.in_timezone("Asia/Shanghai").hour == 10


def test_header_decoding_of_mixed_plain_and_encoded_words():
    assert decode_header_value("Re: " + bword("报表", "gbk")) == "Re: 报表"


def test_encoded_word_glued_to_plain_text():
    assert decode_header_value(bword("统计表", "gbk") + ".xlsx") == "统计表.xlsx"


def test_folded_plain_header_is_unfolded():
    assert decode_header_value("2026 annual\r\n report") == "2026 annual report"


def test_8bit_body_lines_starting_with_dashes_are_left_alone():
    from nianbao.mail.headers import normalize_8bit_headers

    body = "-- \r\n张三\r\n".encode("gbk")
    raw = (b'Subject: ' + "报表".encode("gbk") + b'\r\nContent-Type: multipart/mixed; boundary="XX"\r\n\r\n'
           b"--XX\r\nContent-Type: text/plain; charset=gbk\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + body
           + b"--XX--\r\n")
    assert body in normalize_8bit_headers(raw) and b"Subject: =?utf-8?" in normalize_8bit_headers(raw)
