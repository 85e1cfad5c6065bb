"""The outbox: every outgoing mail is queued first, in the same transaction as the fact that caused it,
then sent. Keys make queueing idempotent; a claim (queued → sending) keeps two deliverers from sending
the same row; a failure leaves the row queued with exponential backoff.

Delivery is at least once: a message is marked sent only after the server accepted it, so a crash, or a
server that stores a message but answers after the timeout, means it is sent again later — with the
same Message-ID (derived from its key), which mail clients use to show one copy. A message that cannot
even be composed (a bug meeting odd input) is marked failed with its error and never blocks the rest;
a server that is down costs a run one timeout, not one per message, and a run stops at its time budget."""

from __future__ import annotations

import time
from collections.abc import Callable
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
from nianbao.mail.transport import ServerDown, Transport
from nianbao.store import BlobStore

STUCK_AFTER_MINUTES = 10  # a 'sending' row older than this belongs to a deliverer that died
MAX_BACKOFF_MINUTES = 6 * 60
_UPSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0  # tried and queued again
    broken: int = 0  # could not be composed: marked failed, kept with its error
    pending: int = 0  # still queued after this run
    stopped: str | None = None  # why the run stopped early (server down, time budget)


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


def _requeue(factory: sessionmaker, row: OutboxMessage, now: pendulum.DateTime, error: Exception) -> None:
    delay = min(2 ** row.attempts, MAX_BACKOFF_MINUTES)
    with unit_of_work(factory) as s:  # unless a deliverer took it over meanwhile
        s.execute(update(OutboxMessage).where(
            OutboxMessage.id == row.id, OutboxMessage.status == "sending", OutboxMessage.attempts == row.attempts,
        ).values(status="queued", last_error=str(error)[:2000], next_attempt_at=now.add(minutes=delay)))


def _finish(factory: sessionmaker, row: OutboxMessage, status: str, at: pendulum.DateTime,
            error: str | None = None) -> None:
    with unit_of_work(factory) as s:
        s.execute(update(OutboxMessage).where(OutboxMessage.id == row.id).values(
            status=status, sent_at=at if status == "sent" else None, last_error=error))


def deliver_pending(factory: sessionmaker, store: BlobStore, transport: Transport, clock: Clock, *,
                    limit: int | None = None, budget_s: float = 300,
                    progress: Callable[[int], None] | None = None) -> DeliveryReport:
    """Send what is due over one session, one short transaction per step: claim, send, then mark sent
    (or queued again with exponential backoff). A crash between sending and marking re-sends after
    STUCK_AFTER_MINUTES, with the same Message-ID. ``progress`` is called after each message."""
    report = DeliveryReport()
    seen: set[int] = set()
    started = time.monotonic()
    with transport.session() as session:
        while limit is None or report.sent + report.failed < limit:
            if time.monotonic() - started > budget_s:
                report.stopped = f"本次发送已用时超过 {budget_s:g} 秒，其余邮件留待下次发送"
                break
            now = clock.now()
            row = _claim(factory, now, seen)  # a row that failed in this run waits for the next one
            if row is None:
                break
            seen.add(row.id)
            try:
                data = message_bytes(row, store)
                from_addr = parseaddr(message_from_bytes(data, policy=compat32).get("From", ""))[1]
            except Exception as exc:  # noqa: BLE001 - a row that cannot be composed now never will be
                _finish(factory, row, "failed", now, f"{type(exc).__name__}: {exc}"[:2000])
                report.broken += 1
                continue
            try:
                session.send(data, from_addr, list(row.recipients))
            except ServerDown as exc:
                _requeue(factory, row, now, exc)
                report.failed += 1
                report.stopped = str(exc)
                break
            except MailError as exc:
                _requeue(factory, row, now, exc)
                report.failed += 1
                continue
            _finish(factory, row, "sent", clock.now())
            report.sent += 1
            if progress:
                progress(report.sent)
    with unit_of_work(factory) as s:
        report.pending = len(s.scalars(select(OutboxMessage.id).where(
            OutboxMessage.status.in_(("queued", "sending")))).all())
    return report
