"""Stage 2, intake: archive each raw mail, read it in the sandbox, store the results and queue the
answers, a batch of mails in one transaction; only then are the mails marked processed in the mailbox.

A failure belongs to its mail, never to the run. A mail the sandbox cannot read is answered as
unreadable; a batch that fails to store is stored again mail by mail, so the others go in; a mail that
still fails is retried by the next polls and, after `max_attempts`, answered, recorded as failed and
moved to the mailbox's failed folder. Only the database itself being unreachable stops the run.

A crash before the commit leaves the mails unprocessed (read again next time); a crash after the commit
but before marking finds the mails' keys already stored and only marks them. Two workers racing on the
same mail collide on the unique keys of inbound_message: the losing batch rolls back and its mails are
settled one at a time, each either found stored by the other worker (a duplicate) or stored now."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from collections import deque
from itertools import count

import pendulum
from sqlalchemy import insert, or_, select
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm import Session

from nianbao.db.models import InboundMessage, MailFailure
from nianbao.db.session import unit_of_work
from nianbao.errors import CannotWrite
from nianbao.intake.prepare import PreparedMail
from nianbao.intake.replies import answerable, failure_row, held_copied_today, hold_key, reply_row
from nianbao.intake.report import IntakeReport, MessageReport
from nianbao.intake.sandbox import Item
from nianbao.intake.store import Job, decide, kept_workbooks, known_contacts, write
from nianbao.intake.undelivered import record_bounce, resend_invitations, undelivered_note
from nianbao.intake.conversation import answered, record_reply
from nianbao.mail.inbox_types import RawMail
from nianbao.mail.outbox import enqueue_many
from nianbao.resources import Resources

log = logging.getLogger(__name__)
ARCHIVE_CHUNK = 16  # mails archived together (one round of fsyncs) before they are handed to the sandbox
ARCHIVE_BYTES = 8 * 1024 * 1024  # ... and about this many bytes of them
LINGER = 1.0  # seconds a read mail may wait for others to share its commit
QUIET = 0.1  # ... but no longer than this once no other mail is finishing
# The database is down or locked: the run's problem, not the mail's. Everything else a store step raises
# for one mail (a value the schema refuses, a bug meeting odd input) is that mail's.
DB_UNREACHABLE = (OperationalError, InterfaceError)
STOPS_THE_RUN = (*DB_UNREACHABLE, CannotWrite)  # the machine's problems, not one mail's: the mail stays unread


def ingest_mail(res: Resources, data: bytes, source_key: str | None = None,
                received_at: pendulum.DateTime | None = None) -> MessageReport:
    """Archive, read, check, store and answer one raw mail. Safe to call again with the same bytes."""
    raw = RawMail(source_key or "", data, received_at=received_at)
    (mail,) = res.sandbox().prepare_all(res.hmac_key, _archived(res, [raw]), res.settings.trust)
    now = res.clock.now()
    mail.received_at = raw.received_at or mail.received_at or now
    return commit(res, [mail], now)[0]


def _fetch_some(fetched: Iterator[RawMail]) -> list[RawMail]:
    """The next few mails, at most ARCHIVE_CHUNK and about ARCHIVE_BYTES."""
    out, size = [], 0
    for raw in fetched:
        out.append(raw)
        size += len(raw.data)
        if len(out) >= ARCHIVE_CHUNK or size >= ARCHIVE_BYTES:
            break
    return out


def _archived(res: Resources, raws: list[RawMail]) -> list[Item]:
    """The raw mails archived (durably) before anything parses them, as sandbox items."""
    shas = iter(res.store.put_many([r.data for r in raws if r.whole], ".eml"))
    return [(r.source_key or None, next(shas) if r.whole else "", r.data, r.whole) for r in raws]


def commit(res: Resources, mails: list[PreparedMail], now: pendulum.DateTime) -> list[MessageReport]:
    try:
        with unit_of_work(res.db) as s:
            return _store_mails(s, res, mails, now)
    except STOPS_THE_RUN:
        raise
    except Exception:  # noqa: BLE001 - a racing worker or one mail's bad data: settle each mail alone
        return [_settle(res, m, now) for m in mails]


def _settle(res: Resources, mail: PreparedMail, now: pendulum.DateTime, attempts: int = 3) -> MessageReport:
    """Store one mail alone. A collision is this very mail stored by another worker (then a duplicate)
    or a race for the same unit's current workbook, retried since the other worker's row is now
    visible; any other error is this mail's failure."""
    error: BaseException | None = None
    for _ in range(attempts):
        try:
            with unit_of_work(res.db) as s:
                return _store_mails(s, res, [mail], now)[0]
        except IntegrityError as exc:
            error = exc
        except STOPS_THE_RUN:
            raise
        except (DBAPIError, Exception) as exc:  # noqa: BLE001 - see the module's docstring
            error = exc
            break
    return _failed(res, mail, now, error)


