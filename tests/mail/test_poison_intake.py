"""No mail can stop the intake: every poison found when the intake was attacked, mixed with good mail,
through a real Maildir and a real dovecot mailbox, on SQLite and PostgreSQL. Two runs: the first
answers every mail exactly once and leaves nothing behind, the second finds nothing to do."""

from __future__ import annotations

from email import message_from_bytes, policy

import pendulum
import pytest
from sqlalchemy import func, select

from nianbao.clock import FixedClock
from nianbao.db.models import InboundMessage, OutboxMessage, Submission
from nianbao.db.session import unit_of_work
from nianbao.intake.run import poll_inbox
from nianbao.resources import make_resources
from nianbao.stages.open_cycle import open_cycle
from nianbao.stages.send import send_outbox
from nianbao.workbook.fill import fill_workbook
from nianbao.workbook.template import build_template
from tests import hostile
from tests.factories import filled, mail_in, resources, unit_mail
from tests.mail.conftest import clear_imap, deliver

AT = pendulum.datetime(2027, 1, 5, 10, tz="Asia/Shanghai")
YEAR = 2026


def _mails(res) -> tuple[dict[str, bytes], list[str]]:
    units = list(res.config.reporting_units)
    good = {f"good_{u.code}": unit_mail(res, u, YEAR, filled(res, u, YEAR), n=1) for u in units[:3]}
    victim = units[3]
    poisons = hostile.poison_mails(res, victim, YEAR, filled(res, victim, YEAR))
    blank = build_template(res.config, victim, YEAR, {}, res.hmac_key)
    narrative = fill_workbook(blank, {}, narratives=[("F1", "highlight", "亮点_x0000_内容")])
    poisons["nul_in_narrative"] = unit_mail(res, victim, YEAR, narrative, n=99)
    return {**good, **poisons}, [u.code for u in units[:3]]


def _check(res, report, mails: dict[str, bytes], good_units: list[str]) -> None:
    assert len(report.messages) == len(mails)
    assert all(m.status in ("processed", "failed") for m in report.messages), \
        [(m.subject, m.status) for m in report.messages]
    with unit_of_work(res.db) as s:
        stored = s.scalar(select(func.count()).select_from(InboundMessage))
        replies = s.scalars(select(OutboxMessage.key).where(OutboxMessage.key.like("reply/%"))).all()
        accepted = set(s.scalars(select(Submission.unit_code).where(Submission.status == "accepted")))
    assert stored == len(mails)
    assert len(replies) == len(set(replies)) == len(mails)  # every mail answered exactly once
    assert set(good_units) <= accepted


@pytest.fixture
def maildir_res(settings, db_url):
    r = resources(settings, db_url, AT)
    open_cycle(r, YEAR)
    return r


def test_poison_mail_in_a_maildir_is_answered_once_and_never_stops_the_others(maildir_res):
    res = maildir_res
    mails, good_units = _mails(res)
    for raw in mails.values():
        mail_in(res, raw)
    _check(res, poll_inbox(res), mails, good_units)
    assert poll_inbox(res).messages == []  # nothing left to retry


@pytest.fixture
def imap_res(settings, dovecot, db_url):
    clear_imap(dovecot, "INBOX", "processed", "failed")
    mail = {"inbound": {"backend": "imap", "host": "127.0.0.1", "port": dovecot["port"], "user": dovecot["user"],
                        "security": "none", "folder": "INBOX", "processed_folder": "processed",
                        "failed_folder": "failed"},
            "outbound": {"backend": "folder", "path": "mail/outbox"}}
    env = {**settings.env, "NIANBAO_IMAP_PASSWORD": dovecot["password"]}
    r = make_resources(settings.with_(mail=mail, env=env, database_url=db_url), clock=FixedClock(AT), cached=False)
    open_cycle(r, YEAR)
    return r


def test_poison_mail_in_a_dovecot_mailbox_is_answered_once_and_never_stops_the_others(imap_res, dovecot):
    res = imap_res
    mails, good_units = _mails(res)
    for raw in mails.values():
        deliver(dovecot["maildir"], raw, dovecot["owner"])
    _check(res, poll_inbox(res), mails, good_units)
    assert poll_inbox(res).messages == []


def test_a_mail_too_large_to_read_is_answered_and_listed_in_the_administrators_digest(settings, db_url):
    import os

    from nianbao.stages.remind import remind

    mail = settings.mail.model_copy(update={"inbound": settings.mail.inbound.model_copy(update={"max_mail_mb": 1})})
    res = resources(settings.with_(mail=mail), db_url, AT)
    open_cycle(res, YEAR)
    unit = res.config.reporting_units[0]
    raw = hostile.add_attachment(unit_mail(res, unit, YEAR, filled(res, unit, YEAR)), "扫描件.pdf",
                                 os.urandom(2 * 1024 * 1024))
    mail_in(res, raw)
    (report,) = poll_inbox(res).messages
    assert report.failure == "too_large"
    assert any(m.kind == "digest" for m in remind(res, YEAR).mails)
    send_outbox(res)
    sent = [message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in (res.settings.data_dir / "mail" / "outbox").glob("*.eml")]
    (answer,) = [m for m in sent if "邮件过大" in m["Subject"]]
    assert unit.contacts[0] in answer["To"]
    (digest,) = [m for m in sent if "【日报】" in m["Subject"]]
    assert f"{unit.contacts[0]}" in digest.get_content()
    assert "邮件过大，未读取，已答复发件人并抄送管理员" in digest.get_content()
    res.clock.advance(days=1)  # the next working day's digest lists only what failed since
    remind(res, YEAR)
    send_outbox(res)
    digests = [m for m in (message_from_bytes(p.read_bytes(), policy=policy.default)
                           for p in (res.settings.data_dir / "mail" / "outbox").glob("*.eml"))
               if "【日报】" in m["Subject"]]
    assert len(digests) == 2 and sum("邮件过大，未读取" in d.get_content() for d in digests) == 1


def test_control_characters_and_overlong_text_are_dropped_and_the_clerk_is_told(maildir_res):
    from nianbao.workbook import layout as L

    res = maildir_res
    unit = res.config.reporting_units[0]
    book = filled(res, unit, YEAR, narratives=[("F1", "highlight", "亮点_x0007_内容"),
                                               ("F2", "problem", "问" * (L.MAX_NARRATIVE + 10))])
    mail_in(res, unit_mail(res, unit, YEAR, book))
    (msg,) = poll_inbox(res).messages
    assert msg.attachments[0].status == "accepted"
    (note,) = [n for n in msg.notes if "控制字符" in n]
    assert "2 处" in note
    with unit_of_work(res.db) as s:
        (reply,) = s.scalars(select(OutboxMessage.body).where(OutboxMessage.key.like("reply/%"))).all()
    assert note in reply
