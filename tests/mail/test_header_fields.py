"""Each header field is read on its own: a Date past year 9999, a charset named "undefined", a From of
deeply nested comments, or no Message-ID at all costs that field alone. The sender is answered both when
the mail is read whole and when only its header block is (a mail too large to read), and an answer to a
mail without a Message-ID quotes its subject and the time it was received."""

from __future__ import annotations

import os
import re
from email import policy
from email.parser import BytesHeaderParser

import pendulum
import pytest
from sqlalchemy import select

from nianbao.db.models import OutboxMessage
from nianbao.db.session import unit_of_work
from nianbao.intake.run import poll_inbox
from nianbao.mail.message import parse_headers
from nianbao.stages.open_cycle import open_cycle
from tests import hostile
from tests.factories import filled, mail_in, resources, unit_mail

AT = pendulum.datetime(2027, 1, 5, 10, tz="Asia/Shanghai")
YEAR = 2026
CONTACT = "clerk@unit.example.cn"
NESTED = "(" * 3000 + ")" * 3000


def with_field(raw: bytes, name: str, value: bytes | None) -> bytes:
    """``raw`` with field ``name`` (and its continuation lines) replaced by ``value``, or dropped."""
    head, sep, body = raw.partition(b"\r\n\r\n") if b"\r\n\r\n" in raw else raw.partition(b"\n\n")
    nl = b"\r\n" if sep == b"\r\n\r\n" else b"\n"
    head = re.sub(rb"(?im)^" + name.encode() + rb":.*(?:" + nl + rb"[ \t].*)*(?:" + nl + rb"|\Z)", b"", head + nl)
    return (name.encode() + b": " + value + nl if value is not None else b"") + head.rstrip(b"\r\n") + sep + body


BROKEN = {
    "date_past_9999": ("Date", b"Fri, 31 Dec 9999 23:59:59 -1400"),
    "charset_undefined": ("Subject", b"=?undefined?q?2026=E5=B9=B4=E6=8A=A5=E8=A1=A8?="),
    "nested_comments_in_from": ("From", NESTED.encode() + b" " + CONTACT.encode()),
    "no_message_id": ("Message-ID", None),
}


def head_of(raw: bytes):
    return parse_headers(BytesHeaderParser(policy=policy.compat32).parsebytes(raw))


@pytest.mark.parametrize("case", BROKEN)
def test_one_broken_field_leaves_the_others_readable(case):
    name, value = BROKEN[case]
    raw = (b"From: =?utf-8?b?5Yqe5YWs5a6k?= <" + CONTACT.encode() + b">\r\nSubject: report\r\n"
           b"Date: Tue, 05 Jan 2027 10:00:00 +0800\r\nMessage-ID: <m1@unit.example.cn>\r\n\r\nbody\r\n")
    parsed = head_of(with_field(raw, name, value))
    assert parsed.sender == CONTACT
    assert parsed.subject == ("2026年报表" if name == "Subject" else "report")
    assert (parsed.date is None) == (name == "Date")
    assert parsed.message_id == (None if name == "Message-ID" else "<m1@unit.example.cn>")


def test_a_from_hidden_behind_more_than_the_parsers_bound_is_still_found():
    raw = b"From: " + b"x" * 20000 + b" <" + CONTACT.encode() + b">\r\nSubject: s\r\n\r\n"
    assert head_of(raw).sender == CONTACT


@pytest.mark.parametrize("case", BROKEN)
def test_each_broken_field_alone_still_gets_the_sender_an_answer_whole_or_header_only(case, settings, db_url):
    mail = settings.mail.model_copy(update={"inbound": settings.mail.inbound.model_copy(update={"max_mail_mb": 1})})
    res = resources(settings.with_(mail=mail), db_url, AT)
    open_cycle(res, YEAR)
    unit = res.config.reporting_units[0]
    name, value = BROKEN[case]
    contact = unit.contacts[0]  # a registered contact
    value = value and value.replace(CONTACT.encode(), contact.encode())
    whole = with_field(unit_mail(res, unit, YEAR, filled(res, unit, YEAR), n=1), name, value)
    big = hostile.add_attachment(unit_mail(res, unit, YEAR, filled(res, unit, YEAR), n=2),
                                 "扫描件.pdf", os.urandom(2 * 1024 * 1024))
    for raw in (whole, with_field(big, name, value)):
        mail_in(res, raw)
    report = poll_inbox(res)
    assert sorted(m.failure or "" for m in report.messages) == ["", "too_large"]
    with unit_of_work(res.db) as s:
        replies = s.scalars(select(OutboxMessage).where(OutboxMessage.key.like("reply/%"))).all()
    assert [r.recipients[0] for r in replies] == [contact, contact]  # (administrators copied after it)
    for r in replies:
        quoted = "原邮件没有邮件编号" in r.body
        assert quoted == (case == "no_message_id")
        if quoted:
            assert "本系统收到时间2027年1月5日" in r.body and "报表”" in r.body
