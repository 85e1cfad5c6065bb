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
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from nianbao.clock import Clock
from nianbao.db.models import OutboxMessage
from nianbao.db.session import unit_of_work
from nianbao.errors import MailError
from nianbao.mail.message import compose, message_id_for
from nianbao.mail.transport import Transport
from nianbao.store import BlobStore

STUCK_AFTER_MINUTES = 10  # a 'sending' row older than this belongs to a deliverer that died
MAX_BACKOFF_MINUTES = 6 * 60
_UPSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    pending: int = 0


def enqueue(session: Session, store: BlobStore, *, key: str, kind: str, msg: EmailMessage,
            now: pendulum.DateTime) -> tuple[OutboxMessage, bool]:
    """Queue ``msg`` under ``key`` in the caller's transaction; the same key again returns the existing
    row (also when another flow queues it at the same moment: the insert is ON CONFLICT DO NOTHING).

    The Message-ID becomes one derived from ``key``, so a re-sent mail is recognisably the same."""
    existing = session.scalar(select(OutboxMessage).where(OutboxMessage.key == key))
    if existing is not None:
        return existing, False
    domain = parseaddr(str(msg.get("From", "")))[1].rpartition("@")[2]
    del msg["Message-ID"]
    msg["Message-ID"] = message_id_for(key, domain)
    sha, _ = store.put(msg.as_bytes(), ".eml")
    addresses = [str(v) for v in msg.get_all("To", []) + msg.get_all("Cc", [])]
    values = dict(key=key, kind=kind, recipients=[a for _, a in getaddresses(addresses) if a],
                  subject=str(msg["Subject"]), sha256=sha, status="queued", attempts=0,
                  next_attempt_at=now, created_at=now)
    dialect = session.get_bind().dialect.name
    if dialect not in _UPSERT:
        row = OutboxMessage(**values)
        session.add(row)
        session.flush()
        return row, True
    inserted = session.execute(_UPSERT[dialect](OutboxMessage.__table__).values(**values)
                               .on_conflict_do_nothing(index_elements=["key"])
                               .returning(OutboxMessage.__table__.c.id)).first() is not None
    return session.scalar(select(OutboxMessage).where(OutboxMessage.key == key)), inserted


def text_row(*, key: str, kind: str, sender: tuple[str, str], to: list[str], cc: list[str], subject: str,
             body: str, in_reply_to: str | None, now: pendulum.DateTime) -> dict:
    """The outbox row of a text-only mail (a receipt, say), composed only when it is sent."""
    return dict(key=key, kind=kind, recipients=[*to, *cc], subject=subject, sha256=None, body=body,
                headers={"from": list(sender), "to": list(to), "cc": list(cc), "in_reply_to": in_reply_to,
                         "date": now.isoformat()},
                status="queued", attempts=0, next_attempt_at=now, created_at=now)


def enqueue_many(session: Session, rows: list[dict]) -> None:
    """Queue text-only mails (see `text_row`) in one statement; a key already queued is left alone."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    if dialect not in _UPSERT:
        taken = set(session.scalars(select(OutboxMessage.key).where(OutboxMessage.key.in_([r["key"] for r in rows]))))
        session.add_all(OutboxMessage(**r) for r in rows if r["key"] not in taken)
        return
    session.execute(_UPSERT[dialect](OutboxMessage.__table__).on_conflict_do_nothing(index_elements=["key"]), rows)


def message_bytes(row: OutboxMessage, store: BlobStore) -> bytes:
    """The mail exactly as it goes out; a text-only row is composed with the Message-ID of its key."""
    if row.sha256:
        return store.get(row.sha256, ".eml")
    h = row.headers or {}
    sender = (h["from"][0], h["from"][1])
    domain = sender[1].rpartition("@")[2]
    msg = compose(sender=sender, to=h["to"], cc=h["cc"], subject=row.subject, text=row.body or "",
                  in_reply_to=h.get("in_reply_to"), date=pendulum.parse(h["date"]),
                  message_id=message_id_for(row.key, domain))
    return msg.as_bytes()


def _claim(factory: sessionmaker, now: pendulum.DateTime, skip: set[int]) -> OutboxMessage | None:
    """Take one due row for this deliverer (queued → sending, checked by rowcount); None when nothing
    is due. A row left 'sending' longer than STUCK_AFTER_MINUTES belonged to a deliverer that died."""
    stuck = now.subtract(minutes=STUCK_AFTER_MINUTES)
    with unit_of_work(factory) as s:
        query = select(OutboxMessage).where(or_(
            (OutboxMessage.status == "queued") & (OutboxMessage.next_attempt_at <= now),
            (OutboxMessage.status == "sending") & (OutboxMessage.next_attempt_at <= stuck),
        ))
        if skip:
            query = query.where(OutboxMessage.id.not_in(skip))
        candidates = s.scalars(query.order_by(OutboxMessage.id).limit(20)).all()
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
    """Send what is due, one short transaction per step: claim, send, then mark sent (or queued again
    with exponential backoff). A crash between sending and marking re-sends after STUCK_AFTER_MINUTES,
    with the same Message-ID."""
    report = DeliveryReport()
    seen: set[int] = set()
    while limit is None or report.sent + report.failed < limit:
        now = clock.now()
        row = _claim(factory, now, seen)  # a row that failed in this run waits for the next one
        if row is None:
            break
        seen.add(row.id)
        data = message_bytes(row, store)
        from_addr = parseaddr(message_from_bytes(data, policy=compat32).get("From", ""))[1]
        try:
            transport.send(data, from_addr, list(row.recipients))
        except MailError as exc:
            delay = min(2 ** row.attempts, MAX_BACKOFF_MINUTES)
            with unit_of_work(factory) as s:  # unless a deliverer took it over meanwhile
                s.execute(update(OutboxMessage).where(
                    OutboxMessage.id == row.id, OutboxMessage.status == "sending",
                    OutboxMessage.attempts == row.attempts,
                ).values(status="queued", last_error=str(exc)[:2000], next_attempt_at=now.add(minutes=delay)))
            report.failed += 1
            continue
        with unit_of_work(factory) as s:
            s.execute(update(OutboxMessage).where(OutboxMessage.id == row.id).values(
                status="sent", sent_at=clock.now(), last_error=None))
        report.sent += 1
    with unit_of_work(factory) as s:
        report.pending = len(s.scalars(select(OutboxMessage.id).where(OutboxMessage.status != "sent")).all())
    return report