def _failed(res: Resources, mail: PreparedMail, now: pendulum.DateTime, error: BaseException | None) -> MessageReport:
    """Count a failed attempt; at `max_attempts`, record the mail as failed and answer its sender."""
    detail = f"{type(error).__name__}: {error}"[:2000]
    log.warning("%s", res.config.text("log_mail_not_stored", mail=mail.source_key or mail.sha256[:12], detail=detail))
    with unit_of_work(res.db) as s:
        row = s.get(MailFailure, mail.dedup_key) or MailFailure(key=mail.dedup_key, attempts=0, first_at=now)
        row.attempts, row.last_error, row.last_at = row.attempts + 1, detail, now
        s.add(row)
        attempts = row.attempts
    if attempts < res.settings.intake_max_attempts:
        return _report(mail, "retry")
    mail.failure, mail.detail, mail.workbooks, mail.notes = "unstorable", detail, [], []
    try:  # the mail's own record and the answer to its sender, without what could not be stored
        with unit_of_work(res.db) as s:
            return _store_mails(s, res, [mail], now)[0]
    except STOPS_THE_RUN:
        raise
    except Exception:  # noqa: BLE001 - not even that: the mail is kept in the failed folder, unanswered
        log.exception("mail %s: even its failure could not be recorded", mail.source_key or mail.sha256[:12])
        return _report(mail, "failed")


def _report(m: PreparedMail, status: str) -> MessageReport:
    p = m.parsed
    return MessageReport(m.source_key or m.sha256[:12], p.message_id, p.sender, p.subject, status,
                         notes=list(m.notes), failure=m.failure, received_at=m.received_at, date_header=p.date,
                         automatic=m.kind.automatic)


def _store_mails(s: Session, res: Resources, mails: list[PreparedMail], now: pendulum.DateTime) -> list[MessageReport]:
    dkeys, skeys = _stored_keys(s, mails)
    reports, fresh = [], []
    for m in mails:
        report = _report(m, "failed" if m.failure else "processed")
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
    contacts = known_contacts(res.config) if any(m.kind.automatic for m, _ in fresh) else frozenset()
    jobs = [[Job(b, m.parsed.sender, m.received_at) for b in kept_workbooks(m, contacts)] for m, _ in fresh]
    decide(s, res.config, [j for js in jobs for j in js])
    # Matched back by dedup_key (unique), not by order: SQLite can return rows in parameter order only
    # by inserting them one statement each.
    stored = dict(s.execute(insert(InboundMessage).returning(InboundMessage.dedup_key, InboundMessage.id), [
        dict(source_key=m.source_key, dedup_key=m.dedup_key, message_id=m.parsed.message_id, sha256=m.sha256,
             sender=m.parsed.sender, subject=m.parsed.subject, received_at=m.received_at, processed_at=now,
             date_header=m.parsed.date, status="failed" if m.failure else "processed", automatic=m.kind.automatic,
             summary={"attachments": [(j.outcome.filename, j.outcome.status) for j in js],
                      **({"set_aside": [b.filename for b in m.workbooks]} if m.workbooks and not js else {}),
                      **({"failure": m.failure, "detail": m.detail} if m.failure else {})})
        for (m, _), js in zip(fresh, jobs)]).tuples().all())
    pks = [stored[m.dedup_key] for m, _ in fresh]
    for js, pk in zip(jobs, pks):
        for j in js:
            j.message_pk = pk
    write(s, res.config, [j for js in jobs for j in js])
    threads = answered(s, [m for m, _ in fresh])
    for (m, report), pk in zip(fresh, pks):
        if m.kind.bounce is not None:
            added = record_bounce(s, res.config, m.kind.bounce, pk, m.received_at)
            report.notes += [undelivered_note(res.config, r) for r in added]
            resend_invitations(s, res.config, res.store, added, now)
        if m.dedup_key in threads:
            report.conversation = threads[m.dedup_key].kind
            record_reply(s, res, m, pk, threads[m.dedup_key], m.received_at)
    replies = []
    held = any(j.outcome.status == "held" for js in jobs for j in js)
    copied = held_copied_today(s, res.config, now, pks) if held else set()
    for (m, report), js, pk in zip(fresh, jobs, pks):
        report.attachments, report.message_pk = [j.outcome for j in js], pk
        if not answerable(res.config, m.parsed.sender, m.kind.automatic) or report.conversation:
            continue
        holds = {hold_key(o, m.parsed.sender) for o in report.attachments if o.status == "held"}
        key = f"reply/{m.sha256 or m.dedup_key}"
        replies.append(failure_row(res, m, key=key, now=now) if m.failure else
                       reply_row(res, m.parsed, report.attachments, report.notes, key=key, now=now,
                                 received=m.received_at, copy_admins=bool(holds - copied)))
        copied |= holds
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


