"""The intake against real servers: units' mail sent by SMTP lands in dovecot, the intake polls it over
IMAP, stores each once, moves it only after commit, answers through SMTP; an SMTP outage queues."""

from __future__ import annotations

import imaplib

import pendulum
import pytest

from nianbao.clock import FixedClock
from nianbao.mail.outbox import deliver_pending
from nianbao.mail.transport import SmtpTransport
from nianbao.resources import make_resources
from nianbao.intake.run import poll_inbox
from nianbao.stages.open_cycle import open_cycle
from tests.factories import filled, unit_mail

AT = pendulum.datetime(2027, 1, 5, 10, tz="Asia/Shanghai")


def clear(dovecot) -> None:
    c = imaplib.IMAP4("127.0.0.1", dovecot["port"])
    c.login(dovecot["user"], dovecot["password"])
    for folder in ("INBOX", "processed"):
        if c.select(folder)[0] == "OK" and c.search(None, "ALL")[1][0]:
            c.store("1:*", "+FLAGS.SILENT", r"(\Deleted)")
            c.expunge()
    c.logout()


@pytest.fixture
def res(settings, dovecot, smtp_server, db_url):
    clear(dovecot)
    smtp_server["handler"].received.clear()
    mail = {"inbound": {"backend": "imap", "host": "127.0.0.1", "port": dovecot["port"], "user": dovecot["user"],
                        "security": "none", "folder": "INBOX", "processed_folder": "processed"},
            "outbound": {"backend": "smtp", "host": "127.0.0.1", "port": smtp_server["port"], "security": "none",
                         "user": smtp_server["user"]}}
    env = {**settings.env, "NIANBAO_IMAP_PASSWORD": dovecot["password"],
           "NIANBAO_SMTP_PASSWORD": smtp_server["password"]}
    r = make_resources(settings.with_(mail=mail, env=env, database_url=db_url),
                       clock=FixedClock(AT), cached=False)
    open_cycle(r, 2026)
    return r


def send(res, raw: bytes, to: str) -> None:
    res.transport.send(raw, "unit@example.cn", [to])


def test_a_unit_mail_sent_by_smtp_is_stored_answered_and_moved(res, smtp_server):
    deliver_pending(res.db, res.store, res.transport, res.clock)  # the invitations go out over SMTP
    unit = res.config.reporting_units[0]
    smtp_server["handler"].received.clear()
    send(res, unit_mail(res, unit, 2026, filled(res, unit, 2026)), res.config.intake_address)
    report = poll_inbox(res)
    assert [a.status for m in report.messages for a in m.attachments] == ["accepted"]
    assert deliver_pending(res.db, res.store, res.transport, res.clock).sent == 1
    assert b"In-Reply-To" in smtp_server["handler"].received[-1]
    assert poll_inbox(res).messages == []  # moved to 'processed' after commit


def test_the_archived_bytes_are_exactly_what_the_server_holds(res):
    unit = res.config.reporting_units[0]
    raw = unit_mail(res, unit, 2026, filled(res, unit, 2026))
    send(res, raw, res.config.intake_address)
    inbox = res.open_inbox()
    (got,) = list(inbox.fetch())
    inbox.close()
    assert got.data.replace(b"\r\n", b"\n") == raw.replace(b"\r\n", b"\n")


def test_a_second_delivery_of_the_same_mail_stores_nothing_twice(res):
    unit = res.config.reporting_units[0]
    raw = unit_mail(res, unit, 2026, filled(res, unit, 2026))
    send(res, raw, res.config.intake_address)
    send(res, raw, res.config.intake_address)
    statuses = sorted(m.status for m in poll_inbox(res).messages)
    assert statuses == ["duplicate", "processed"]


def test_an_smtp_server_that_is_down_leaves_replies_queued_and_sends_them_once_later(res):
    unit = res.config.reporting_units[0]
    send(res, unit_mail(res, unit, 2026, filled(res, unit, 2026)), res.config.intake_address)
    poll_inbox(res)
    real = res.transport
    down = SmtpTransport("127.0.0.1", 1, "none", "x", "y", timeout=2)
    queued = deliver_pending(res.db, res.store, down, res.clock).pending
    report = deliver_pending(res.db, res.store, down, res.clock)
    assert report.sent == 0 and report.failed == 1 and report.stopped  # one try, then the run stops
    assert report.pending == queued
    now = deliver_pending(res.db, res.store, real, res.clock)
    assert now.sent == queued - 2 and now.pending == 2  # the two tried are backed off: not due yet
    res.clock.advance(hours=1)
    later = deliver_pending(res.db, res.store, real, res.clock)
    assert later.sent == 2 and later.pending == 0
    assert deliver_pending(res.db, res.store, real, res.clock).sent == 0
