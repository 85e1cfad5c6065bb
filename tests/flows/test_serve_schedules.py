"""`nianbao serve` against a real `prefect server`: the server's scheduler turns the deployments' schedules
into runs (the Upcoming list), in the city's time zone, and a run that falls due is executed by serve
and completes — what never happened on a fresh install while SQLAlchemy 2.1 broke the scheduler.

One serve process for the module, on its own server: intake is given a schedule of every minute (a copy of
prefect.yaml through NIANBAO_PREFECT_YAML) and two units' mails wait in the Maildir. The run's logs,
read back through the API, say in Chinese what it did with each mail (served runs log at INFO)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pendulum
import pytest
import yaml

from nianbao.settings import REPO_ROOT
from tests.conftest import running_prefect_server
from tests.factories import cycle_with_mails

pytestmark = pytest.mark.slow

SCHEDULED = {"open-cycle", "intake", "remind", "draft", "disclose"}
MAILS = 2


def api(server, method: str, path: str, body: dict | None = None, tries: int = 8):
    """One call to the server's REST API. A 503 (the server's SQLite busy while serve writes, as on a loaded
    CI host) or 429/502 is tried again after a pause, as Prefect's own client does."""
    import json
    import urllib.error
    import urllib.request

    for attempt in range(tries):
        req = urllib.request.Request(f"{server['url']}{path}", method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return json.loads(r.read() or b"null")
        except urllib.error.HTTPError as exc:
            if exc.code not in (429, 502, 503) or attempt == tries - 1:
                raise
        time.sleep(min(2 ** attempt, 15))


def deployments(server) -> dict[str, dict]:
    return {d["name"]: d for d in api(server, "POST", "/deployments/filter", {})}


def runs_of(server, deployment_id: str, *states: str) -> list[dict]:
    flt = {"deployment_id": {"any_": [deployment_id]}}
    if states:
        flt["state"] = {"type": {"any_": list(states)}}
    return api(server, "POST", "/flow_runs/filter", {"flow_runs": flt, "sort": "EXPECTED_START_TIME_ASC"})


def serve_env(server, tmp_path, env: dict, schedules: dict[str, str] | None = None) -> dict:
    """The environment of a `nianbao serve` on ``server`` — as an administrator starts it, so without
    PREFECT_LOGGING_LEVEL — with prefect.yaml's crons replaced by ``schedules`` (name → cron)."""
    specs = yaml.safe_load((REPO_ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    for spec in specs["deployments"]:
        if spec["name"] in (schedules or {}):
            spec["schedules"] = [{"cron": schedules[spec["name"]], "timezone": "Asia/Shanghai"}]
    path = tmp_path / "prefect.yaml"
    path.write_text(yaml.safe_dump(specs, allow_unicode=True), encoding="utf-8")
    out = {**env, **{k: v for k, v in server["env"].items() if k.startswith("PREFECT_")},
           "NIANBAO_PREFECT_YAML": str(path)}
    out.pop("PREFECT_LOGGING_LEVEL", None)
    return out


def wait_for(what, timeout: float, proc: subprocess.Popen | None = None, every: float = 1.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = what()
        if found:
            return found
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"serve ended early:\n{proc.stdout.read().decode(errors='replace')[-3000:]}")
        time.sleep(every)
    raise AssertionError(f"not within {timeout} s")


def stop(proc: subprocess.Popen) -> int:
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=90)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """(server, the intake run that completed, the units whose mails wait) after serve ran until one scheduled intake run finished."""
    tmp = tmp_path_factory.mktemp("served")
    home = tmp / "prefect-home"
    home.mkdir()
    with running_prefect_server(home) as server:
        data = tmp / "var"
        res, env = cycle_with_mails(data, f"sqlite:///{data / 'nianbao.db'}", MAILS)
        env = serve_env(server, tmp, env, {"intake": "* * * * *"})
        proc = subprocess.Popen([sys.executable, "-m", "nianbao.cli", "serve"], cwd=REPO_ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            found = wait_for(lambda: (d := deployments(server)) and SCHEDULED <= set(d) and d, 180, proc)
            done = wait_for(lambda: runs_of(server, found["intake"]["id"], "COMPLETED", "FAILED", "CRASHED"),
                            300, proc, every=3)
        finally:
            assert stop(proc) == 0, proc.stdout.read().decode(errors="replace")[-3000:]
        yield server, done[0], list(res.config.reporting_units)[:MAILS]


def test_the_servers_scheduler_creates_the_next_runs_of_every_schedule(served):
    server, _, _ = served
    found = deployments(server)
    for name in SCHEDULED:
        upcoming = runs_of(server, found[name]["id"], "SCHEDULED")
        assert upcoming and all(r["auto_scheduled"] for r in upcoming), name  # made by the scheduler, not by serve


def test_scheduled_runs_fall_at_the_city_time_of_their_cron(served):
    server, _, _ = served
    remind = runs_of(server, deployments(server)["remind"]["id"], "SCHEDULED")
    times = [pendulum.parse(r["expected_start_time"]).in_timezone("Asia/Shanghai") for r in remind]
    assert times and all((t.hour, t.minute, t.second) == (9, 0, 0) and t.month in (1, 2, 3) for t in times)
    assert all(pendulum.parse(r["expected_start_time"]).in_timezone("UTC").hour == 1 for r in remind)


def test_a_deployment_that_falls_due_is_run_by_serve_and_completes(served):
    _, run, _ = served
    assert run["state_type"] == "COMPLETED", run["state"]
    assert run["auto_scheduled"] and run["name"].startswith("收件 ")  # named by what it is


def test_the_served_intake_run_logs_a_chinese_line_per_mail(served):
    server, run, units = served
    logs = api(server, "POST", "/logs/filter", {"logs": {"flow_run_id": {"any_": [run["id"]]}},
                                                "sort": "TIMESTAMP_ASC"})
    lines = [entry["message"] for entry in logs if entry["level"] >= 20]
    for unit in units:
        said = [line for line in lines if line.startswith(f"收到 {unit.contacts[0]} 的邮件")]
        assert len(said) == 1 and f"{unit.name}已接收" in said[0], lines
        assert any(line.startswith("已发送“回执") and unit.contacts[0] in line for line in lines), lines
    assert any(f"本次收取 {MAILS} 封邮件" in line for line in lines), lines
