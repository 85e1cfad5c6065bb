"""Stage 2, intake: archive each raw mail, read its workbooks, store the results and queue the answer,
all in one transaction; only then is the mail marked processed in the mailbox.

A crash before the commit leaves the mail unprocessed (read again next time); a crash after the commit
but before marking finds the mail's keys already stored and only marks it. Two workers racing on the same
mail collide on the unique keys of inbound_message; the loser rolls back and stores nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pendulum
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from nianbao.db.models import Cycle, InboundMessage
from nianbao.db.session import unit_of_work
from nianbao.mail.message import ParsedMail, dedup_key, parse_mail
from nianbao.resources import Resources
from nianbao.stages.replies import queue_reply
from nianbao.stages.submission import Outcome, process_workbook


@dataclass
class MessageReport:
    source: str
    message_id: str | None
    sender: str
    subject: str
    status: str  # processed | duplicate
    attachments: list[Outcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # Chinese: ignored files, unreadable zips, …


@dataclass
class IntakeReport:
    messages: list[MessageReport] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for m in self.messages for a in m.attachments if a.status == status)


def received_time(parsed: ParsedMail, now: pendulum.DateTime) -> pendulum.DateTime:
    """The sender's Date header, unless missing or in the future (a clerk's clock may be wrong)."""
    if parsed.date is None or parsed.date > now:
        return now
    return parsed.date


def ingest_mail(res: Resources, data: bytes, source_key: str | None = None, attempts: int = 3) -> MessageReport:
    """Archive, parse, check, store and answer one raw mail. Safe to call again with the same bytes.

    A unique-key collision is either this very mail stored by another worker (a duplicate) or a race for
    the same unit's current workbook; the latter is retried, since the other worker's row is now visible."""
    for attempt in range(attempts):
        report = _ingest_once(res, data, source_key)
        if report.status != "collision":
            return report
    raise RuntimeError(f"mail {source_key} kept colliding with concurrent writes")


def _ingest_once(res: Resources, data: bytes, source_key: str | None) -> MessageReport:
    now = res.clock.now()
    sha, _ = res.store.put(data, ".eml")  # archived before anything is parsed
    parsed = parse_mail(data)
    dkey = dedup_key(parsed, data)
    report = MessageReport(source_key or sha[:12], parsed.message_id, parsed.sender, parsed.subject,
                           "processed", notes=list(parsed.problems) + [f"已忽略非报表附件:{n}" for n in parsed.ignored])
    try:
        with unit_of_work(res.db) as s:
            keys = [InboundMessage.dedup_key == dkey] + (
                [InboundMessage.source_key == source_key] if source_key else [])
            if s.scalar(select(InboundMessage.id).where(or_(*keys))) is not None:
                report.status = "duplicate"
                return report
            row = InboundMessage(source_key=source_key, dedup_key=dkey, message_id=parsed.message_id,
                                 sha256=sha, sender=parsed.sender, subject=parsed.subject, received_at=now)
            s.add(row)
            s.flush()  # a racing worker's identical insert fails here, before any other write
            default_year = s.scalar(select(Cycle.year).order_by(Cycle.year.desc()))
            when = received_time(parsed, now)
            for att in parsed.attachments:
                fsha, _ = res.store.put(att.data, durable=False)  # the archived raw mail holds it
                report.attachments.append(process_workbook(
                    s, res.config, res.hmac_key, data=att.data, filename=att.filename, sha256=fsha,
                    sender=parsed.sender, received_at=when, message_pk=row.id, default_year=default_year))
            row.summary = {"attachments": [(a.filename, a.status) for a in report.attachments]}
            if parsed.sender and parsed.sender.lower() != res.config.intake_address.lower():
                queue_reply(s, res, parsed, report.attachments, report.notes, key=f"reply/{sha}", now=now)
    except IntegrityError:
        with unit_of_work(res.db) as s:
            keys = [InboundMessage.dedup_key == dkey] + (
                [InboundMessage.source_key == source_key] if source_key else [])
            stored = s.scalar(select(InboundMessage.id).where(or_(*keys))) is not None
        report.status, report.attachments = ("duplicate" if stored else "collision"), []
    return report


def ingest_workbook_file(res: Resources, data: bytes, filename: str) -> Outcome:
    """An administrator hands in a workbook directly (`nianbao ingest file.xlsx`): trusted, no reply."""
    now = res.clock.now()
    sha, _ = res.store.put(data)
    with unit_of_work(res.db) as s:
        default_year = s.scalar(select(Cycle.year).order_by(Cycle.year.desc()))
        return process_workbook(s, res.config, res.hmac_key, data=data, filename=filename, sha256=sha,
                                sender=None, received_at=now, message_pk=None, default_year=default_year)


def poll_inbox(res: Resources, progress: Callable[[MessageReport], None] | None = None) -> IntakeReport:
    """Read every unprocessed mail once; mark each processed only after its results are committed."""
    report = IntakeReport()
    inbox = res.open_inbox()
    try:
        for raw in inbox.fetch():
            msg = ingest_mail(res, raw.data, raw.source_key)
            inbox.mark_processed(raw.source_key)
            report.messages.append(msg)
            if progress:
                progress(msg)
    finally:
        inbox.close()
    return report


def release_held(res: Resources, submission_id: int) -> Outcome:
    """The administrator vouches for a held workbook (e.g. a clerk's personal address): read it again
    from the archive as an administrator's own import, and mark the held row released."""
    from nianbao.db.models import Submission
    from nianbao.errors import NianbaoError

    with unit_of_work(res.db) as s:
        sub = s.get(Submission, submission_id)
        if sub is None or sub.status != "held":
            raise NianbaoError(f"报送编号 {submission_id} 不是待核实的报送")
        sub.status = "released"
        default_year = s.scalar(select(Cycle.year).order_by(Cycle.year.desc()))
        # Timeliness counts from when the unit sent it, not from when the administrator checked it.
        return process_workbook(s, res.config, res.hmac_key, data=res.store.get(sub.sha256), filename=sub.filename,
                                sha256=sub.sha256, sender=None, received_at=pendulum.instance(sub.received_at),
                                message_pk=sub.message_pk, default_year=default_year)
