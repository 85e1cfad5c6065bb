"""Bounces understood: a delivery report for an invitation is matched to it by Message-ID, the unit and the
dead address are shown (status, digest), the next mail to the unit goes elsewhere, nothing is answered."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import Message
from email.utils import parseaddr

import pendulum
from sqlalchemy import select

from nianbao.db.models import OutboxMessage, Submission, Undelivered
from nianbao.db.session import unit_of_work
from nianbao.intake.run import poll_inbox
from nianbao.stages.remind import remind
from nianbao.stages.status import cycle_status
from tests.factories import mail_in, opened, sent_mails
from tests.mail.mailkinds import status_block

YEAR = 2026
OPEN = pendulum.datetime(2027, 1, 4, 9, tz="Asia/Shanghai")


def dsn(res, original: Message, address: str) -> bytes:
    """Postfix's RFC 3464 report for ``original`` not delivered to ``address``, with its headers."""
    b = "4B1C21A0F3.1767576662/mx.example.cn"
    head = "".join(f"{k}: {v}\n" for k, v in original.items())
    text = f"""Return-Path: <>
From: MAILER-DAEMON@mx.example.cn (Mail Delivery System)
To: {res.config.intake_address}
Subject: Undelivered Mail Returned to Sender
Date: Mon, 4 Jan 2027 09:31:02 +0800
Message-Id: <20270104013102.4B1C21A0F3@mx.example.cn>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="{b}"

--{b}
Content-Type: text/plain; charset=us-ascii

I'm sorry to have to inform you that your message could not be delivered.

--{b}
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.cn

{status_block(address)}
--{b}
Content-Type: text/rfc822-headers

{head}
--{b}--
"""
    return text.replace("\n", "\r\n").encode("utf-8")


def invitation_of(res, unit) -> Message:
    return next(m for m in sent_mails(res) if unit.contacts[0] in {parseaddr(a)[1] for a in m.get_all("To", [])}
                and m.is_multipart())


def test_a_dsn_for_an_invitation_lists_the_unit_as_invitation_undelivered(settings, db_url):
    res = opened(settings, db_url, OPEN, YEAR)
    unit = res.config.reporting_units[0]
    mail_in(res, dsn(res, invitation_of(res, unit), unit.contacts[0]))
    report = poll_inbox(res)
    assert report.messages[0].automatic == "report" and unit.name in report.messages[0].notes[0]
    status = cycle_status(res, YEAR)
    row = next(r for r in status.rows() if r["code"] == unit.code)
    assert row["label"].endswith("（邀请未送达）")
    assert [(r["code"], r["kind"], r["address"], r["status"]) for r in status.returned_rows()] == \
        [(unit.code, "invitation", unit.contacts[0], "5.1.1")]
    with unit_of_work(res.db) as s:
        assert s.scalars(select(Submission.id)).all() == []
        assert s.scalars(select(OutboxMessage.key).where(OutboxMessage.key.like("reply/%"))).all() == []


def test_a_bounce_naming_an_address_the_mail_was_not_sent_to_records_nothing(settings, db_url):
    res = opened(settings, db_url, OPEN, YEAR)
    first, second = res.config.reporting_units[:2]
    mail_in(res, dsn(res, invitation_of(res, first), second.contacts[0]))
    poll_inbox(res)
    with unit_of_work(res.db) as s:
        assert s.scalars(select(Undelivered.id)).all() == []
    assert cycle_status(res, YEAR).returned == []


def test_the_same_bounce_twice_is_recorded_once(settings, db_url):
    res = opened(settings, db_url, OPEN, YEAR)
    unit = res.config.reporting_units[0]
    raw = dsn(res, invitation_of(res, unit), unit.contacts[0])
    mail_in(res, raw)
    mail_in(res, raw.replace(b"<20270104013102.4B1C21A0F3@", b"<20270104013102.again@"))
    poll_inbox(res)
    with unit_of_work(res.db) as s:
        assert len(s.scalars(select(Undelivered.id)).all()) == 1


def test_after_a_bounce_the_reminder_goes_to_the_units_leaders_and_the_digest_asks_for_a_fix(settings, db_url):
    res = opened(settings, db_url, OPEN, YEAR)
    unit = next(u for u in res.config.reporting_units if len(u.contacts) == 1 and u.leaders)
    mail_in(res, dsn(res, invitation_of(res, unit), unit.contacts[0]))
    poll_inbox(res)
    res.clock.set(pendulum.datetime(2027, 1, 29, 9, tz="Asia/Shanghai"))  # a reminder day and a digest day
    report = remind(res, YEAR)
    reminder = next(m for m in report.mails if m.unit_code == unit.code)
    assert reminder.recipients == list(unit.leaders)
    with unit_of_work(res.db) as s:
        digest = s.scalar(select(OutboxMessage).where(OutboxMessage.kind == "digest"))
        body = res.store.get(digest.sha256, ".eml")
    text = message_from_bytes(body, policy=policy.default).get_body().get_content()
    assert unit.contacts[0] in text and "config/units.yaml" in text and unit.name in text


def test_a_returned_invitation_goes_again_with_its_workbook_to_the_units_leaders_once(settings, db_url):
    res = opened(settings, db_url, OPEN, YEAR)
    unit = next(u for u in res.config.reporting_units if len(u.contacts) == 1 and u.leaders)
    raw = dsn(res, invitation_of(res, unit), unit.contacts[0])
    mail_in(res, raw)
    poll_inbox(res)
    mail_in(res, raw.replace(b"<20270104013102.4B1C21A0F3@", b"<20270104013102.again@"))
    poll_inbox(res)
    with unit_of_work(res.db) as s:
        again = s.scalars(select(OutboxMessage).where(OutboxMessage.key.like(f"invitation/{YEAR}/{unit.code}/again/%"))).all()
    (row,) = again
    assert row.recipients == list(unit.leaders)
    sent = message_from_bytes(res.store.get(row.sha256, ".eml"), policy=policy.default)
    assert [p.get_filename() for p in sent.iter_attachments()] == \
        [p.get_filename() for p in invitation_of(res, unit).iter_attachments()]
