"""Kill the intake (SIGKILL) at random points while it works through a few hundred mails, re-run it,
and check every mail ends stored once and answered once: nothing lost, nothing doubled."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from nianbao.db.models import InboundMessage, OutboxMessage
from nianbao.db.session import unit_of_work
from tests.factories import cycle_with_mails

MESSAGES = 240
pytestmark = pytest.mark.slow


def run_intake(env: dict, kill_after: float | None) -> int:
    proc = subprocess.Popen([sys.executable, "-m", "nianbao.cli", "intake", "--json"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if kill_after is None:
        return proc.wait(timeout=300)
    time.sleep(kill_after)
    proc.send_signal(signal.SIGKILL)
    return proc.wait()


@pytest.mark.parametrize("db", ["sqlite", "postgresql"])
def test_sigkill_at_random_points_loses_and_doubles_nothing(tmp_path, db, request):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}" if db == "sqlite" else request.getfixturevalue("pg_url")
    res, env = cycle_with_mails(tmp_path / "var", url, MESSAGES)
    env = {**env, "NIANBAO_INTAKE_BATCH": "10"}  # small transactions, so a kill lands between some of them
    rng = random.Random(7)
    progress = []
    for _ in range(6):  # trials: each run is killed somewhere between start-up and the middle of the work
        run_intake(env, rng.uniform(1.0, 3.0))
        with unit_of_work(res.db) as s:
            progress.append(s.scalar(select(func.count()).select_from(InboundMessage)))
    assert any(0 < p < MESSAGES for p in progress), progress  # kills did land in the middle of the work
    assert run_intake(env, None) == 0  # a clean run finishes the rest
    with unit_of_work(res.db) as s:
        stored = s.scalar(select(func.count()).select_from(InboundMessage))
        replies = s.scalars(select(OutboxMessage.key).where(OutboxMessage.key.like("reply/%"))).all()
    assert stored == MESSAGES
    assert len(replies) == len(set(replies)) == MESSAGES
    inbox = res.open_inbox()
    assert list(inbox.fetch()) == []  # every mail marked processed
    inbox.close()
