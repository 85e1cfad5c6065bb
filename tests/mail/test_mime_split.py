"""The fast MIME splitter builds the very tree the standard parser builds, and steps aside (None) for
anything it does not handle, so the full parser decides those."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import Message

import pytest

from nianbao.mail.headers import normalize_8bit_headers
from nianbao.mail.message import compose
from nianbao.mail.mime_split import fast_message
from tests.mail import clients

DATA = b"PK\x03\x04" + bytes(range(256)) * 40
NAME = "南通市2026年度统计表(崇川区).xlsx"


def tree(m: Message) -> tuple:
    if m.is_multipart():
        return m.get_content_type(), m.items(), [tree(p) for p in m.get_payload()]
    return m.get_content_type(), m.items(), m.get_payload(), m.get_payload(decode=True)


def standard(raw: bytes) -> Message:
    return message_from_bytes(normalize_8bit_headers(raw), policy=policy.compat32)


SAMPLES = {
    "foxmail": lambda: clients.foxmail(NAME, DATA),
    "qq": lambda: clients.qq_mail(NAME, DATA),
    "netease": lambda: clients.netease(NAME, DATA),
    "outlook": lambda: clients.outlook(NAME, DATA),
    "phone": lambda: clients.phone_utf8(NAME, DATA),
    "raw_gbk": lambda: clients.raw_8bit(NAME, DATA, "gbk"),
    "eml_attachment": lambda: clients.forwarded(clients.foxmail(NAME, DATA), as_eml=True),
    "ours": lambda: compose(sender=("崇川区", "a@b.cn"), to=["x@y.cn"], subject="报表", text="见附件",
                            attachments=[(NAME, DATA, "application/octet-stream")]).as_bytes(),
    "text_only": lambda: compose(sender=("崇川区", "a@b.cn"), to=["x@y.cn"], subject="报表", text="正文").as_bytes(),
}


@pytest.mark.parametrize("client", sorted(SAMPLES))
def test_fast_tree_equals_the_standard_parsers(client):
    raw = SAMPLES[client]()
    fast = fast_message(normalize_8bit_headers(raw))
    assert fast is not None
    assert tree(fast) == tree(standard(raw))


def mixed(body: bytes) -> bytes:
    return (b"From: a@b.cn\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n" + body)


def test_body_line_starting_with_a_longer_boundary_is_not_a_delimiter():
    raw = mixed(b"preamble\r\n--XX\r\nContent-Type: text/plain\r\n\r\nline\r\n--XXY not a delimiter\r\n"
                b"--XX\r\nContent-Type: text/plain\r\n\r\nsecond\r\n--XX--\r\nepilogue\r\n")
    fast = fast_message(raw)
    assert fast is not None and tree(fast) == tree(standard(raw))
    assert fast.get_payload(0).get_payload() == "line\r\n--XXY not a delimiter"


@pytest.mark.parametrize("raw", [
    mixed(b"--XX\r\nContent-Type: text/plain\r\n\r\nno closing delimiter\r\n"),
    mixed(b"--XX\r\nContent-Type: message/rfc822\r\n\r\nFrom: c@d.cn\r\n\r\nforwarded\r\n--XX--\r\n"),
    mixed(b"--XX\r\nnot a header line\r\nstill body\r\n--XX--\r\n"),
    b"From: a@b.cn\r\nSubject: no blank line, no body",
    mixed(b"--XX\r\n\r\nFrom: c@d.cn\r\n\r\nforwarded\r\n--XX--\r\n").replace(b"multipart/mixed", b"multipart/digest"),
], ids=["unclosed", "message_rfc822", "no_header_block", "headers_only", "digest"])
def test_unusual_structure_is_left_to_the_standard_parser(raw):
    assert fast_message(raw) is None
