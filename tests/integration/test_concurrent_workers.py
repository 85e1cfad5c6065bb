"""Two intake workers over the same mailbox at the same time never store a mail twice: unique keys on
inbound_message make the second insert fail (PostgreSQL waits for the first commit, then refuses)."""

from __future__ import annotations

import os
import subprocess
import sys

import pendulum
from sqlalchemy import func, select

from nianbao.clock import FixedClock
from nianbao.db.models import InboundMessage, OutboxMessage, Submission
from nianbao.db.session import unit_of_work
from nianbao.resources import make_resources
from nianbao.settings import load_settings
from nianbao.stages.open_cycle import open_cycle
from tests.factories import filled, mail_in, unit_mail

MESSAGES = 80


def test_two_workers_at_once_store_each_mail_once_on_postgresql(tmp_path, pg_url):
    env = {**os.environ, "NIANBAO_DATA": str(tmp_path / "var"), "NIANBAO_HMAC_SECRET": "two",
           "NIANBAO_DATABASE_URL": pg_url}
    res = make_resources(load_settings(env), clock=FixedClock(pendulum.datetime(2027, 1, 6, 9, tz="Asia/Shanghai")),
                         cached=False)
    open_cycle(res, 2026)
    units = list(res.config.reporting_units)
    books = {u.code: filled(res, u, 2026) for u in units}
    for n in range(MESSAGES):
        mail_in(res, unit_mail(res, units[n % len(units)], 2026, books[units[n % len(units)].code], n=n))
    cmd = [sys.executable, "-m", "nianbao.cli", "intake", "--json"]
    workers = [subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for _ in range(2)]
    assert [w.wait(timeout=300) for w in workers] == [0, 0], [w.stderr.read()[-2000:] for w in workers]
    with unit_of_work(res.db) as s:
        assert s.scalar(select(func.count()).select_from(InboundMessage)) == MESSAGES
        assert s.scalar(select(func.count()).select_from(Submission)) == MESSAGES
        replies = s.scalars(select(OutboxMessage.key).where(OutboxMessage.key.like("reply/%"))).all()
        current = s.scalars(select(Submission.unit_code).where(Submission.status == "accepted")).all()
    assert len(replies) == len(set(replies)) == MESSAGES
    assert sorted(current) == sorted(u.code for u in units)  # one current workbook per unit, the rest superseded
