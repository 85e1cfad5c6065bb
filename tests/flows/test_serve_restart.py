"""`nianbao serve` stopped (SIGTERM, as a service manager stops it) and started again, twice, leaves the
schedules as the administrator last set them: nothing paused by serve itself, a deployment the
administrator paused still paused, a schedule the administrator switched off still off."""

from __future__ import annotations

import os
import subprocess
import sys

import pendulum
import pytest

from nianbao.settings import REPO_ROOT
from tests.conftest import running_prefect_server
from tests.flows.test_serve_schedules import api, deployments, serve_env, stop, wait_for

pytestmark = pytest.mark.slow

ALL = {"open-cycle", "intake", "remind", "draft", "disclose", "review", "alert"}


def serve_until_registered(server, env) -> subprocess.Popen:
    """A serve process, once it has (re-)registered every deployment."""
    since = pendulum.now("UTC")
    proc = subprocess.Popen([sys.executable, "-m", "nianbao.cli", "serve"], cwd=REPO_ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    wait_for(lambda: (d := deployments(server)) and set(d) >= ALL
             and all(pendulum.parse(d[n]["updated"]) >= since for n in ALL), 180, proc)
    return proc


@pytest.fixture(scope="module")
def restarted(tmp_path_factory):
    """The deployments as the API shows them after: serve; the administrator pauses disclose and switches
    remind's schedule off; SIGTERM; serve again; SIGTERM."""
    tmp = tmp_path_factory.mktemp("restart")
    (tmp / "prefect-home").mkdir()
    with running_prefect_server(tmp / "prefect-home") as server:
        base = {k: v for k, v in os.environ.items() if k != "NIANBAO_DATABASE_URL"}
        env = serve_env(server, tmp, {**base, "NIANBAO_DATA": str(tmp / "var"), "NIANBAO_HMAC_SECRET": "restart"})
        for turn in (1, 2):
            proc = serve_until_registered(server, env)
            if turn == 1:
                found = deployments(server)
                api(server, "POST", f"/deployments/{found['disclose']['id']}/pause_deployment")
                remind = found["remind"]
                api(server, "PATCH", f"/deployments/{remind['id']}/schedules/{remind['schedules'][0]['id']}",
                    {"active": False})
            assert stop(proc) == 0, proc.stdout.read().decode(errors="replace")[-3000:]
        yield deployments(server)


def test_serve_stopped_and_started_twice_pauses_nothing_of_its_own(restarted):
    assert set(restarted) >= ALL
    assert {n for n, d in restarted.items() if d["paused"]} == {"disclose"}


def test_a_deployment_the_administrator_paused_stays_paused_across_restarts(restarted):
    assert restarted["disclose"]["paused"] is True
    assert restarted["disclose"]["schedules"]  # paused, its schedules kept for when it is resumed


def test_a_schedule_the_administrator_switched_off_stays_off_across_restarts(restarted):
    assert [s["active"] for s in restarted["remind"]["schedules"]] == [False]
    assert all(s["active"] for n in ("open-cycle", "intake", "draft") for s in restarted[n]["schedules"])
