"""Stage 3, remind: on a working day, queue the due reminder or overdue notice for every unit without an
accepted workbook, plus the administrator's digest. Each (unit, deadline, slot) is recorded with a
unique key in the same transaction as its queued mail, so a retried, repeated or late run never sends
it twice."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select

from nianbao import repo
from nianbao.db.models import InboundMessage, OutboxMessage, Reminder
from nianbao.db.session import unit_of_work
from nianbao.intake.replies import answerable
from nianbao.intake.conversation import conversation
from nianbao.intake.undelivered import reachable, returned_mail
from nianbao.mail.message import compose
from nianbao.mail.outbox import enqueue
from nianbao.plan import build_plan, due_slots
from nianbao.resources import Resources
from nianbao.stages.status import unit_states
from nianbao.completeness import reporting_rates, status_label
from nianbao.texts import fmt_day, fmt_time, render_mail
from nianbao.workdays import WorkCalendar


@dataclass
class PlannedMail:
    unit_code: str
    unit_name: str
    deadline: str
    slot: str
    kind: str  # reminder | overdue | digest
    recipients: list[str]
    deadline_name: str = ""


@dataclass
class RemindReport:
    year: int
    day: dt.date
    workday: bool
    mails: list[PlannedMail] = field(default_factory=list)
    dry_run: bool = False
    note: str = ""


def remind(res: Resources, year: int, *, dry_run: bool = False) -> RemindReport:
    cfg, now = res.config, res.clock.now()
    today = now.date()
    cal = WorkCalendar(cfg.calendar)
    plan = build_plan(cfg, year, cal)
    report = RemindReport(year, today, cal.is_workday(today), dry_run=dry_run)
    if not report.workday:
        report.note = cfg.text("remind_not_workday", day=fmt_day(today), kind=cal.day_kind(today))
        return report
    with unit_of_work(res.db) as s:
        cycle = repo.get_cycle(s, year)
        states = unit_states(s, cfg, cycle, plan)
        sent: dict[str, set[tuple[str, str]]] = {}
        sent_today: set[str] = set()
        for r in s.scalars(select(Reminder).where(Reminder.cycle_id == cycle.id)):
            sent.setdefault(r.unit_code, set()).add((r.deadline, r.slot))
            if r.created_at.in_timezone(cfg.timezone).date() == today:
                sent_today.add(r.unit_code)
        for st in states:
            if st.status in ("on_time", "late"):
                continue
            unit = cfg.unit(st.unit_code)
            for slot in due_slots(plan, today, sent.get(unit.code, set()), cal, unit.code in sent_today):
                deadline = plan.deadline(slot.deadline)
                # the contacts whose mail has not come back (else the leaders), leaders too when overdue
                to = list(dict.fromkeys(reachable(s, unit) + (list(unit.leaders) if slot.kind == "overdue" else [])))
                report.mails.append(PlannedMail(unit.code, unit.name, slot.deadline, slot.slot, slot.kind, to,
                                                deadline.name))
                if dry_run:
                    continue
                subject, body = render_mail(
                    res.settings.templates_dir, slot.kind, city=cfg, unit=unit, year=year, deadline=deadline,
                    due=fmt_day(deadline.effective), today=fmt_day(today),
                    days_left=cal.workdays_between(today, deadline.effective),
                    days_late=cal.workdays_between(deadline.effective, today),
                    last_status=status_label(st.status) if st.status in ("rejected", "held") else "",
                )
                msg = compose(sender=(cfg.sender_name, cfg.intake_address), to=to, subject=subject,
                              text=body, date=now, auto="auto-generated")
                row, _ = enqueue(s, res.store, key=f"{slot.kind}/{year}/{unit.code}/{slot.deadline}/{slot.slot}",
                                 kind=slot.kind, msg=msg, now=now)
                s.add(Reminder(cycle_id=cycle.id, unit_code=unit.code, deadline=slot.deadline, slot=slot.slot,
                               outbox_id=row.id, created_at=now))
        if today in plan.digest_days and cfg.admin_emails:
            report.mails.append(PlannedMail("", "管理员", "", today.isoformat(), "digest", list(cfg.admin_emails)))
            if not dry_run:
                rates = reporting_rates(states, set(repo.expected_codes(cfg, cycle)))
                rows = [{"name": st.name, "label": status_label(st.status), "received":
                         st.received_at.in_timezone(cfg.timezone).format("M月D日") if st.received_at else ""}
                        for st in states]
                failed = _failed_since_last_digest(s, cfg, cycle, year)
                automatic = _automatic_since_last_digest(s, cycle, year)
                undelivered = [r for r in returned_mail(s, cfg, cycle) if r.still_listed]
                last = _last_digest(s, year)
                replies = conversation(s, cfg, last or cycle.opened_at, after=last is not None)
                subject, body = render_mail(
                    res.settings.templates_dir, "digest", city=cfg, year=year, today=fmt_day(today), rates=rates,
                    rows=rows, warnings=plan.warnings, failed=failed, automatic=automatic,
                    undelivered=undelivered, replies=replies,
                    sent_reminders=sum(m.kind == "reminder" for m in report.mails),
                    sent_overdue=sum(m.kind == "overdue" for m in report.mails))
                msg = compose(sender=(cfg.sender_name, cfg.intake_address), to=list(cfg.admin_emails),
                              subject=subject, text=body, date=now, auto="auto-generated")
                enqueue(s, res.store, key=f"digest/{year}/{today.isoformat()}", kind="digest", msg=msg, now=now)
        if dry_run:
            s.rollback()
    return report


def _last_digest(s, year: int):
    """When the previous digest was written, or None."""
    return s.scalar(select(func.max(OutboxMessage.created_at)).where(OutboxMessage.key.like(f"digest/{year}/%")))


def _since_last_digest(s, cycle, year: int):
    """Mails recorded since the previous digest was written (or since the cycle opened): by when the
    intake recorded them, so a mail received before a digest but read after it is not lost."""
    last = _last_digest(s, year)
    return InboundMessage.processed_at > last if last else InboundMessage.processed_at >= cycle.opened_at


def _automatic_since_last_digest(s, cycle, year: int) -> dict[str, int]:
    """How many mails no person wrote arrived since the previous digest, by reason (archived, unanswered)."""
    return dict(s.execute(select(InboundMessage.automatic, func.count()).where(
        InboundMessage.automatic.is_not(None), _since_last_digest(s, cycle, year))
        .group_by(InboundMessage.automatic).order_by(InboundMessage.automatic)).tuples().all())


def _failed_since_last_digest(s, cfg, cycle, year: int) -> list[dict]:
    """The mails the intake gave up on since the previous digest (see ``_since_last_digest``)."""
    since = _since_last_digest(s, cycle, year)
    rows = s.scalars(select(InboundMessage).where(InboundMessage.status == "failed", since)
                     .order_by(InboundMessage.received_at))
    return [{"sender": m.sender, "subject": m.subject, "kind": m.summary.get("failure", ""),
             "received": fmt_time(m.received_at, cfg.timezone),
             "answered": answerable(cfg, m.sender, m.automatic)} for m in rows]
