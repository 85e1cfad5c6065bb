"""Stage 2, intake: archive each raw mail, read its workbooks, store the results and queue the answers,
a batch of mails in one transaction; only then are the mails marked processed in the mailbox.

A crash before the commit leaves the mails unprocessed (read again next time); a crash after the commit
but before marking finds the mails' keys already stored and only marks them. Two workers racing on the
same mail collide on the unique keys of inbound_message: the losing batch rolls back and its mails are
settled one at a time, each either found stored by the other worker (a duplicate) or stored now.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

import pendulum
from sqlalchemy import insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from nianbao.collector import bulk_work
from nianbao.db.models import InboundMessage, Submission
from nianbao.db.session import unit_of_work
from nianbao.errors import IntakeConflictError, NianbaoError
from nianbao.mail.inbox_types import RawMail
from nianbao.mail.message import ParsedMail
from nianbao.mail.outbox import enqueue_many
from nianbao.resources import Resources
from nianbao.stages.archived import workbook_bytes
from nianbao.stages.prepare import PreparedMail
from nianbao.stages.preparing import InProcess, InWorkers, Pending, Preparer
from nianbao.stages.replies import reply_row
from nianbao.stages.submission import Job, Outcome, decide, process_workbook, write


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


def ingest_mail(res: Resources, data: bytes, source_key: str | None = None) -> MessageReport:
    """Archive, read, check, store and answer one raw mail. Safe to call again with the same bytes."""
    return ingest_batch(res, [(source_key, data)])[0]


def ingest_batch(res: Resources, raws: list[tuple[str | None, bytes]]) -> list[MessageReport]:
    """Archive, read, check, store and answer (mailbox key or None, raw bytes) pairs in one transaction."""
    now = res.clock.now()
    return _commit(res, InProcess(res.store, res.config, res.hmac_key).submit(raws).result(), now)


def _commit(res: Resources, mails: list[PreparedMail], now: pendulum.DateTime) -> list[MessageReport]:
    try:
        with unit_of_work(res.db) as s:
            return _store_mails(s, res, mails, now)
    except IntegrityError:
        return [_settle(res, m, now) for m in mails]


def _settle(res: Resources, mail: PreparedMail, now: pendulum.DateTime, attempts: int = 3) -> MessageReport:
    """Store one mail that collided with a concurrent writer. The collision is either this very mail
    stored by the other worker (a duplicate) or a race for the same unit's current workbook; the latter
    is retried, since the other worker's row is now visible."""
    for _ in range(attempts):
        try:
            with unit_of_work(res.db) as s:
                return _store_mails(s, res, [mail], now)[0]
        except IntegrityError:
            continue
    raise IntakeConflictError(f"邮件 {mail.source_key or mail.sha256[:12]} 多次与其他收件进程的写入冲突,已留待下次处理")


def _store_mails(s: Session, res: Resources, mails: list[PreparedMail], now: pendulum.DateTime) -> list[MessageReport]:
    dkeys, skeys = _stored_keys(s, mails)
    reports, fresh = [], []
    for m in mails:
        p = m.parsed
        report = MessageReport(m.source_key or m.sha256[:12], p.message_id, p.sender, p.subject, "processed",
                               notes=list(m.notes))
        reports.append(report)
        if m.dedup_key in dkeys or (m.source_key and m.source_key in skeys):
            report.status = "duplicate"
            continue
        dkeys.add(m.dedup_key)
        if m.source_key:
            skeys.add(m.source_key)
        fresh.append((m, report))
    if not fresh:
        return reports
    jobs = [[Job(b, m.parsed.sender, received_time(m.parsed, now)) for b in m.workbooks] for m, _ in fresh]
    decide(s, res.config, [j for js in jobs for j in js])
    pks = s.scalars(insert(InboundMessage).returning(InboundMessage.id, sort_by_parameter_order=True), [
        dict(source_key=m.source_key, dedup_key=m.dedup_key, message_id=m.parsed.message_id, sha256=m.sha256,
             sender=m.parsed.sender, subject=m.parsed.subject, received_at=now,
             summary={"attachments": [(j.outcome.filename, j.outcome.status) for j in js]})
        for (m, _), js in zip(fresh, jobs)]).all()
    for js, pk in zip(jobs, pks):
        for j in js:
            j.message_pk = pk
    write(s, [j for js in jobs for j in js])
    intake = res.config.intake_address.lower()
    replies = []
    for (m, report), js in zip(fresh, jobs):
        report.attachments = [j.outcome for j in js]
        if m.parsed.sender and m.parsed.sender.lower() != intake:
            replies.append(reply_row(res, m.parsed, report.attachments, report.notes, key=f"reply/{m.sha256}", now=now))
    enqueue_many(s, replies)
    return reports


