"""Sending converges on a server that stores a message and acknowledges it only after the client's
timeout: such a message is *uncertain* (perhaps delivered), sent again at most `uncertain_retries`
times with the same Message-ID, never flooded, and it does not stop the rest of the queue."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import pendulum
import pytest
from sqlalchemy import select

from nianbao.db.models import OutboxMessage
from nianbao.db.session import unit_of_work
from nianbao.mail.outbox import deliver_pending, enqueue_many, text_row
from nianbao.mail.transport import SmtpTransport
from tests.factories import resources
from tests.mail.test_smtp_failures import Counting, smtp_with  # noqa: F401 - smtp_with is a fixture

AT = pendulum.datetime(2027, 1, 6, 9, tz="Asia/Shanghai")
TIMEOUT = 0.4  # the client's; the slow server answers after twice this


class SlowFor(Counting):
    """Stores every message, then answers late to those for ``slow`` recipients (all when None)."""

    def __init__(self, slow: set[str] | None = None, delay: float = TIMEOUT * 2):
        super().__init__()
        self.slow, self.delay = slow, delay

    async def handle_DATA(self, server, session, envelope):
        await super().handle_DATA(server, session, envelope)
        if self.slow is None or set(envelope.rcpt_tos) & self.slow:
            await asyncio.sleep(self.delay)
        return "250 OK"

    def per_message(self) -> Counter:
        return Counter(line for raw in self.received for line in raw.splitlines() if line.startswith(b"Message-ID"))


def queue_replies(res, n: int) -> None:
    rows = [text_row(key=f"reply/{i}", kind="receipt", sender=("南通市依法治市办", "nianbao@example.cn"),
                     to=[f"unit{i}@example.cn"], cc=[], subject=f"回执 {i}", body="已收到。", in_reply_to=None, now=AT)
            for i in range(n)]
    with unit_of_work(res.db) as s:
        enqueue_many(s, rows)


def statuses(res) -> Counter:
    with unit_of_work(res.db) as s:
        return Counter(s.scalars(select(OutboxMessage.status)).all())


@pytest.fixture
def res(settings, db_url):
    return resources(settings, db_url, AT)


def test_a_day_of_runs_against_a_slow_acknowledger_delivers_every_reply_at_most_twice(res, smtp_with):
    queue_replies(res, 9)
    handler = SlowFor()
    transport = SmtpTransport("127.0.0.1", smtp_with(handler), "none", timeout=TIMEOUT)
    timeouts = 0
    for _ in range(24 * 4):  # the deployment's rhythm: every 15 minutes for a day
        report = deliver_pending(res.db, res.store, transport, res.clock)
        assert not report.stopped
        timeouts += report.uncertain
        res.clock.advance(minutes=15)
    per_message = handler.per_message()
    assert len(per_message) == 9  # every reply reached the server
    assert max(per_message.values()) == 2  # once, and once again after the backoff: never a flood
    assert timeouts == 18
    assert statuses(res) == {"uncertain": 9}  # listed as unconfirmed, not queued for ever
    assert report.pending == 0 and report.unconfirmed == 9


def test_one_slow_message_costs_one_timeout_and_the_rest_of_the_queue_goes_out(res, smtp_with):
    queue_replies(res, 5)
    handler = SlowFor(slow={"unit1@example.cn"})
    transport = SmtpTransport("127.0.0.1", smtp_with(handler), "none", timeout=TIMEOUT)
    start = time.monotonic()
    report = deliver_pending(res.db, res.store, transport, res.clock)
    assert time.monotonic() - start < TIMEOUT * 2.5
    assert report.sent == 4 and report.uncertain == 1 and report.failed == 0 and not report.stopped
    assert len(handler.received) == 5 and len(handler.sessions) == 2  # a new connection after the timeout
    assert statuses(res) == {"sent": 4, "uncertain": 1}


def test_an_uncertain_message_is_not_sent_again_before_its_backoff(res, smtp_with):
    queue_replies(res, 1)
    handler = SlowFor()
    transport = SmtpTransport("127.0.0.1", smtp_with(handler), "none", timeout=TIMEOUT)
    deliver_pending(res.db, res.store, transport, res.clock)
    res.clock.advance(minutes=119)
    assert deliver_pending(res.db, res.store, transport, res.clock).uncertain == 0
    res.clock.advance(minutes=1)
    assert deliver_pending(res.db, res.store, transport, res.clock).uncertain == 1
    assert list(handler.per_message().values()) == [2]  # the same Message-ID both times


def test_an_uncertain_message_acknowledged_on_its_retry_is_sent(res, smtp_with):
    queue_replies(res, 1)
    handler = SlowFor()
    transport = SmtpTransport("127.0.0.1", smtp_with(handler), "none", timeout=TIMEOUT)
    deliver_pending(res.db, res.store, transport, res.clock)
    handler.slow = set()  # the server is quick again
    res.clock.advance(hours=2)
    report = deliver_pending(res.db, res.store, transport, res.clock)
    assert report.sent == 1 and report.unconfirmed == 0
    assert statuses(res) == {"sent": 1}


def test_the_number_of_retries_comes_from_the_caller(res, smtp_with):
    queue_replies(res, 1)
    handler = SlowFor()
    transport = SmtpTransport("127.0.0.1", smtp_with(handler), "none", timeout=TIMEOUT)
    for _ in range(20):
        deliver_pending(res.db, res.store, transport, res.clock, uncertain_retries=0)
        res.clock.advance(hours=1)
    assert len(handler.received) == 1


class DropsAfterTheDot(Counting):
    """Takes the whole message, then closes the connection without a word."""

    async def handle_DATA(self, server, session, envelope):
        await super().handle_DATA(server, session, envelope)
        if len(self.received) == 1:
            server.transport.close()
        return "250 OK"


def test_a_connection_lost_after_the_whole_message_went_makes_it_uncertain(res, smtp_with):
    queue_replies(res, 3)
    handler = DropsAfterTheDot()
    transport = SmtpTransport("127.0.0.1", smtp_with(handler), "none", timeout=TIMEOUT)
    report = deliver_pending(res.db, res.store, transport, res.clock)
    assert report.sent == 2 and report.uncertain == 1 and report.failed == 0
    assert statuses(res) == {"sent": 2, "uncertain": 1}


def test_status_lists_the_mails_the_server_never_acknowledged(settings, db_url, smtp_with, capsys):
    from nianbao import output
    from nianbao.stages.status import cycle_status
    from tests.factories import opened

    res = opened(settings, db_url, AT, 2026)  # invitations written to the .eml outbox
    queue_replies(res, 2)
    handler = SlowFor(slow={"unit1@example.cn"})
    transport = SmtpTransport("127.0.0.1", smtp_with(handler), "none", timeout=TIMEOUT)
    deliver_pending(res.db, res.store, transport, res.clock)
    data = output.status_json(cycle_status(res, 2026))
    assert data["outbox"]["counts"]["uncertain"] == 1
    assert [m["recipients"] for m in data["outbox"]["uncertain"]] == [["unit1@example.cn"]]
    output.print_status(data)
    printed = capsys.readouterr().out
    assert "未确认 1 封" in printed and "回执 1 → unit1@example.cn" in printed and "将于 2027-01-06 11:00 再发一次" in printed


def _left_sending(res, key: str, unsure: int) -> None:
    """As a deliverer killed in the middle of sending leaves its row."""
    with unit_of_work(res.db) as s:
        s.execute(OutboxMessage.__table__.update().where(OutboxMessage.key == key).values(
            status="sending", attempts=1, uncertain_sends=unsure, next_attempt_at=AT.subtract(hours=1)))


def test_a_row_a_dead_deliverer_left_sending_is_sent_again_once_as_an_uncertain_send(res, smtp_with):
    queue_replies(res, 2)
    _left_sending(res, "reply/0", unsure=0)
    _left_sending(res, "reply/1", unsure=1)  # it already had its retry
    handler = Counting()
    transport = SmtpTransport("127.0.0.1", smtp_with(handler), "none", timeout=TIMEOUT)
    report = deliver_pending(res.db, res.store, transport, res.clock)
    assert report.sent == 1 and len(handler.received) == 1
    with unit_of_work(res.db) as s:
        rows = {r.key: (r.status, r.uncertain_sends) for r in s.scalars(select(OutboxMessage))}
    assert rows == {"reply/0": ("sent", 1), "reply/1": ("uncertain", 2)}
