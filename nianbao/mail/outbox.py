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
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses, parseaddr

import pendulum
from sqlalchemy import bindparam, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from nianbao.clock import Clock
from nianbao.db.models import OutboxMessage
from nianbao.db.session import transaction, unit_of_work
from nianbao.errors import MailError
from nianbao.mail.message import compose, message_id_for
from nianbao.mail.transport import ServerDown, Transport
from nianbao.store import BlobStore

STUCK_AFTER_MINUTES = 10  # a 'sending' row older than this belongs to a deliverer that died
CLAIM_BATCH = 20  # rows claimed in one transaction
MAX_BACKOFF_MINUTES = 6 * 60
_UPSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
_TABLE = OutboxMessage.__table__


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0  # tried and queued again
    broken: int = 0  # could not be composed: marked failed, kept with its error
    pending: int = 0  # still queued after this run
    stopped: str | None = None  # why the run stopped early (server down, time budget)


@dataclass(frozen=True)
class Stuck:
    """Mail tried and still not delivered long after it was queued: the administrator must hear of it."""
    count: int
    subject: str  # the oldest one's
    since: pendulum.DateTime
    error: str


def stuck(factory: sessionmaker, now: pendulum.DateTime, minutes: float) -> Stuck | None:
    """The outbox's undelivered mail queued more than ``minutes`` ago, if any of it was tried and failed
    (mail not yet tried is not stuck: no run has sent since)."""
    with unit_of_work(factory) as s:
        rows = s.execute(select(OutboxMessage.subject, OutboxMessage.created_at, OutboxMessage.last_error,
                                OutboxMessage.attempts).where(
            OutboxMessage.status.in_(("queued", "sending")),
            OutboxMessage.created_at <= now.subtract(seconds=int(minutes * 60))).order_by(OutboxMessage.id)).all()
    tried = [r for r in rows if r.attempts > 0]
    if not tried:
        return None
    return Stuck(len(rows), rows[0].subject, rows[0].created_at, tried[-1].last_error or "")


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


def envelope_sender(data: bytes) -> str:
    """The From address, from the header block alone (the parser would otherwise decode every attachment)."""
    end = min((i for i in (data.find(b"\r\n\r\n"), data.find(b"\n\n")) if i >= 0), default=len(data))
    return parseaddr(BytesHeaderParser(policy=compat32).parsebytes(data[:end + 4]).get("From", ""))[1]


# Built once with bound parameters, run on a bare connection: these run once per message, and building
# an ORM statement and session each time cost more than the SMTP exchange itself.
_REQUEUE = _TABLE.update().where(
    _TABLE.c.id == bindparam("row_id"), _TABLE.c.status == "sending", _TABLE.c.attempts == bindparam("tried"),
).values(status="queued", last_error=bindparam("error"), next_attempt_at=bindparam("due"))
_CLAIM = _TABLE.update().where(
    _TABLE.c.id == bindparam("row_id"), _TABLE.c.status == bindparam("was"), _TABLE.c.attempts == bindparam("tried"),
).values(status="sending", next_attempt_at=bindparam("now"), attempts=bindparam("attempts"))
_FINISH = _TABLE.update().where(_TABLE.c.id == bindparam("row_id")).values(
    status=bindparam("status"), sent_at=bindparam("at"), last_error=bindparam("error"))


def _claim(factory: sessionmaker, now: pendulum.DateTime, after: int, size: int) -> list[OutboxMessage]:
    """Take up to ``size`` due rows after row ``after`` for this deliverer (queued → sending, each checked
    by rowcount, so two deliverers never take the same row). A row left 'sending' longer than
    STUCK_AFTER_MINUTES belonged to a deliverer that died."""
    stuck = now.subtract(minutes=STUCK_AFTER_MINUTES)
    out: list[OutboxMessage] = []
    with unit_of_work(factory) as s:
        query = select(OutboxMessage).where(or_(
            (OutboxMessage.status == "queued") & (OutboxMessage.next_attempt_at <= now),
            (OutboxMessage.status == "sending") & (OutboxMessage.next_attempt_at <= stuck),
        ), OutboxMessage.id > after)
        for row in s.scalars(query.order_by(OutboxMessage.id).limit(size)).all():
            got = s.execute(_CLAIM, {"row_id": row.id, "was": row.status, "tried": row.attempts,
                                     "now": now, "attempts": row.attempts + 1})
            if got.rowcount == 1:
                s.expunge(row)
                row.status, row.next_attempt_at, row.attempts = "sending", now, row.attempts + 1
                out.append(row)
    return out


