"""The answer to every mail: a receipt, a rejection with every error, or a note that it is held."""

from __future__ import annotations

import pendulum
from sqlalchemy import select
from sqlalchemy.orm import Session

from nianbao.cityconfig import CityConfig
from nianbao.db.models import InboundMessage, Submission
from nianbao.intake.prepare import PreparedMail
from nianbao.intake.store import Outcome
from nianbao.mail.message import ParsedMail
from nianbao.mail.outbox import text_row
from nianbao.resources import Resources
from nianbao.texts import fmt_time, render_mail


def answerable(config: CityConfig, sender: str, automatic: str | None = None) -> bool:
    """Whether a mail's sender gets an answer: never nobody, never the intake mailbox itself, and never
    a mail no person wrote (RFC 3834: auto-replies, delivery reports, list mail, our own mail come back),
    which would start a loop or a flood."""
    return bool(sender) and sender.lower() != config.intake_address.lower() and not automatic


def hold_key(outcome: Outcome, sender: str) -> str:
    """Whom a hold is about: its unit, or for a workbook of no known unit its sender."""
    return outcome.unit.code if outcome.unit is not None else f"from:{sender}"


def held_copied_today(s: Session, config: CityConfig, now: pendulum.DateTime, batch: list[int]) -> set[str]:
    """The holds (``hold_key``) the administrators were already copied on today (the city's day) by mails
    stored before this batch: they are copied once a unit a day, however often a clerk sends."""
    start = now.in_timezone(config.timezone).start_of("day")
    rows = s.execute(select(Submission.unit_code, Submission.sender).join(
        InboundMessage, InboundMessage.id == Submission.message_pk).where(
        Submission.status.in_(("held", "released")), InboundMessage.processed_at >= start,
        Submission.message_pk.not_in(batch))).all()
    return {code or f"from:{sender}" for code, sender in rows}


def key_figures(res: Resources, out: Outcome, n: int = 6) -> list[tuple[str, float | None, str]]:
    """(name, value or None for 不涉及, unit) of the first few figures of an accepted workbook, echoed
    back so the clerk can spot a typo."""
    if out.check is None:
        return []
    rows = []
    for ind in res.config.input_indicators(out.unit):
        if ind.code in out.check.values:
            rows.append((ind.name, out.check.values[ind.code], ind.unit))
        elif ind.code in out.check.na:
            rows.append((ind.name, None, ind.unit))
        if len(rows) >= n:
            break
    return rows


def reply_kind(outcomes: list[Outcome]) -> str:
    """The mail's subject line: the worst fate among its workbooks decides."""
    statuses = {o.status for o in outcomes}
    if not outcomes:
        return "no_attachment"
    for status, kind in (("rejected", "rejection"), ("held", "held"), ("accepted", "receipt"),
                         ("unchanged", "unchanged")):
        if status in statuses:
            return kind
    return "superseded"


def reply_row(res: Resources, parsed: ParsedMail, outcomes: list[Outcome], notes: list[str],
              *, key: str, now: pendulum.DateTime, received: pendulum.DateTime | None = None,
              copy_admins: bool = True) -> dict:
    """The outbox row answering one mail (see outbox.enqueue_many); composed when it is sent. The
    administrators are copied on a hold unless ``copy_admins`` is False (already copied today)."""
    cfg = res.config
    kind = reply_kind(outcomes)
    subject, body = render_mail(
        res.settings.templates_dir, "reply", city=cfg, kind=kind, outcomes=outcomes, notes=notes,
        figures=[key_figures(res, o) for o in outcomes], received=fmt_time(received or now, cfg.timezone),
        original_subject=parsed.subject, max_mail_mb=res.settings.max_mail_mb, quote_original=not parsed.message_id,
    )
    cc = list(cfg.admin_emails) if kind == "held" and copy_admins else []
    return text_row(key=key, kind=kind, sender=(cfg.sender_name, cfg.intake_address), to=[parsed.sender], cc=cc,
                    subject=subject, body=body, in_reply_to=parsed.message_id, now=now)


def failure_row(res: Resources, mail: PreparedMail, *, key: str, now: pendulum.DateTime) -> dict:
    """The answer to a mail that could not be taken at all (too large, unreadable, not storable): the
    administrators are copied, since only they can look at what was kept."""
    cfg, p = res.config, mail.parsed
    subject, body = render_mail(
        res.settings.templates_dir, "reply", city=cfg, kind=mail.failure, outcomes=[], notes=[], figures=[],
        received=fmt_time(mail.received_at or now, cfg.timezone), original_subject=p.subject,
        max_mail_mb=res.settings.max_mail_mb, quote_original=not p.message_id)
    return text_row(key=key, kind="failure", sender=(cfg.sender_name, cfg.intake_address), to=[p.sender],
                    cc=list(cfg.admin_emails), subject=subject, body=body, in_reply_to=p.message_id, now=now)
