"""The answer to every mail: a receipt, a rejection with every error, or a note that it is held."""

from __future__ import annotations

import pendulum

from nianbao.intake.prepare import PreparedMail
from nianbao.intake.store import Outcome
from nianbao.mail.message import ParsedMail
from nianbao.mail.outbox import text_row
from nianbao.resources import Resources
from nianbao.texts import fmt_time, render_mail


def key_figures(res: Resources, out: Outcome, n: int = 6) -> list[str]:
    """The first few figures of an accepted workbook, echoed back so the clerk can spot a typo."""
    if out.check is None:
        return []
    lines = []
    for ind in res.config.input_indicators(out.unit):
        if ind.code in out.check.values:
            v = out.check.values[ind.code]
            lines.append(f"{ind.name}:{v:g}{ind.unit}")
        elif ind.code in out.check.na:
            lines.append(f"{ind.name}:不涉及")
        if len(lines) >= n:
            break
    return lines


def reply_kind(outcomes: list[Outcome]) -> str:
    if not outcomes:
        return "no_attachment"
    if all(o.status == "accepted" for o in outcomes):
        return "receipt"
    if any(o.status == "rejected" for o in outcomes):
        return "rejection"
    return "held"


def reply_row(res: Resources, parsed: ParsedMail, outcomes: list[Outcome], notes: list[str],
              *, key: str, now: pendulum.DateTime) -> dict:
    """The outbox row answering one mail (see outbox.enqueue_many); composed when it is sent."""
    cfg = res.config
    kind = reply_kind(outcomes)
    subject, body = render_mail(
        res.settings.templates_dir, "reply", city=cfg, kind=kind, outcomes=outcomes, notes=notes,
        figures=[key_figures(res, o) for o in outcomes], received=fmt_time(now),
        original_subject=parsed.subject, max_mail_mb=res.settings.max_mail_mb,
    )
    cc = list(cfg.admin_emails) if kind == "held" else []
    return text_row(key=key, kind=kind, sender=(cfg.sender_name, cfg.intake_address), to=[parsed.sender], cc=cc,
                    subject=subject, body=body, in_reply_to=parsed.message_id, now=now)


def failure_row(res: Resources, mail: PreparedMail, *, key: str, now: pendulum.DateTime) -> dict:
    """The answer to a mail that could not be taken at all (too large, unreadable, not storable): the
    administrators are copied, since only they can look at what was kept."""
    cfg, p = res.config, mail.parsed
    subject, body = render_mail(
        res.settings.templates_dir, "reply", city=cfg, kind=mail.failure, outcomes=[], notes=[], figures=[],
        received=fmt_time(mail.received_at or now), original_subject=p.subject,
        max_mail_mb=res.settings.max_mail_mb)
    return text_row(key=key, kind="failure", sender=(cfg.sender_name, cfg.intake_address), to=[p.sender],
                    cc=list(cfg.admin_emails), subject=subject, body=body, in_reply_to=p.message_id, now=now)
