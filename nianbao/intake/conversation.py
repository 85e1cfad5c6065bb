"""Replies to nianbao's own mails are conversation, not submissions: a mail threaded (In-Reply-To /
References) on a mail nianbao sent and carrying no spreadsheet — a leader's "同意" or edited draft, a
clerk's question — is recorded against the mail it answers and shown to the administrators (digest,
`nianbao review`), never answered "未找到报表附件". A .docx a leader attaches to a reply to the draft
mail is kept beside the draft as 领导修改稿, and the next draft's mail says it was received."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pendulum
from sqlalchemy import select
from sqlalchemy.orm import Session

from nianbao.cityconfig import CityConfig
from nianbao.db.models import Draft, InboundMessage, OutboxMessage, Reply
from nianbao.intake.prepare import PreparedMail
from nianbao.intake.undelivered import unit_of
from nianbao.mail.message import token_of
from nianbao.resources import Resources
from nianbao.texts import fmt_time


def answered(s: Session, mails: list[PreparedMail]) -> dict[str, OutboxMessage]:
    """dedup key → the mail of ours each candidate answers (its In-Reply-To first, then References)."""
    wanted = {m.dedup_key: [t for t in map(token_of, m.kind.replies_to) if t] for m in mails if is_candidate(m)}
    tokens = {t for ts in wanted.values() for t in ts}
    if not tokens:
        return {}
    rows = {r.id_token: r for r in s.scalars(select(OutboxMessage).where(OutboxMessage.id_token.in_(tokens)))}
    out = {}
    for key, ts in wanted.items():
        row = next((rows[t] for t in ts if t in rows), None)
        if row is not None:
            out[key] = row
    return out


def is_candidate(m: PreparedMail) -> bool:
    """A person's mail (not automatic, read whole) with no spreadsheet, threaded on some mail."""
    return not m.failure and not m.kind.automatic and not m.workbooks and bool(m.kind.replies_to)


def _keep_edits(s: Session, res: Resources, m: PreparedMail, row: OutboxMessage) -> list[str]:
    """A reply to the draft mail by one of its recipients: its .docx files kept beside that draft."""
    sender = m.parsed.sender
    if row.kind != "draft" or not m.docx or sender not in {a.lower() for a in row.recipients}:
        return []
    _, year, sha = (row.key.split("/") + ["", ""])[:3]
    draft = s.scalar(select(Draft).where(Draft.sha256 == sha).order_by(Draft.id.desc()))
    stem = Path(str(draft.paths.get("docx", ""))).stem if draft is not None else ""
    when = (m.received_at or res.clock.now()).in_timezone(res.config.timezone).format("YYYYMMDD-HHmm")
    kept = []
    for n, (name, data) in enumerate(m.docx, 1):
        who = re.sub(r"[^\w.-]", "_", sender.partition("@")[0])[:40]
        label = res.config.text("leader_edit_file", draft=stem or "报告初稿", who=who,
                                when=when + (f"-{n}" if len(m.docx) > 1 else ""))
        kept.append(str(res.outputs.write(f"{year}/draft/{label}.docx", data)))
    return kept


def record_reply(s: Session, res: Resources, m: PreparedMail, message_pk: int, row: OutboxMessage,
                 at: pendulum.DateTime) -> Reply:
    unit = unit_of(res.config, row, m.parsed.sender)
    reply = Reply(message_pk=message_pk, outbox_id=row.id, kind=row.kind, unit_code=unit.code if unit else None,
                  sender=m.parsed.sender, subject=m.parsed.subject, text=m.reply_text,
                  files=_keep_edits(s, res, m, row), received_at=at)
    s.add(reply)
    return reply


@dataclass(frozen=True)
class Conversation:
    reply_id: int
    unit: str
    sender: str
    answers: str  # the answered mail, in Chinese: its kind and subject
    text: str
    files: tuple[str, ...]
    received: str


def conversation(s: Session, config: CityConfig, since: pendulum.DateTime, kind: str | None = None,
                 year: int | None = None, after: bool = False) -> list[Conversation]:
    """Replies recorded by the intake since ``since`` (strictly ``after`` it, when asked; of one kind and
    one year's mails, when given), oldest first: by when they were recorded, so one received before a
    digest but read after it is not lost."""
    query = select(Reply, OutboxMessage.subject, OutboxMessage.key).join(
        OutboxMessage, OutboxMessage.id == Reply.outbox_id).join(
        InboundMessage, InboundMessage.id == Reply.message_pk).where(
        InboundMessage.processed_at > since if after else InboundMessage.processed_at >= since)
    if kind is not None:
        query = query.where(Reply.kind == kind)
    out = []
    for r, subject, key in s.execute(query.order_by(Reply.received_at, Reply.id)).all():
        if year is not None and key.split("/")[1:2] != [str(year)]:
            continue
        unit = config.unit_or_none(r.unit_code or "")
        out.append(Conversation(r.id, unit.name if unit else "", r.sender,
                                config.text("reply_answers", subject=subject), r.text, tuple(r.files),
                                fmt_time(r.received_at, config.timezone)))
    return out
