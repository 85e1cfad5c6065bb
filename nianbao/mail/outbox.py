"""The outbox: every outgoing mail is queued first, in the same transaction as the fact that caused it,
then sent. Keys make queueing idempotent; a claim (queued → sending) keeps two deliverers from sending
the same row; a failure leaves the row queued with exponential backoff."""

from __future__ import annotations

from dataclasses import dataclass
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import compat32
from email.utils import getaddresses, parseaddr

import pendulum
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from nianbao.clock import Clock
from nianbao.db.models import OutboxMessage
from nianbao.db.session import unit_of_work
from nianbao.errors import MailError
from nianbao.mail.transport import Transport
from nianbao.store import BlobStore

STUCK_AFTER_MINUTES = 10  # a 'sending' row older than this belongs to a deliverer that died
MAX_BACKOFF_MINUTES = 6 * 60


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    pending: int = 0


def enqueue(session: Session, store: BlobStore, *, key: str, kind: str, msg: EmailMessage,
            now: pendulum.DateTime) -> tuple[OutboxMessage, bool]:
    """Queue ``msg`` under ``key``; queueing the same key again returns the existing row."""
    existing = session.scalar(select(OutboxMessage).where(OutboxMessage.key == key))
    if existing is not None:
        return existing, False
    data = msg.as_bytes()
    sha, _ = store.put(data, ".eml")
    recipients = [a for _, a in getaddresses(msg.get_all("To", []) + msg.get_all("Cc", [])) if a]
    row = OutboxMessage(key=key, kind=kind, recipients=recipients, subject=str(msg["Subject"]), sha256=sha,
                        status="queued", attempts=0, next_attempt_at=now, created_at=now)
    session.add(row)
    session.flush()
    return row, True


def _claim(factory: sessionmaker, now: pendulum.DateTime) -> OutboxMessage | None:
    """Take one due row for this deliverer; None when nothing is due."""
    stuck = now.subtract(minutes=STUCK_AFTER_MINUTES)
    with unit_of_work(factory) as s:
        candidates = s.scalars(select(OutboxMessage).where(or_(
            (OutboxMessage.status == "queued") & (OutboxMessage.next_attempt_at <= now),
            (OutboxMessage.status == "sending") & (OutboxMessage.next_attempt_at <= stuck),
        )).order_by(OutboxMessage.id).limit(20)).all()
        for row in candidates:
            got = s.execute(update(OutboxMessage).where(
                OutboxMessage.id == row.id, OutboxMessage.status == row.status,
                OutboxMessage.attempts == row.attempts,
            ).values(status="sending", next_attempt_at=now, attempts=row.attempts + 1))
            if got.rowcount == 1:
                s.refresh(row)
                return row
    return None


def deliver_pending(factory: sessionmaker, store: BlobStore, transport: Transport, clock: Clock, *,
                    limit: int | None = None) -> DeliveryReport:
    report = DeliveryReport()
    seen: set[int] = set()
    while limit is None or report.sent + report.failed < limit:
        now = clock.now()
        row = _claim(factory, now)
        if row is None or row.id in seen:
            break
        seen.add(row.id)
        data = store.get(row.sha256, ".eml")
        from_addr = parseaddr(message_from_bytes(data, policy=compat32).get("From", ""))[1]
        try:
            transport.send(data, from_addr, list(row.recipients))
        except MailError as exc:
            delay = min(2 ** row.attempts, MAX_BACKOFF_MINUTES)
            with unit_of_work(factory) as s:
                s.execute(update(OutboxMessage).where(OutboxMessage.id == row.id).values(
                    status="queued", last_error=str(exc)[:2000], next_attempt_at=now.add(minutes=delay)))
            report.failed += 1
            continue
        with unit_of_work(factory) as s:
            s.execute(update(OutboxMessage).where(OutboxMessage.id == row.id).values(
                status="sent", sent_at=clock.now(), last_error=None))
        report.sent += 1
    with unit_of_work(factory) as s:
        report.pending = len(s.scalars(select(OutboxMessage.id).where(OutboxMessage.status != "sent")).all())
    return report
