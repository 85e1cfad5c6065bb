"""Kill the intake (SIGKILL) at random points while it works through a few hundred mails, re-run it,
and check every mail ends stored once and answered once: nothing lost, nothing doubled."""

from __future__ import annotations

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


def stored(res) -> int:
    with unit_of_work(res.db) as s:
        return s.scalar(select(func.count()).select_from(InboundMessage))


def run_intake(env: dict, res=None, kill_after: int | None = None, extra: float = 0.0) -> int:
    """Run `nianbao intake`; with ``kill_after``, SIGKILL it once that many more mails are stored (plus
    ``extra`` seconds): watching progress, not the clock, so the kill lands mid-run however fast it is."""
    proc = subprocess.Popen([sys.executable, "-m", "nianbao.cli", "intake", "--json"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if kill_after is None:
        return proc.wait(timeout=300)
    target, deadline = stored(res) + kill_after, time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline and stored(res) < target:
        time.sleep(0.005)
    time.sleep(extra)  # somewhere in the next transaction, between commit and marking, or after
    proc.send_signal(signal.SIGKILL)
    return proc.wait()


@pytest.mark.parametrize("db", ["sqlite", "postgresql"])
def test_sigkill_at_random_points_loses_and_doubles_nothing(tmp_path, db, request):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}" if db == "sqlite" else request.getfixturevalue("pg_url")
    res, env = cycle_with_mails(tmp_path / "var", url, MESSAGES)
    env = {**env, "NIANBAO_INTAKE_BATCH": "10"}  # small transactions, so a kill lands between some of them
    rng = random.Random(7)
    progress = []
    for _ in range(6):  # trials: each run is killed after a few more mails, at a random moment
        run_intake(env, res, kill_after=rng.randint(1, 30), extra=rng.uniform(0.0, 0.05))
        progress.append(stored(res))
    assert any(0 < p < MESSAGES for p in progress), progress  # kills did land in the middle of the work
    assert run_intake(env) == 0  # a clean run finishes the rest
    with unit_of_work(res.db) as s:
        replies = s.scalars(select(OutboxMessage.key).where(OutboxMessage.key.like("reply/%"))).all()
    assert stored(res) == MESSAGES
    assert len(replies) == len(set(replies)) == MESSAGES
    inbox = res.open_inbox()
    assert list(inbox.fetch()) == []  # every mail marked processed
    inbox.close()
