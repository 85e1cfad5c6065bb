"""The outbox on SQLite and PostgreSQL against a real SMTP server: idempotent queueing, one send per
row even with two deliverers, backoff after an outage, reclaiming rows a dead deliverer left behind."""

from __future__ import annotations

import threading
from email import message_from_bytes, policy

import pendulum
import pytest
from sqlalchemy import func, select, update

from nianbao.clock import FixedClock
from nianbao.db.models import OutboxMessage
from nianbao.db.session import make_sessionmaker, unit_of_work
from nianbao.mail.message import compose, message_id_for
from nianbao.mail.outbox import STUCK_AFTER_MINUTES, deliver_pending, enqueue
from nianbao.mail.transport import SmtpTransport
from nianbao.store import BlobStore

AT = pendulum.datetime(2027, 1, 5, 9, tz="Asia/Shanghai")


@pytest.fixture
def outbox(db_url, tmp_path, smtp_server):
    smtp_server["handler"].received.clear()
    return {"db": make_sessionmaker(db_url), "store": BlobStore(tmp_path / "blobs"), "clock": FixedClock(AT),
            "smtp": SmtpTransport(smtp_server["host"], smtp_server["port"], "none", smtp_server["user"],
                                  smtp_server["password"], timeout=5),
            "received": smtp_server["handler"].received}


def notice(n: int = 1):
    return compose(sender=("南通市依法治市办", "nianbao@sfj.example.cn"), to=[f"unit{n}@example.cn"],
                   cc=["admin@sfj.example.cn"], subject=f"催报通知 {n}", text="请尽快报送。", date=AT)


def queue(ob, *keys: str) -> list[bool]:
    created = []
    with unit_of_work(ob["db"]) as s:
        for n, key in enumerate(keys):
            created.append(enqueue(s, ob["store"], key=key, kind="reminder", msg=notice(n), now=AT)[1])
    return created


def rows(ob) -> list[OutboxMessage]:
    with unit_of_work(ob["db"]) as s:
        return list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def down() -> SmtpTransport:
    return SmtpTransport("127.0.0.1", 1, "none", timeout=2)  # nothing listens on port 1


def test_enqueue_twice_with_the_same_key_makes_one_row(outbox):
    assert queue(outbox, "reminder/2026/D01/1") == [True]
    assert queue(outbox, "reminder/2026/D01/1") == [False]
    assert len(rows(outbox)) == 1


def test_enqueue_records_recipients_and_stores_the_eml(outbox):
    queue(outbox, "reminder/2026/D01/1")
    (row,) = rows(outbox)
    eml = message_from_bytes(outbox["store"].get(row.sha256, ".eml"), policy=policy.default)
    assert (row.recipients, row.status, row.attempts, str(eml["Subject"])) == (
        ["unit0@example.cn", "admin@sfj.example.cn"], "queued", 0, "催报通知 0")


def test_queued_message_id_is_derived_from_the_key(outbox):
    queue(outbox, "reminder/2026/D01/1")
    eml = message_from_bytes(outbox["store"].get(rows(outbox)[0].sha256, ".eml"), policy=policy.default)
    assert eml["Message-ID"] == message_id_for("reminder/2026/D01/1", "sfj.example.cn")


def test_delivery_sends_each_queued_mail_once(outbox):
    queue(outbox, "a", "b", "c")
    report = deliver_pending(outbox["db"], outbox["store"], outbox["smtp"], outbox["clock"])
    again = deliver_pending(outbox["db"], outbox["store"], outbox["smtp"], outbox["clock"])
    assert (report.sent, report.pending, again.sent, len(outbox["received"])) == (3, 0, 0, 3)
    assert {r.status for r in rows(outbox)} == {"sent"}