def _release(factory: sessionmaker, rows: list[OutboxMessage], now: pendulum.DateTime) -> None:
    """Rows this run claimed but never tried: queued again as they were, due now."""
    if not rows:
        return
    with unit_of_work(factory) as s:
        for row in rows:
            s.execute(_TABLE.update().where(
                _TABLE.c.id == row.id, _TABLE.c.status == "sending", _TABLE.c.attempts == row.attempts,
            ).values(status="queued", attempts=row.attempts - 1, next_attempt_at=now))


def _requeue(factory: sessionmaker, row: OutboxMessage, now: pendulum.DateTime, error: Exception) -> None:
    delay = min(2 ** row.attempts, MAX_BACKOFF_MINUTES)
    with transaction(factory) as c:  # unless a deliverer took it over meanwhile
        c.execute(_REQUEUE, {"row_id": row.id, "tried": row.attempts, "error": str(error)[:2000],
                             "due": now.add(minutes=delay)})


def _finish(factory: sessionmaker, row: OutboxMessage, status: str, at: pendulum.DateTime,
            error: str | None = None) -> None:
    with transaction(factory) as c:
        c.execute(_FINISH, {"row_id": row.id, "status": status, "at": at if status == "sent" else None,
                            "error": error})


def deliver_pending(factory: sessionmaker, store: BlobStore, transport: Transport, clock: Clock, *,
                    limit: int | None = None, budget_s: float = 300,
                    progress: Callable[[int], None] | None = None) -> DeliveryReport:
    """Send what is due over one session: claim a few rows at a time (queued → sending), send each, then
    mark it sent (or queued again with exponential backoff) in its own short transaction. A crash between
    sending and marking re-sends after STUCK_AFTER_MINUTES, with the same Message-ID; rows claimed but
    never tried when a run stops are handed back. ``progress`` is called after each message."""
    report = DeliveryReport()
    after = 0  # rows are taken in id order; one that failed in this run waits for the next run
    claimed: list[OutboxMessage] = []
    started, reconnects = time.monotonic(), 1
    with transport.session() as session:
        while limit is None or report.sent + report.failed < limit:
            if time.monotonic() - started > budget_s:
                report.stopped = f"本次发送已用时超过 {budget_s:g} 秒，其余邮件留待下次发送"
                break
            now = clock.now()
            if not claimed:
                room = CLAIM_BATCH if limit is None else min(CLAIM_BATCH, limit - report.sent - report.failed)
                claimed = _claim(factory, now, after, room)
                if not claimed:
                    break
                after = claimed[-1].id
            row = claimed.pop(0)
            try:
                data = message_bytes(row, store)
                from_addr = envelope_sender(data)
            except Exception as exc:  # noqa: BLE001 - a row that cannot be composed now never will be
                _finish(factory, row, "failed", now, f"{type(exc).__name__}: {exc}"[:2000])
                report.broken += 1
                continue
            try:
                session.send(data, from_addr, list(row.recipients))
            except ServerDown as exc:
                _requeue(factory, row, now, exc)
                report.failed += 1
                if exc.dropped and reconnects:  # one new connection a run; a server that keeps
                    reconnects -= 1  # dropping us, or a silent one, waits for the next run
                    continue
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
    _release(factory, claimed, clock.now())
    with unit_of_work(factory) as s:
        report.pending = len(s.scalars(select(OutboxMessage.id).where(
            OutboxMessage.status.in_(("queued", "sending")))).all())
    return report
