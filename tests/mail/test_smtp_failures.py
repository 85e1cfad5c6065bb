"""An SMTP server that misbehaves costs a delivery run one timeout, never one per message, and never a
duplicate outbox row: a black hole (accepts the connection, never speaks), a server dropping the line,
and one connection for a whole run otherwise. The slow acknowledger: test_smtp_uncertain.py."""

from __future__ import annotations

import socket
import threading
import time

import pendulum
import pytest
from sqlalchemy import func, select

from nianbao.db.models import OutboxMessage
from nianbao.db.session import unit_of_work
from nianbao.mail.outbox import deliver_pending, enqueue_many, text_row
from nianbao.mail.transport import SmtpTransport
from tests.factories import resources
from tests.mail.conftest import free_port

AT = pendulum.datetime(2027, 1, 6, 9, tz="Asia/Shanghai")
TIMEOUT = 1.5


@pytest.fixture
def res(settings, db_url):
    r = resources(settings, db_url, AT)
    rows = [text_row(key=f"reply/{n}", kind="receipt", sender=("南通市依法治市办", "nianbao@example.cn"),
                     to=[f"unit{n}@example.cn"], cc=[], subject=f"回执 {n}", body="已收到。", in_reply_to=None, now=AT)
            for n in range(5)]
    with unit_of_work(r.db) as s:
        enqueue_many(s, rows)
    return r


@pytest.fixture
def black_hole():
    """A port that accepts connections and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for c in held:
        c.close()
    server.close()


class Counting:
    def __init__(self):
        self.received, self.sessions = [], set()

    async def handle_DATA(self, server, session, envelope):
        self.received.append(envelope.original_content)
        self.sessions.add(id(session))
        return "250 OK"


@pytest.fixture
def smtp_with():
    from aiosmtpd.controller import Controller

    controllers = []

    def start(handler):
        controller = Controller(handler, hostname="127.0.0.1", port=free_port())
        controller.start()
        controllers.append(controller)
        return controller.port

    yield start
    for c in controllers:
        c.stop()


def rows(res) -> int:
    with unit_of_work(res.db) as s:
        return s.scalar(select(func.count()).select_from(OutboxMessage))


def test_a_black_hole_server_costs_one_timeout_per_run(res, black_hole):
    transport = SmtpTransport("127.0.0.1", black_hole, "none", timeout=TIMEOUT)
    start = time.monotonic()
    report = deliver_pending(res.db, res.store, transport, res.clock)
    assert time.monotonic() - start < TIMEOUT * 3
    assert report.sent == 0 and report.failed == 1 and report.pending == 5 and report.stopped
    assert rows(res) == 5


def test_a_healthy_server_gets_a_whole_run_over_one_connection(res, smtp_with):
    handler = Counting()
    transport = SmtpTransport("127.0.0.1", smtp_with(handler), "none", timeout=TIMEOUT)
    report = deliver_pending(res.db, res.store, transport, res.clock)
    assert report.sent == 5 and report.pending == 0
    assert len(handler.received) == 5 and len(handler.sessions) == 1


def test_a_message_that_cannot_be_composed_is_marked_failed_and_the_rest_go_out(res, smtp_with):
    with unit_of_work(res.db) as s:
        s.execute(OutboxMessage.__table__.update().where(OutboxMessage.key == "reply/2")
                  .values(headers={"to": ["x@example.cn"]}))  # no sender: composing it raises
    handler = Counting()
    transport = SmtpTransport("127.0.0.1", smtp_with(handler), "none", timeout=TIMEOUT)
    report = deliver_pending(res.db, res.store, transport, res.clock)
    assert report.sent == 4 and report.broken == 1 and report.pending == 0
    with unit_of_work(res.db) as s:
        broken = s.scalars(select(OutboxMessage).where(OutboxMessage.key == "reply/2")).one()
    assert broken.status == "failed" and "KeyError" in broken.last_error


class TwoPerConnection(Counting):
    """Answers 421 to the third MAIL FROM of a connection, as servers with a messages-per-connection limit do."""

    def __init__(self):
        super().__init__()
        self.mails: dict[int, int] = {}

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        n = self.mails[id(session)] = self.mails.get(id(session), 0) + 1
        if n > 2:
            return "421 4.7.0 too many messages in this connection"
        envelope.mail_from = address
        return "250 OK"


def test_a_server_limiting_messages_per_connection_gets_them_all_over_new_connections(res, smtp_with):
    handler = TwoPerConnection()
    transport = SmtpTransport("127.0.0.1", smtp_with(handler), "none", timeout=TIMEOUT)
    report = deliver_pending(res.db, res.store, transport, res.clock)
    assert report.sent == 5 and report.failed == 0 and report.pending == 0
    assert len(handler.received) == 5 and len(handler.sessions) == 3


def test_rows_claimed_but_not_tried_when_a_run_stops_are_due_again_at_once(res, black_hole, smtp_with):
    down = SmtpTransport("127.0.0.1", black_hole, "none", timeout=TIMEOUT)
    assert deliver_pending(res.db, res.store, down, res.clock).failed == 1
    handler = Counting()
    up = SmtpTransport("127.0.0.1", smtp_with(handler), "none", timeout=TIMEOUT)
    assert deliver_pending(res.db, res.store, up, res.clock).sent == 4  # the one tried waits for its backoff


class Drops(Counting):
    """Drops the connection in the middle of a message (before its data): the first one only, or every one."""

    def __init__(self, every: bool = False):
        super().__init__()
        self.every, self.dropped = every, 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.every or not self.dropped:
            self.dropped += 1
            server.transport.close()
            return "451 never heard"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_a_connection_dropped_mid_message_is_replaced_once_and_the_run_goes_on(res, smtp_with):
    handler = Drops()
    transport = SmtpTransport("127.0.0.1", smtp_with(handler), "none", timeout=TIMEOUT)
    report = deliver_pending(res.db, res.store, transport, res.clock)
    assert report.sent == 4 and report.failed == 1 and not report.stopped  # the dropped one waits for its backoff
    assert len(handler.received) == 4 and len(handler.sessions) == 1  # one new connection took the rest


def test_a_server_that_keeps_dropping_the_connection_stops_the_run_after_one_new_connection(res, smtp_with):
    handler = Drops(every=True)
    transport = SmtpTransport("127.0.0.1", smtp_with(handler), "none", timeout=TIMEOUT)
    report = deliver_pending(res.db, res.store, transport, res.clock)
    assert report.sent == 0 and report.failed == 2 and report.stopped and report.pending == 5
    assert handler.dropped == 2


class RefusesOne(Counting):
    """550 to one recipient address, as a server does for a mailbox that does not exist."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == "unit1@example.cn":
            return "550 5.1.1 user unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_an_address_the_server_refuses_fails_that_message_only(res, smtp_with):
    handler = RefusesOne()
    transport = SmtpTransport("127.0.0.1", smtp_with(handler), "none", timeout=TIMEOUT)
    report = deliver_pending(res.db, res.store, transport, res.clock)
    assert report.sent == 4 and report.failed == 1 and not report.stopped
    assert len(handler.sessions) == 1  # the session went on: a refused address is not a dropped line