def _stored_keys(s: Session, mails: list[PreparedMail]) -> tuple[set[str], set[str]]:
    """Dedup keys and mailbox keys of these mails already stored (by an earlier run or another worker)."""
    dkeys = [m.dedup_key for m in mails]
    skeys = [m.source_key for m in mails if m.source_key]
    cond = InboundMessage.dedup_key.in_(dkeys)
    if skeys:
        cond = or_(cond, InboundMessage.source_key.in_(skeys))
    found = s.execute(select(InboundMessage.dedup_key, InboundMessage.source_key).where(cond)).all()
    return {d for d, _ in found}, {k for _, k in found if k}


def ingest_workbook_file(res: Resources, data: bytes, filename: str) -> Outcome:
    """An administrator hands in a workbook directly (`nianbao ingest file.xlsx`): trusted, no reply."""
    now = res.clock.now()
    sha, _ = res.store.put(data)
    with unit_of_work(res.db) as s:
        return process_workbook(s, res.config, res.hmac_key, data=data, filename=filename, sha256=sha,
                                sender=None, received_at=now, message_pk=None)


def _batches(items: Iterable[RawMail], size: int) -> Iterator[list[RawMail]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def poll_inbox(res: Resources, progress: Callable[[MessageReport], None] | None = None) -> IntakeReport:
    """Read every unprocessed mail once; mark each processed only after its results are committed.

    Batch k+1 is being read (in worker processes, when the first batch is full) while batch k is
    stored, so a big inbox costs little more than reading its workbooks."""
    report = IntakeReport()
    inbox = res.open_inbox()
    size, processes = res.settings.intake_batch, res.settings.intake_processes
    preparer: Preparer | None = None
    pending: tuple[list[RawMail], Pending, pendulum.DateTime] | None = None

    def finish(raws: list[RawMail], prepared: Pending, now: pendulum.DateTime) -> None:
        for raw, msg in zip(raws, _commit(res, prepared.result(), now)):
            inbox.mark_processed(raw.source_key)
            report.messages.append(msg)
            if progress:
                progress(msg)

    with bulk_work():
        try:
            for raws in _batches(inbox.fetch(), size):
                if preparer is None:
                    args = (res.store, res.config, res.hmac_key)
                    preparer = (InWorkers(*args, processes) if len(raws) == size and processes > 1
                                else InProcess(*args))
                now = res.clock.now()
                job = (raws, preparer.submit([(r.source_key, r.data) for r in raws]), now)
                if pending:
                    finish(*pending)
                pending = job
            if pending:
                finish(*pending)
        finally:
            if preparer is not None:
                preparer.close()
            inbox.close()
    return report


def release_held(res: Resources, submission_id: int) -> Outcome:
    """The administrator vouches for a held workbook (e.g. a clerk's personal address): read it again
    from the archive as an administrator's own import, and mark the held row released."""
    with unit_of_work(res.db) as s:
        sub = s.get(Submission, submission_id)
        if sub is None or sub.status != "held":
            raise NianbaoError(f"报送编号 {submission_id} 不是待核实的报送")
        sub.status = "released"
        # Timeliness counts from when the unit sent it, not from when the administrator checked it.
        return process_workbook(s, res.config, res.hmac_key, data=workbook_bytes(s, res.store, sub), filename=sub.filename,
                                sha256=sub.sha256, sender=None, received_at=sub.received_at,
                                message_pk=sub.message_pk)
