"""prefect.yaml applied to a real `prefect server start`: deployments, schedules and next runs in
Asia/Shanghai, agreeing with the calendar plan."""

from __future__ import annotations

import subprocess
import sys

import pendulum
import pytest
from prefect.client.orchestration import get_client

from nianbao.settings import REPO_ROOT

DEPLOYMENTS = {"open-cycle", "intake", "remind", "draft", "disclose"}


def prefect_cli(server, *args: str) -> subprocess.CompletedProcess:
    env = {**server["env"], "NIANBAO_HOME": str(REPO_ROOT)}
    return subprocess.run([sys.executable, "-m", "prefect", *args], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=180)


@pytest.fixture(scope="module")
def deployed(prefect_server):
    prefect_cli(prefect_server, "work-pool", "create", "nianbao", "--type", "process", "--overwrite")
    done = prefect_cli(prefect_server, "--no-prompt", "deploy", "--all")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return prefect_server


def _deployments():
    with get_client(sync_client=True) as client:
        return {d.name: d for d in client.read_deployments() if d.name in DEPLOYMENTS}


def test_prefect_deploy_all_registers_every_flow(deployed):
    found = _deployments()
    assert set(found) == DEPLOYMENTS
    assert all(d.work_pool_name == "nianbao" for d in found.values())


def test_schedules_are_cron_in_shanghai_time(deployed):
    for d in _deployments().values():
        assert d.schedules, d.name
        for s in d.schedules:
            assert s.schedule.timezone == "Asia/Shanghai"


def test_next_remind_runs_are_at_nine_in_shanghai(deployed):
    """The schedule as the server stored it, expanded by Prefect's own server-side schedule logic."""
    import asyncio

    from prefect.server.schemas.schedules import CronSchedule as ServerCron

    stored = _deployments()["remind"].schedules[0].schedule
    server_side = ServerCron(cron=stored.cron, timezone=stored.timezone, day_or=stored.day_or)
    start = pendulum.datetime(2027, 1, 1, tz="Asia/Shanghai")
    dates = server_side.get_dates(n=40, start=start)
    dates = asyncio.run(dates) if asyncio.iscoroutine(dates) else dates
    times = [pendulum.instance(d).in_timezone("Asia/Shanghai") for d in dates]
    assert times[0] == pendulum.datetime(2027, 1, 1, 9, tz="Asia/Shanghai")
    assert all((t.hour, t.minute) == (9, 0) for t in times)
    assert pendulum.datetime(2027, 2, 1, 9, tz="Asia/Shanghai") in times  # the effective enforcement deadline
