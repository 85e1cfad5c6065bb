"""The administrator's decisions: held workbooks released or sent back with a reason (the sender is
told), and the draft approved for the leaders or returned for changes. Each decision is recorded with
the name given and the time (`decision`). The CLI (`nianbao review`, `nianbao approve`) and the Prefect
flows (a form in the UI) call the same functions."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from nianbao import repo
from nianbao.db.models import Decision, Draft, InboundMessage, Submission, Value
from nianbao.db.session import unit_of_work
from nianbao.errors import NianbaoError
from nianbao.intake.conversation import Conversation, conversation
from nianbao.intake.release import held_submission, release_held
from nianbao.intake.replies import answerable, reply_row
from nianbao.intake.store import Outcome
from nianbao.mail.message import ParsedMail
from nianbao.mail.outbox import enqueue_many, text_row
from nianbao.resources import Resources
from nianbao.texts import fmt_time, render_mail

DOWNLOAD_SECONDS = 7 * 86400  # a held workbook's link in the UI: as long as a form waits, at most


@dataclass(frozen=True)
class Figure:
    name: str
    unit: str
    now: float | None  # None: 不涉及
    last: float | None | str  # "" when last year had no figure


@dataclass(frozen=True)
class Held:
    submission_id: int
    unit: str  # name, or the code the workbook claimed
    sender: str
    received: str
    filename: str
    reasons: tuple[str, ...]
    file: str | None  # where the archived mail (or workbook) is: a path, or a URL on a shared store
    warnings: tuple[str, ...] = ()
    figures: tuple[Figure, ...] = ()
    download: str | None = None  # a link a browser can fetch the original from (a presigned URL), if any


def _figures(s: Session, res: Resources, year: int, sub: Submission) -> tuple[Figure, ...]:
    """The held workbook's figures (stored with it) beside the unit's accepted ones of last year."""
    now = {v.indicator_code: (None if v.na else v.value)
           for v in s.scalars(select(Value).where(Value.submission_id == sub.id))}
    last = repo.values_by_unit(s, year - 1, [sub.unit_code]).get(sub.unit_code, {}) if sub.unit_code else {}
    return tuple(Figure(i.name, i.unit, now[i.code], last.get(i.code, ""))
                 for i in res.config.indicators if i.code in now)


def held_submissions(res: Resources, year: int) -> list[Held]:
    cfg = res.config
    out = []
    with unit_of_work(res.db) as s:
        cycle = repo.get_cycle(s, year)
        rows = s.execute(select(Submission, InboundMessage.sha256).outerjoin(
            InboundMessage, InboundMessage.id == Submission.message_pk).where(
            Submission.cycle_id == cycle.id, Submission.status == "held").order_by(Submission.received_at)).all()
        for sub, mail_sha in rows:
            unit = cfg.unit_or_none(sub.unit_code or "")
            digest, suffix = (mail_sha, ".eml") if mail_sha else (sub.sha256, "")
            there = res.store.exists(digest, suffix)
            out.append(Held(sub.id, unit.name if unit else (sub.unit_code or "未识别单位"), sub.sender or "管理员导入",
                            fmt_time(sub.received_at, cfg.timezone), sub.filename, tuple(sub.errors),
                            res.store.location(digest, suffix) if there else None, tuple(sub.warnings),
                            _figures(s, res, year, sub),
                            res.store.download_url(digest, suffix, DOWNLOAD_SECONDS) if there else None))
    return out


def replies(res: Resources, year: int) -> list[Conversation]:
    """Replies to the mails of ``year``'s cycle that carried no workbook (questions, a leader's 同意)."""
    with unit_of_work(res.db) as s:
        cycle = repo.get_cycle(s, year)
        return conversation(s, res.config, cycle.opened_at)


def _record(s: Session, res: Resources, cycle_id: int, subject: str, subject_id: int, choice: str, by: str,
            reason: str | None) -> None:
    by = by.strip()
    if not by:
        raise NianbaoError("请填写作出决定的人的姓名（记入审批记录）")
    s.add(Decision(cycle_id=cycle_id, subject=subject, subject_id=subject_id, choice=choice, by=by,
                   reason=reason or None, decided_at=res.clock.now()))


def release(res: Resources, submission_id: int, by: str = "管理员") -> Outcome:
    """The administrator vouches for a held workbook: it is read again and stored; the decision is
    recorded with the name given, and the sender gets the receipt (or what the checks found) at once,
    queued with the decision (the caller sends the outbox)."""
    if not by.strip():
        raise NianbaoError("请填写作出决定的人的姓名（记入审批记录）")
    out = release_held(res, submission_id)
    with unit_of_work(res.db) as s:
        sub = s.get(Submission, submission_id)
        _record(s, res, sub.cycle_id, "submission", submission_id, "release", by, None)
        mail = s.get(InboundMessage, sub.message_pk) if sub.message_pk else None
        if mail is not None and answerable(res.config, mail.sender or ""):
            asked = ParsedMail(message_id=mail.message_id, sender=mail.sender, sender_name="", subject=mail.subject,
                               date=None)
            notes = [res.config.text("released_note", by=by.strip())]
            enqueue_many(s, [reply_row(res, asked, [out], notes, key=f"released/{submission_id}",
                                       now=res.clock.now(), received=sub.received_at)])
    return out


def send_back(res: Resources, submission_id: int, reason: str, by: str = "管理员") -> None:
    """Reject a held workbook with the administrator's reason; its sender is told why."""
    cfg, now = res.config, res.clock.now()
    with unit_of_work(res.db) as s:
        sub = held_submission(s, submission_id)
        sub.status, sub.errors = "rejected", [*sub.errors, reason]
        _record(s, res, sub.cycle_id, "submission", submission_id, "send_back", by, reason)
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
        row.approved_at, row.approved_by, row.comment = res.clock.now(), by.strip(), comment or None
        _record(s, res, row.cycle_id, "draft", draft_id, "approve", by, comment)


def return_draft(res: Resources, draft_id: int, by: str, reason: str) -> None:
    """The administrator returns a draft for changes: it is not sent; the next draft (new data or text)
    asks again."""
    if not reason.strip():
        raise NianbaoError("退回修改须写明理由")
    with unit_of_work(res.db) as s:
        row = s.get(Draft, draft_id)
        row.comment = reason
        _record(s, res, row.cycle_id, "draft", draft_id, "return", by, reason)


def awaiting_decision(res: Resources, draft_id: int) -> bool:
    """Whether a draft still waits for an administrator: neither delivered, approved nor returned."""
    with unit_of_work(res.db) as s:
        row = s.get(Draft, draft_id)
        decided = s.scalar(select(Decision.id).where(Decision.subject == "draft", Decision.subject_id == draft_id))
        return not row.delivered and row.approved_at is None and decided is None
