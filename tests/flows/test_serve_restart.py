"""`nianbao serve` stopped (SIGTERM, as a service manager stops it) and started again, twice, leaves the
schedules as the administrator last set them: nothing paused by serve itself, a deployment the
administrator paused still paused, a schedule the administrator switched off still off. The runs that
fell due while it was down are caught up by one run, not all at once."""

from __future__ import annotations

import os
import subprocess
import sys

import pendulum
import pytest

from nianbao.settings import REPO_ROOT
from tests.conftest import running_prefect_server
from tests.flows.test_serve_schedules import api, deployments, runs_of, serve_env, stop, wait_for

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


def late_intake_runs(server, intake_id: str) -> list[dict]:
    now = pendulum.now("UTC")
    return [r for r in runs_of(server, intake_id, "SCHEDULED")
            if r["auto_scheduled"] and pendulum.parse(r["expected_start_time"]) < now]


@pytest.fixture(scope="module")
def restarted(tmp_path_factory):
    """After: serve (intake every minute); the administrator pauses disclose and switches remind's schedule
    off; SIGTERM; two intake runs fall due with no serve running; serve again; SIGTERM. Yields (the
    deployments as the API shows them, the server, the intake runs that were missed)."""
    tmp = tmp_path_factory.mktemp("restart")
    (tmp / "prefect-home").mkdir()
    with running_prefect_server(tmp / "prefect-home") as server:
        base = {k: v for k, v in os.environ.items() if k != "NIANBAO_DATABASE_URL"}
        env = serve_env(server, tmp, {**base, "NIANBAO_DATA": str(tmp / "var"), "NIANBAO_HMAC_SECRET": "restart"},
                        {"intake": "* * * * *"})
        missed: list[dict] = []
        for turn in (1, 2):
            proc = serve_until_registered(server, env)
            if turn == 1:
                found = deployments(server)
                api(server, "POST", f"/deployments/{found['disclose']['id']}/pause_deployment")
                remind = found["remind"]
                api(server, "PATCH", f"/deployments/{remind['id']}/schedules/{remind['schedules'][0]['id']}",
                    {"active": False})
            assert stop(proc) == 0, proc.stdout.read().decode(errors="replace")[-3000:]
            if turn == 1:
                missed = wait_for(lambda: (late := late_intake_runs(server, found["intake"]["id"]))
                                  and len(late) >= 2 and late, 200, every=5)
        yield deployments(server), server, missed


def test_serve_stopped_and_started_twice_pauses_nothing_of_its_own(restarted):
    restarted, _, _ = restarted
    assert set(restarted) >= ALL
    assert {n for n, d in restarted.items() if d["paused"]} == {"disclose"}


def test_a_deployment_the_administrator_paused_stays_paused_across_restarts(restarted):
    restarted, _, _ = restarted
    assert restarted["disclose"]["paused"] is True
    assert restarted["disclose"]["schedules"]  # paused, its schedules kept for when it is resumed


def test_a_schedule_the_administrator_switched_off_stays_off_across_restarts(restarted):
    restarted, _, _ = restarted
    assert [s["active"] for s in restarted["remind"]["schedules"]] == [False]
    assert all(s["active"] for n in ("open-cycle", "intake", "draft") for s in restarted[n]["schedules"])


def test_runs_missed_while_serve_was_down_are_caught_up_once_not_all_at_once(restarted):
    found, server, missed = restarted
    runs = [r for r in runs_of(server, found["intake"]["id"]) if r["auto_scheduled"]]  # by expected start
    said = [i for i, r in enumerate(runs) if r["state_type"] == "CANCELLED" and "错过的定时运行" in r["state"]["message"]]
    assert len(said) >= len(missed) - 1 >= 1 and said == list(range(said[0], said[-1] + 1))
    kept = runs[said[-1] + 1]  # the newest missed run: the one that catches up (a later stop of serve
    # may still cancel it while it runs on a loaded machine; it is never cancelled as a missed run)
    assert "错过的定时运行" not in ((kept.get("state") or {}).get("message") or "")
    at = pendulum.parse(kept["expected_start_time"]).in_timezone("Asia/Shanghai").format("YYYY-MM-DD HH:mm")
    assert all(f"只补跑最近一次（原定 {at}）" in runs[i]["state"]["message"] for i in said)
