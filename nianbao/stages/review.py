"""The administrator's decisions: held workbooks released or sent back with a reason (the sender is
told), and the draft approved for the leaders. The CLI (`nianbao review`, `nianbao approve`) and the
Prefect flows (a form in the UI) call the same functions."""

from __future__ import annotations

from dataclasses import dataclass
from sqlalchemy import select

from nianbao import repo
from nianbao.db.models import Draft, InboundMessage, Submission
from nianbao.db.session import unit_of_work
from nianbao.errors import NianbaoError
from nianbao.intake.conversation import Conversation, conversation
from nianbao.intake.release import held_submission, release_held
from nianbao.intake.store import Outcome
from nianbao.mail.outbox import enqueue_many, text_row
from nianbao.resources import Resources
from nianbao.texts import fmt_time, render_mail


@dataclass(frozen=True)
class Held:
    submission_id: int
    unit: str  # name, or the code the workbook claimed
    sender: str
    received: str
    filename: str
    reasons: tuple[str, ...]
    file: str | None  # where the archived mail (or workbook) is: a path, or a URL on a shared store


def held_submissions(res: Resources, year: int) -> list[Held]:
    cfg = res.config
    with unit_of_work(res.db) as s:
        cycle = repo.get_cycle(s, year)
        rows = s.execute(select(Submission, InboundMessage.sha256).outerjoin(
            InboundMessage, InboundMessage.id == Submission.message_pk).where(
            Submission.cycle_id == cycle.id, Submission.status == "held").order_by(Submission.received_at)).all()
    out = []
    for sub, mail_sha in rows:
        unit = cfg.unit_or_none(sub.unit_code or "")
        digest, suffix = (mail_sha, ".eml") if mail_sha else (sub.sha256, "")
        out.append(Held(sub.id, unit.name if unit else (sub.unit_code or "未识别单位"), sub.sender or "管理员导入",
                        fmt_time(sub.received_at, cfg.timezone), sub.filename, tuple(sub.errors),
                        res.store.location(digest, suffix) if res.store.exists(digest, suffix) else None))
    return out


def replies(res: Resources, year: int) -> list[Conversation]:
    """Replies to the mails of ``year``'s cycle that carried no workbook (questions, a leader's 同意)."""
    with unit_of_work(res.db) as s:
        cycle = repo.get_cycle(s, year)
        return conversation(s, res.config, cycle.opened_at)


def release(res: Resources, submission_id: int) -> Outcome:
    return release_held(res, submission_id)


def send_back(res: Resources, submission_id: int, reason: str, by: str = "管理员") -> None:
    """Reject a held workbook with the administrator's reason; its sender is told why."""
    cfg, now = res.config, res.clock.now()
    with unit_of_work(res.db) as s:
        sub = held_submission(s, submission_id)
        sub.status, sub.errors = "rejected", [*sub.errors, reason]
        mail = s.get(InboundMessage, sub.message_pk) if sub.message_pk else None
        if mail is None or not mail.sender:
            return
        unit = cfg.unit_or_none(sub.unit_code or "")
        subject, body = render_mail(res.settings.templates_dir, "sent_back", city=cfg, filename=sub.filename,
                                    unit=unit, reason=reason, received=fmt_time(sub.received_at, cfg.timezone),
                                    original_subject=mail.subject, by=by)
        enqueue_many(s, [text_row(key=f"sent-back/{sub.id}", kind="rejection", sender=(cfg.sender_name, cfg.intake_address),
                                  to=[mail.sender], cc=[], subject=subject, body=body, in_reply_to=mail.message_id,
                                  now=now)])


def latest_draft(res: Resources, year: int) -> Draft:
    with unit_of_work(res.db) as s:
        cycle = repo.get_cycle(s, year)
        row = s.scalar(select(Draft).where(Draft.cycle_id == cycle.id).order_by(Draft.id.desc()))
    if row is None:
        raise NianbaoError(f"{year}年度还没有报告初稿，请先运行 nianbao draft --year {year}")
    return row


def approve(res: Resources, draft_id: int, by: str, comment: str = "") -> None:
    with unit_of_work(res.db) as s:
        row = s.get(Draft, draft_id)
        row.approved_at, row.approved_by, row.comment = res.clock.now(), by, comment or None
