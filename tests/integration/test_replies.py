"""Replies to nianbao's own mails are conversation: recorded against the mail they answer, shown to the
administrators, never answered "未找到报表附件"; a leader's edited draft is kept beside the draft."""

from __future__ import annotations

import dataclasses
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path

import pendulum
from sqlalchemy import select

from nianbao.db.models import OutboxMessage, Reply
from nianbao.db.session import unit_of_work
from nianbao.intake.run import poll_inbox
from nianbao.mail.outbox import deliver_pending
from nianbao.stages.draft import deliver_draft, make_draft
from nianbao.stages.remind import remind
from nianbao.stages.review import replies
from tests.factories import filled, mail_in, opened, sent_mails, unit_mail

YEAR = 2026
OPEN = pendulum.datetime(2027, 1, 4, 9, tz="Asia/Shanghai")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def reply_to(original, sender: str, text: str, attachment: tuple[str, bytes] | None = None, n: int = 1) -> bytes:
    """A person's answer from Foxmail: threaded on ``original``, its text quoted below the new words."""
    msg = EmailMessage()
    msg["From"], msg["To"] = sender, str(original["From"])
    msg["Subject"] = f"回复：{original['Subject']}"
    msg["Message-ID"] = f"<reply-{n}@example.cn>"
    msg["In-Reply-To"] = msg["References"] = str(original["Message-ID"])
    msg.set_content(f"{text}\n\n------------------ 原始邮件 ------------------\n发件人: 市依法治市办\n> 各单位：请于1月20日前填报。\n")
    if attachment:
        msg.add_attachment(attachment[1], maintype="application", subtype=DOCX.split("/")[1], filename=attachment[0])
    return msg.as_bytes(policy=policy.SMTP)


def mail_to(res, address: str, kind: str):
    with unit_of_work(res.db) as s:
        keys = {r.id_token for r in s.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind))}
    return next(m for m in sent_mails(res) if address in {parseaddr(a)[1] for a in m.get_all("To", [])}
                and str(m["Message-ID"])[1:33] in keys)


def reply_keys(res) -> list[str]:
    with unit_of_work(res.db) as s:
        return s.scalars(select(OutboxMessage.key).where(OutboxMessage.key.like("reply/%"))).all()


def test_a_clerks_question_in_reply_to_the_invitation_is_recorded_not_answered(settings, db_url):
    res = opened(settings, db_url, OPEN, YEAR)
    unit = res.config.reporting_units[0]
    mail_in(res, reply_to(mail_to(res, unit.contacts[0], "invitation"), unit.contacts[0], "请问第12项是否包含调解结案？"))
    report = poll_inbox(res)
    assert report.messages[0].conversation == "invitation"
    assert reply_keys(res) == []
    (row,) = replies(res, YEAR)
    assert (row.unit, row.sender, row.text) == (unit.name, unit.contacts[0], "请问第12项是否包含调解结案？")


def test_the_digest_shows_the_question(settings, db_url):
    res = opened(settings, db_url, OPEN, YEAR)
    unit = res.config.reporting_units[0]
    mail_in(res, reply_to(mail_to(res, unit.contacts[0], "invitation"), unit.contacts[0], "请问第12项是否包含调解结案？"))
    poll_inbox(res)
    res.clock.set(pendulum.datetime(2027, 1, 5, 9, tz="Asia/Shanghai"))
    remind(res, YEAR)
    with unit_of_work(res.db) as s:
        digest = s.scalar(select(OutboxMessage).where(OutboxMessage.kind == "digest"))
        raw = res.store.get(digest.sha256, ".eml")
    text = message_from_bytes(raw, policy=policy.default).get_body().get_content()
    assert "请问第12项是否包含调解结案？" in text and unit.contacts[0] in text


def test_a_mail_without_a_workbook_not_threaded_on_ours_is_still_told_so(settings, db_url):
    res = opened(settings, db_url, OPEN, YEAR)
    unit = res.config.reporting_units[0]
    stranger = EmailMessage()
    stranger["From"], stranger["Subject"], stranger["Message-ID"] = unit.contacts[0], "报表", "<x-1@example.cn>"
    stranger["In-Reply-To"] = "<not-ours@example.cn>"
    stranger.set_content("见附件")
    mail_in(res, stranger.as_bytes(policy=policy.SMTP))
    assert poll_inbox(res).messages[0].conversation is None
    assert len(reply_keys(res)) == 1


def test_a_leaders_edited_draft_is_kept_beside_the_draft_and_the_next_draft_mail_says_so(settings, db_url):
    res = opened(settings, db_url, OPEN, YEAR)
    report = res.config.report.model_copy(update={"pdf": False})
    res = res.with_(config=dataclasses.replace(res.config, report=report))
    first, second = res.config.reporting_units[:2]
    mail_in(res, unit_mail(res, first, YEAR, filled(res, first, YEAR), n=1))
    poll_inbox(res)
    deliver_draft(res, make_draft(res, YEAR))
    deliver_pending(res.db, res.store, res.transport, res.clock)
    leader = next(a for u in res.config.units if u.kind == "city" for a in u.leaders)
    draft_mail = mail_to(res, leader, "draft")
    mail_in(res, reply_to(draft_mail, leader, "同意，第二部分请按修改稿调整。", ("初稿-改.docx", b"PK\x03\x04edited")))
    assert poll_inbox(res).messages[0].conversation == "draft"
    assert len(reply_keys(res)) == 1  # the workbook's receipt only: the leader is not answered
    with unit_of_work(res.db) as s:
        (row,) = s.scalars(select(Reply)).all()
    (kept,) = row.files
    assert "领导修改稿" in Path(kept).name and Path(kept).read_bytes() == b"PK\x03\x04edited"
    mail_in(res, unit_mail(res, second, YEAR, filled(res, second, YEAR), n=2))
    poll_inbox(res)
    deliver_draft(res, make_draft(res, YEAR))
    with unit_of_work(res.db) as s:
        newest = s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "draft").order_by(OutboxMessage.id)).all()[-1]
        raw = res.store.get(newest.sha256, ".eml")
    body = message_from_bytes(raw, policy=policy.default).get_body(("plain",)).get_content()
    assert "已收到领导修改稿1份" in body and Path(kept).name in body and leader in body
