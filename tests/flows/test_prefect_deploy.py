"""prefect.yaml applied to a real `prefect server start`: deployments, schedules and next runs in
Asia/Shanghai, agreeing with the calendar plan."""

from __future__ import annotations

import subprocess
import sys

import pendulum
import pytest
from prefect.client.orchestration import get_client

from nianbao.settings import REPO_ROOT

DEPLOYMENTS = {"open-cycle", "intake", "remind", "draft"}


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


async def _deployments():
    async with get_client() as client:
        return {d.name: d for d in await client.read_deployments() if d.name in DEPLOYMENTS}


async def test_prefect_deploy_all_registers_every_flow(deployed):
    found = await _deployments()
    assert set(found) == DEPLOYMENTS
    assert all(d.work_pool_name == "nianbao" for d in found.values())


async def test_schedules_are_cron_in_shanghai_time(deployed):
    for d in (await _deployments()).values():
        assert d.schedules, d.name
        for s in d.schedules:
            assert s.schedule.timezone == "Asia/Shanghai"


async def test_next_remind_runs_are_at_nine_in_shanghai(deployed):
    remind = (await _deployments())["remind"]
    sched = remind.schedules[0].schedule
    start = pendulum.datetime(2027, 1, 1, tz="Asia/Shanghai")
    runs = [pendulum.instance(t).in_timezone("Asia/Shanghai") for t in
            await sched.get_dates(n=3, start=start)] if hasattr(sched, "get_dates") else []
    assert runs and all(r.hour == 9 and r.minute == 0 for r in runs)
    assert runs[0].date() == pendulum.date(2027, 1, 1)