def test_an_smtp_outage_leaves_mail_queued_with_the_error_and_a_backoff(outbox):
    queue(outbox, "a")
    report = deliver_pending(outbox["db"], outbox["store"], down(), outbox["clock"])
    (row,) = rows(outbox)
    assert (report.sent, report.failed, report.pending) == (0, 1, 1)
    assert (row.status, row.attempts, bool(row.last_error)) == ("queued", 1, True)
    assert pendulum.instance(row.next_attempt_at).in_timezone("Asia/Shanghai") == AT.add(minutes=2)


def test_backoff_doubles_with_each_failed_attempt(outbox):
    queue(outbox, "a")
    clock = outbox["clock"]
    for _ in range(3):
        deliver_pending(outbox["db"], outbox["store"], down(), clock)
        clock.set(pendulum.instance(rows(outbox)[0].next_attempt_at))
    assert clock.now() - AT == pendulum.duration(minutes=2 + 4 + 8)


def test_after_an_outage_the_mail_is_sent_once_when_due(outbox):
    queue(outbox, "a")
    deliver_pending(outbox["db"], outbox["store"], down(), outbox["clock"])
    assert deliver_pending(outbox["db"], outbox["store"], outbox["smtp"], outbox["clock"]).sent == 0  # not due
    outbox["clock"].advance(minutes=3)
    assert deliver_pending(outbox["db"], outbox["store"], outbox["smtp"], outbox["clock"]).sent == 1
    assert deliver_pending(outbox["db"], outbox["store"], outbox["smtp"], outbox["clock"]).sent == 0
    assert len(outbox["received"]) == 1 and rows(outbox)[0].last_error is None


def test_limit_caps_one_delivery_run(outbox):
    queue(outbox, "a", "b", "c")
    report = deliver_pending(outbox["db"], outbox["store"], outbox["smtp"], outbox["clock"], limit=2)
    assert (report.sent, report.pending) == (2, 1)


def test_two_deliverers_at_once_never_send_a_row_twice(outbox):
    keys = [f"k{i}" for i in range(24)]
    queue(outbox, *keys)
    errors: list[BaseException] = []

    def run():
        try:
            deliver_pending(outbox["db"], outbox["store"], outbox["smtp"], outbox["clock"])
        except BaseException as exc:  # surfaced below: a thread's exception is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    subjects = [str(message_from_bytes(r, policy=policy.default)["Subject"]) for r in outbox["received"]]
    assert errors == [] and len(subjects) == len(set(subjects)) == 24


def test_a_row_left_sending_by_a_dead_deliverer_is_reclaimed_after_ten_minutes(outbox):
    queue(outbox, "a")
    with unit_of_work(outbox["db"]) as s:  # what a deliverer killed between claim and send leaves
        s.execute(update(OutboxMessage).values(status="sending", attempts=1, next_attempt_at=AT))
    clock = outbox["clock"]
    clock.advance(minutes=STUCK_AFTER_MINUTES - 1)
    assert deliver_pending(outbox["db"], outbox["store"], outbox["smtp"], clock).sent == 0
    clock.advance(minutes=2)
    assert deliver_pending(outbox["db"], outbox["store"], outbox["smtp"], clock).sent == 1
    assert len(outbox["received"]) == 1


def test_pending_counts_rows_not_yet_sent(outbox):
    queue(outbox, "a", "b")
    deliver_pending(outbox["db"], outbox["store"], down(), outbox["clock"])
    with unit_of_work(outbox["db"]) as s:
        assert s.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "queued")) == 2


def test_two_flows_queueing_one_key_at_once_make_one_row(outbox):
    first = outbox["db"]()
    enqueue(first, outbox["store"], key="digest/2027-01-05", kind="digest", msg=notice(1), now=AT)
    result: list[bool] = []

    def second():  # blocks on the first one's uncommitted row until it commits
        with unit_of_work(outbox["db"]) as s:
            result.append(enqueue(s, outbox["store"], key="digest/2027-01-05", kind="digest", msg=notice(2),
                                  now=AT)[1])

    t = threading.Thread(target=second)
    t.start()
    t.join(0.3)
    first.commit()
    first.close()
    t.join(10)
    assert result == [False] and len(rows(outbox)) == 1
