"""Two intake workers over the same mailbox at the same time never store a mail twice: unique keys on
inbound_message make the second insert fail (PostgreSQL waits for the first commit, then refuses)."""

from __future__ import annotations

import subprocess
import sys

from sqlalchemy import func, select

from nianbao.db.models import InboundMessage, OutboxMessage, Submission
from nianbao.db.session import unit_of_work
from tests.factories import cycle_with_mails

MESSAGES = 80


def test_two_workers_at_once_store_each_mail_once_on_postgresql(tmp_path, pg_url):
    res, env = cycle_with_mails(tmp_path / "var", pg_url, MESSAGES)
    units = list(res.config.reporting_units)
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
