"""The answer to every mail: a receipt, a rejection with every error, or a note that it is held."""

from __future__ import annotations

import pendulum
from sqlalchemy.orm import Session

from nianbao.mail.message import ParsedMail, compose
from nianbao.mail.outbox import enqueue
from nianbao.resources import Resources
from nianbao.stages.submission import Outcome
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


def queue_reply(s: Session, res: Resources, parsed: ParsedMail, outcomes: list[Outcome], notes: list[str],
                *, key: str, now: pendulum.DateTime) -> None:
    cfg = res.config
    kind = reply_kind(outcomes)
    subject, body = render_mail(
        res.settings.templates_dir, "reply", city=cfg, kind=kind, outcomes=outcomes, notes=notes,
        figures=[key_figures(res, o) for o in outcomes], received=fmt_time(now),
        original_subject=parsed.subject,
    )
    to = [parsed.sender]
    cc = list(cfg.admin_emails) if kind == "held" else []
    msg = compose(sender=(cfg.sender_name, cfg.intake_address), to=to, cc=cc, subject=subject, text=body,
                  in_reply_to=parsed.message_id, date=now)
    enqueue(s, res.store, key=key, kind=kind, msg=msg, now=now)
