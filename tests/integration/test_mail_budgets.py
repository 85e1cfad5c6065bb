"""Each mail's budget is its own: a mail that takes its whole budget holds back only itself, is read once
fast and once carefully, then answered from its header block; an intake run that spends its wall-clock
budget has stored and answered what it finished, and the next run finishes the rest."""

from __future__ import annotations

import time

import pendulum
import pytest
from sqlalchemy import select

from nianbao.db.models import InboundMessage, OutboxMessage, Submission
from nianbao.db.session import unit_of_work
from nianbao.intake.run import poll_inbox
from nianbao.intake.sandbox import close_all, fingerprint
from nianbao.stages.open_cycle import open_cycle
from tests.factories import filled, inbox_path, mail_in, resources, unit_mail
from tests.slow_reader import SLOW, logged, slow_reader

YEAR = 2026
OPEN = pendulum.datetime(2027, 1, 5, 9, tz="Asia/Shanghai")
BUDGET = 5  # seconds a mail may take each way it is read
pytestmark = pytest.mark.slow


@pytest.fixture
def world(settings, db_url, tmp_path):
    reads = tmp_path / "reads.log"
    close_all()
    res = resources(settings.with_(intake_processes=1, seconds_per_mail=BUDGET, sandbox_reader=slow_reader),
                    db_url, OPEN)
    open_cycle(res, YEAR)
    res.sandbox().call(fingerprint)  # the child is started before any clock below runs
    yield res, reads
    close_all()


def deliver(res, mails: list[bytes]) -> None:
    for raw in mails:  # one a second: a Maildir's keys sort by the second they were delivered in
        mail_in(res, raw)
        time.sleep(1.05)


def slow(raw: bytes) -> bytes:
    return SLOW + b"\r\n" + raw


def test_a_mail_that_takes_its_whole_budget_delays_the_good_mail_behind_it_by_at_most_one_budget(world):
    res, reads = world
    first, second = list(res.config.reporting_units)[:2]
    deliver(res, [logged(slow(unit_mail(res, first, YEAR, filled(res, first, YEAR), n=1)), reads),
                  unit_mail(res, second, YEAR, filled(res, second, YEAR), n=2)])
    answered: dict[str, float] = {}
    start = time.monotonic()
    report = poll_inbox(res, progress=lambda m: answered.setdefault(m.message_id, time.monotonic() - start))
    # one budget, a child replaced, a read and a commit (sharing its mails, the old chunks took 2 budgets)
    assert answered["<t2-%s@example.cn>" % second.code] < BUDGET + 3, answered
    assert [m.status for m in report.messages] == ["processed", "failed"]
    lines = reads.read_text().splitlines()
    assert sorted(line for line in lines if first.code in line) == \
        [f"careful <t1-{first.code}@example.cn>", f"fast <t1-{first.code}@example.cn>"]  # then the header block
    with unit_of_work(res.db) as s:
        replies = s.scalars(select(OutboxMessage.recipients).where(OutboxMessage.key.like("reply/%"))).all()
        accepted = s.scalars(select(Submission.unit_code).where(Submission.status == "accepted")).all()
    assert accepted == [second.code]
    assert sorted(r[0] for r in replies) == sorted([first.contacts[0], second.contacts[0]])  # the slow one too


def test_a_run_stopped_by_its_wall_budget_keeps_what_it_finished_and_the_next_run_finishes_the_rest(world):
    res, _ = world
    units = list(res.config.reporting_units)[:5]
    mails = [unit_mail(res, u, YEAR, filled(res, u, YEAR), n=n) for n, u in enumerate(units)]
    mails[2] = slow(mails[2])  # two good mails, one that takes its budget, two good ones queued behind it
    deliver(res, mails)
    first = poll_inbox(res.with_(settings=res.settings.with_(intake_run_seconds=BUDGET - 2)))
    assert first.out_of_time and first.left == 3 and "留待下次收件处理" in first.note
    assert [m.status for m in first.messages] == ["processed", "processed"]
    assert len(list((inbox_path(res) / "new").iterdir())) == 3
    with unit_of_work(res.db) as s:
        assert len(s.scalars(select(OutboxMessage.id).where(OutboxMessage.key.like("reply/%"))).all()) == 2
    second = poll_inbox(res)
    assert not second.out_of_time and len(second.messages) == 3
    with unit_of_work(res.db) as s:
        assert len(s.scalars(select(InboundMessage.id)).all()) == 5
        assert len(s.scalars(select(OutboxMessage.id).where(OutboxMessage.key.like("reply/%"))).all()) == 5
        accepted = s.scalars(select(Submission.unit_code).where(Submission.status == "accepted")).all()
    assert sorted(accepted) == sorted(u.code for n, u in enumerate(units) if n != 2)
