"""The administrator hears of mail that does not go out: a run after mail.yaml's alert_after_minutes
(30) of undelivered mail ends Failed with the reason, and the failure automation runs the alert flow."""

from __future__ import annotations

import shutil
import socket
import time

import pytest
from prefect import get_client, tags
from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterName

from flows.cycle import intake_flow, open_cycle_flow

pytestmark = pytest.mark.slow


@pytest.fixture
def smtp_down(flow_env, tmp_path, monkeypatch):
    """Outbound SMTP on a loopback port nobody listens on."""
    from nianbao.settings import REPO_ROOT

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "config", config)
    (config / "mail.yaml").write_text(
        f"outbound: {{backend: smtp, host: 127.0.0.1, port: {port}, security: none, timeout: 2}}\n", encoding="utf-8")
    monkeypatch.setenv("NIANBAO_CONFIG", str(config))
    return port


def test_undelivered_mail_fails_the_run_only_after_the_threshold(smtp_down):
    assert len(open_cycle_flow(year=2026, today="2027-01-04 09:00")) == 22  # queued; the server is down
    assert intake_flow(year=2026, today="2027-01-04 09:20", return_state=True).is_completed()
    state = intake_flow(year=2026, today="2027-01-04 09:31", return_state=True)
    assert state.is_failed()
    assert state.message.startswith("发件箱中有 22 封邮件超过 30 分钟未能发出") and "连接被拒绝" in state.message


def test_a_stuck_outbox_triggers_the_alert_flow_through_the_failure_automation(smtp_down):
    from flows.alerts import alert_flow, install_alert

    alert_flow.to_deployment(name="alert").apply()
    install_alert()
    open_cycle_flow(year=2026, today="2027-01-04 09:00")
    time.sleep(2)  # the automation is loaded by the server's triggers service
    with tags("nianbao"):  # as every deployment of prefect.yaml tags its runs
        failed = intake_flow(year=2026, today="2027-01-04 10:00", return_state=True)
    assert failed.is_failed()
    deadline = time.monotonic() + 90
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            runs = client.read_flow_runs(deployment_filter=DeploymentFilter(name=DeploymentFilterName(any_=["alert"])))
            mine = [r for r in runs if r.parameters.get("message") == failed.message]
            if mine:
                break
            time.sleep(1)
    assert mine, "the automation did not run the alert deployment"
    assert mine[0].parameters["flow_name"] == "intake" and mine[0].parameters["state"] == "Failed"


def test_while_mail_is_down_one_alert_per_flow_waits_in_the_outbox_not_one_per_run(smtp_down):
    from flows.alerts import alert_flow

    args = dict(flow_name="intake", state="Failed", message="发件箱中有邮件未能发出。")
    assert alert_flow(failed_run_id="run-1", failed_run_name="收件 1", **args) is True
    assert alert_flow(failed_run_id="run-2", failed_run_name="收件 2", **args) is False
    assert alert_flow(failed_run_id="run-3", flow_name="remind", state="Failed", message="x") is True