def poll_inbox(res: Resources, progress: Callable[[MessageReport], None] | None = None) -> IntakeReport:
    """Read every unprocessed mail once; store and answer each group of mails as soon as they are read,
    and mark each processed only after its results are committed.

    Mails are fetched and archived a few at a time and handed to the sandbox while earlier ones are
    read and stored, at most `intake_batch` mails and about `intake_batch_bytes` of them in flight. What
    has been read is committed as soon as no other mail finishes within `QUIET`, and at least every
    `LINGER` seconds, so a run stopped at any moment has answered nearly everything it read. When the run's wall-clock budget (`intake_run_seconds`) is
    spent, the mails still being read are stopped and left unprocessed for the next run."""
    report = IntakeReport()
    res.hmac_key  # noqa: B018 - no signing key, no intake: fail before any mail is touched
    box = res.sandbox()  # its processes start while the first mails are fetched and archived
    s = res.settings
    deadline = time.monotonic() + s.intake_run_seconds
    reading = box.reading(res.hmac_key, s.trust)
    inbox = res.open_inbox()
    raws: dict[int, RawMail] = {}
    fetched = iter(inbox.fetch())
    more, done, tags = True, [], count()
    waiting: deque[tuple[int, Item]] = deque()  # archived, not yet handed to the sandbox
    first_done = 0.0

    def settle(found: list[tuple[int, PreparedMail]]) -> None:
        now = res.clock.now()
        mails = []
        for n, m in found:
            m.received_at = raws[n].received_at or m.received_at or now
            mails.append(m)
        for (n, _), msg in zip(found, commit(res, mails, now)):
            raw = raws.pop(n)
            if msg.status == "failed":
                inbox.mark_failed(raw.source_key)
            elif msg.status != "retry":
                inbox.mark_processed(raw.source_key)
            report.messages.append(msg)
            if progress:
                progress(msg)

    try:
        while True:
            while time.monotonic() < deadline and len(reading) < s.intake_batch:
                if not waiting and more:
                    chunk = _fetch_some(fetched)
                    more = bool(chunk)
                    for raw, item in zip(chunk, _archived(res, chunk)):
                        n = next(tags)
                        raws[n] = raw
                        waiting.append((n, item))
                # A mail joins those being read only while their bytes stay within the bound (or alone):
                # two big mails are never parsed at once, each in a child of its own.
                if not waiting or (reading and reading.bytes + len(waiting[0][1][2]) > s.intake_batch_bytes):
                    break
                reading.add(*waiting.popleft())
            left = deadline - time.monotonic()
            if not reading or left <= 0:
                break
            found = reading.finished(timeout=min(left, QUIET if done else LINGER))
            if found and not done:
                first_done = time.monotonic()
            done += found
            if done and (not found or len(done) >= s.intake_batch or not reading
                         or time.monotonic() - first_done >= LINGER):
                settle(done)
                done = []
        if done:
            settle(done)
        if reading:  # the wall-clock budget is spent: what is still being read waits for the next run
            reading.cancel()
        report.left = len(raws)  # archived or being read, not finished
        report.out_of_time = bool(raws) or (more and next(fetched, None) is not None)
    finally:
        if reading:
            reading.cancel()
        inbox.close()
    if report.out_of_time:
        report.note = res.config.text("intake_out_of_time", minutes=f"{s.intake_run_seconds / 60:g}", left=report.left)
        log.warning("%s", report.note)
    return report
