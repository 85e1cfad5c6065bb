"""The outbox: every outgoing mail is queued first, in the same transaction as the fact that caused it,
then sent. Keys make queueing idempotent; a claim (queued → sending) keeps two deliverers from sending
the same row; a failure leaves the row queued with exponential backoff.

A message is marked sent only after the server accepted it. One the server got whole but never answered
(it stores, then acknowledges after our timeout) is *uncertain*: it may well have been delivered, so it
is not queued again at once but sent again at most ``uncertain_retries`` times, each after
``uncertain_retry_minutes`` (doubling), always with the same Message-ID (derived from its key), which
mail clients use to show one copy; then it stays uncertain, listed for the administrator. Such a
timeout costs the run one timeout and a new connection, and the rest of the queue is still tried. A
message that cannot even be composed (a bug meeting odd input) is marked failed with its error and never
blocks the rest; a server that is down costs a run one timeout, not one per message, and a run stops at
its time budget."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses, parseaddr

import pendulum
from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from nianbao.clock import Clock
from nianbao.db.models import OutboxMessage
from nianbao.db.session import transaction, unit_of_work
from nianbao.errors import CannotWrite, MailError
from nianbao.mail.message import compose, id_token, message_id_for
from nianbao.mail.transport import ServerDown, Transport, Uncertain
from nianbao.store import BlobStore

STUCK_AFTER_MINUTES = 10  # a 'sending' row older than this belongs to a deliverer that died
CLAIM_BATCH = 20  # rows claimed in one transaction
MAX_BACKOFF_MINUTES = 6 * 60
UNCERTAIN_RETRIES = 1  # defaults of mail.yaml outbound.uncertain_retries / uncertain_retry_minutes
UNCERTAIN_RETRY_MINUTES = 120
_UPSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
_TABLE = OutboxMessage.__table__


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0  # tried and queued again
    broken: int = 0  # could not be composed: marked failed, kept with its error
    uncertain: int = 0  # the server got it and never answered: this run's sends of unknown outcome
    pending: int = 0  # still to be sent after this run (queued, or uncertain with a retry left)
    unconfirmed: int = 0  # uncertain after this run: perhaps delivered, never acknowledged
    stopped: str | None = None  # why the run stopped early (server down, time budget)
    delivered: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)  # (kind, subject, to) sent


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
    token = id_token(key)
    sha, _ = store.put(msg.as_bytes(), ".eml")
    addresses = [str(v) for v in msg.get_all("To", []) + msg.get_all("Cc", [])]
    values = dict(key=key, kind=kind, recipients=[a for _, a in getaddresses(addresses) if a],
                  subject=str(msg["Subject"]), sha256=sha, status="queued", attempts=0, id_token=token,
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
             body: str, in_reply_to: str | None, now: pendulum.DateTime, auto: str = "auto-replied") -> dict:
    """The outbox row of a text-only mail (a receipt, say), composed only when it is sent; ``auto`` is
    its RFC 3834 Auto-Submitted value (answers to a mail: auto-replied)."""
    return dict(key=key, kind=kind, recipients=[*to, *cc], subject=subject, sha256=None, body=body,
                id_token=id_token(key),
                headers={"from": list(sender), "to": list(to), "cc": list(cc), "in_reply_to": in_reply_to,
                         "date": now.isoformat(), "auto": auto},
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
                  message_id=message_id_for(row.key, domain), auto=h.get("auto", "auto-replied"))
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
).values(status="sending", next_attempt_at=bindparam("now"), attempts=bindparam("attempts"),
         uncertain_sends=bindparam("unsure"))
_FINISH = _TABLE.update().where(_TABLE.c.id == bindparam("row_id")).values(
    status=bindparam("status"), sent_at=bindparam("at"), last_error=bindparam("error"))


def _due(now: pendulum.DateTime, retries: int):
    """Rows to send now: queued and due, uncertain with a retry left and due, or left 'sending' longer
    than STUCK_AFTER_MINUTES by a deliverer that died."""
    return or_(
        (OutboxMessage.status == "queued") & (OutboxMessage.next_attempt_at <= now),
        (OutboxMessage.status == "uncertain") & (OutboxMessage.next_attempt_at <= now)
        & (OutboxMessage.uncertain_sends <= retries),
        (OutboxMessage.status == "sending") & (OutboxMessage.next_attempt_at <= now.subtract(minutes=STUCK_AFTER_MINUTES)),
    )


def _claim(factory: sessionmaker, now: pendulum.DateTime, after: int, size: int,
           retries: int) -> list[tuple[OutboxMessage, str]]:
    """Take up to ``size`` due rows after row ``after`` for this deliverer (→ sending, each checked by
    rowcount, so two deliverers never take the same row); each with the status it had. A row a dead
    deliverer left 'sending' may have reached the server: it counts as an uncertain send, and one
    without a retry left becomes uncertain instead of being sent again."""
    out: list[tuple[OutboxMessage, str]] = []
    with unit_of_work(factory) as s:
        query = select(OutboxMessage).where(_due(now, retries), OutboxMessage.id > after)
        for row in s.scalars(query.order_by(OutboxMessage.id).limit(size)).all():
            was, unsure = row.status, row.uncertain_sends + (row.status == "sending")
            if unsure > retries:
                s.execute(_TABLE.update().where(
                    _TABLE.c.id == row.id, _TABLE.c.status == "sending", _TABLE.c.attempts == row.attempts,
                ).values(status="uncertain", uncertain_sends=unsure, next_attempt_at=None,
                         last_error="发送过程中断（发送进程退出），服务器可能已收到"))
                continue
            got = s.execute(_CLAIM, {"row_id": row.id, "was": was, "tried": row.attempts,
                                     "now": now, "attempts": row.attempts + 1, "unsure": unsure})
            if got.rowcount == 1:
                s.expunge(row)
                row.status, row.next_attempt_at, row.attempts = "sending", now, row.attempts + 1
                row.uncertain_sends = unsure
                out.append((row, was))
    return out


def _release(factory: sessionmaker, rows: list[tuple[OutboxMessage, str]], now: pendulum.DateTime) -> None:
    """Rows this run claimed but never tried: back as they were, due now."""
    if not rows:
        return
    with unit_of_work(factory) as s:
        for row, was in rows:
            s.execute(_TABLE.update().where(
                _TABLE.c.id == row.id, _TABLE.c.status == "sending", _TABLE.c.attempts == row.attempts,
            ).values(status="queued" if was == "sending" else was, attempts=row.attempts - 1, next_attempt_at=now))


def _uncertain(factory: sessionmaker, row: OutboxMessage, now: pendulum.DateTime, error: Exception,
               retries: int, minutes: float) -> None:
    """The server may hold the message: sent again (same Message-ID) after ``minutes``, doubling with
    each unanswered send, while retries are left; then it stays uncertain for the administrator."""
    n = row.uncertain_sends + 1
    with unit_of_work(factory) as s:
        s.execute(_TABLE.update().where(
            _TABLE.c.id == row.id, _TABLE.c.status == "sending", _TABLE.c.attempts == row.attempts,
        ).values(status="uncertain", uncertain_sends=n, last_error=str(error)[:2000],
                 next_attempt_at=now.add(minutes=int(minutes * 2 ** (n - 1))) if n <= retries else None))


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
                    uncertain_retries: int = UNCERTAIN_RETRIES, uncertain_retry_minutes: float = UNCERTAIN_RETRY_MINUTES,
                    progress: Callable[[int], None] | None = None) -> DeliveryReport:
    """Send what is due over one session: claim a few rows at a time (→ sending), send each, then mark it
    sent, queued again with exponential backoff, or uncertain (see the module) in its own short
    transaction. A crash between sending and marking re-sends after STUCK_AFTER_MINUTES, with the same
    Message-ID; rows claimed but never tried when a run stops are handed back. ``progress`` is called
    after each message."""
    report = DeliveryReport()
    after = 0  # rows are taken in id order; one that failed in this run waits for the next run
    claimed: list[tuple[OutboxMessage, str]] = []
    started, reconnects = time.monotonic(), 1
    try:
        with transport.session() as session:
            while limit is None or report.sent + report.failed + report.uncertain < limit:
                if time.monotonic() - started > budget_s:
                    report.stopped = f"本次发送已用时超过 {budget_s:g} 秒，其余邮件留待下次发送"
                    break
                now = clock.now()
                if not claimed:
                    done = report.sent + report.failed + report.uncertain
                    room = CLAIM_BATCH if limit is None else min(CLAIM_BATCH, limit - done)
                    claimed = _claim(factory, now, after, room, uncertain_retries)
                    if not claimed:
                        break
                    after = claimed[-1][0].id
                row, was = claimed.pop(0)
                try:
                    data = message_bytes(row, store)
                    from_addr = envelope_sender(data)
                except Exception as exc:  # noqa: BLE001 - a row that cannot be composed now never will be
                    _finish(factory, row, "failed", now, f"{type(exc).__name__}: {exc}"[:2000])
                    report.broken += 1
                    continue
                try:
                    session.send(data, from_addr, list(row.recipients))
                except CannotWrite:  # a full disk under the folder outbox: the row goes back, the run fails
                    claimed.insert(0, (row, was))
                    raise
                except Uncertain as exc:  # the session connects anew for the next message
                    _uncertain(factory, row, now, exc, uncertain_retries, uncertain_retry_minutes)
                    report.uncertain += 1
                    continue
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
                report.delivered.append((row.kind, row.subject or "", tuple(row.recipients)))
                if progress:
                    progress(report.sent)
    finally:  # rows claimed and never tried go back, whatever stopped the run
        _release(factory, claimed, clock.now())
    with unit_of_work(factory) as s:
        report.pending = s.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.status.in_(("queued", "sending"))
            | ((OutboxMessage.status == "uncertain") & (OutboxMessage.uncertain_sends <= uncertain_retries))))
        report.unconfirmed = s.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.status == "uncertain"))
    return report
