"""Decisions in the Prefect UI, through a real server's API: the review flow pauses on a held workbook
with a form and acts on the answer; the draft flow waits for approval before mailing the leaders; the
failure automation is created on the server; the artifacts are in Chinese, the unit first."""

from __future__ import annotations

import contextvars
import threading
import time

import pytest
from prefect import get_client
from prefect.client.schemas.filters import FlowFilter, FlowFilterName, FlowRunFilter, FlowRunFilterState, FlowRunFilterStateType
from prefect.client.schemas.objects import StateType
from prefect.flow_runs import resume_flow_run
from sqlalchemy import select

from nianbao.db.models import Cycle, Draft, Submission
from nianbao.db.session import unit_of_work
from nianbao.intake.run import poll_inbox
from nianbao.resources import make_resources
from nianbao.stages.open_cycle import open_cycle
from nianbao.stages.send import send_outbox
from tests.factories import filled, mail_in, unit_mail

pytestmark = pytest.mark.slow


def in_thread(fn, **kwargs) -> tuple[threading.Thread, dict]:
    """Run a flow that will pause, as a worker would, while the test answers it through the API."""
    ctx, out = contextvars.copy_context(), {}

    def run() -> None:
        try:
            out["value"] = ctx.run(fn, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            out["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, out


def paused_run(flow_name: str, seconds: float = 60):
    deadline = time.monotonic() + seconds
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            runs = client.read_flow_runs(
                flow_filter=FlowFilter(name=FlowFilterName(any_=[flow_name])),
                flow_run_filter=FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.PAUSED]))))
            if runs:
                return runs[0]
            time.sleep(0.5)
    raise AssertionError(f"no paused {flow_name} run")


def form_description(run) -> str:
    """What the UI shows above the paused run's form."""
    from prefect.input.actions import read_flow_run_input

    return read_flow_run_input(run.state.state_details.run_input_keyset["description"], flow_run_id=run.id)


@pytest.fixture
def cycle(flow_env):
    res = make_resources(today="2027-01-06", cached=False)
    open_cycle(res, 2026)
    return res


def test_the_review_flow_asks_about_a_held_workbook_and_releases_it(cycle):
    from flows.review import review_flow

    unit = cycle.config.reporting_units[0]
    mail_in(cycle, unit_mail(cycle, unit, 2026, filled(cycle, unit, 2026), sender="clerk@personal.example.com"))
    (held,) = [a for m in poll_inbox(cycle).messages for a in m.attachments]
    assert held.status == "held"
    thread, out = in_thread(review_flow, year=2026, timeout_hours=0.05)
    run = paused_run("review")
    shown = form_description(run)
    assert "发件人：clerk@personal.example.com" in shown
    assert "| 指标 | 本次填报 | 上年 |" in shown and str(cycle.settings.data_dir) not in shown  # no server path
    resume_flow_run(run.id, run_input={"decision": "接收", "reason": "", "by": "张科长"})
    thread.join(90)
    assert out.get("value") == {"release": 1}, out
    with unit_of_work(cycle.db) as s:
        statuses = sorted(s.scalars(select(Submission.status)).all())
    assert statuses == ["accepted", "released"]
    from nianbao.db.models import Decision

    with unit_of_work(cycle.db) as s:
        d = s.scalars(select(Decision)).one()
    assert (d.subject, d.choice, d.by) == ("submission", "release", "张科长")


def test_the_draft_waits_for_approval_and_mails_the_leaders_only_after_it(cycle, flow_env):
    from flows.cycle import draft_flow

    for unit in cycle.config.reporting_units[:3]:
        mail_in(cycle, unit_mail(cycle, unit, 2026, filled(cycle, unit, 2026)))
    poll_inbox(cycle)
    send_outbox(cycle)  # invitations and receipts out first: what follows is the draft alone
    outbox = flow_env / "mail" / "outbox"
    before = len(list(outbox.glob("*.eml")))
    thread, out = in_thread(draft_flow, year=2026, today="2027-02-20", approval=True)
    run = paused_run("draft")
    assert len(list(outbox.glob("*.eml"))) == before  # nothing for the leaders while it waits
    resume_flow_run(run.id, run_input={"decision": "批准", "by": "李主任", "reason": "同意"})
    thread.join(120)
    assert out.get("value", "").endswith(".docx"), out
    drafts = sorted(outbox.glob("*.eml"))
    assert len(drafts) == before + 1
    with unit_of_work(cycle.db) as s:
        row = s.scalars(select(Draft)).one()
        closed = s.scalar(select(Cycle.closed_at).where(Cycle.year == 2026))
    assert (row.approved_by, row.comment, row.delivered) == ("李主任", "同意", True)
    assert closed is None  # report.yaml: close_on_approval is off in the sample city


def test_approving_the_final_draft_in_the_ui_closes_the_cycle_when_config_says_so(flow_env, tmp_path, monkeypatch):
    import shutil

    from flows.cycle import draft_flow
    from nianbao.settings import REPO_ROOT

    config = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "config", config)
    report = config / "report.yaml"
    report.write_text(report.read_text(encoding="utf-8").replace("close_on_approval: false", "close_on_approval: true"),
                      encoding="utf-8")
    monkeypatch.setenv("NIANBAO_CONFIG", str(config))
    res = make_resources(today="2027-01-06", cached=False)
    assert res.config.report.close_on_approval
    open_cycle(res, 2026)
    unit = res.config.reporting_units[0]
    mail_in(res, unit_mail(res, unit, 2026, filled(res, unit, 2026)))
    poll_inbox(res)
    thread, out = in_thread(draft_flow, year=2026, today="2027-02-20", approval=True)
    run = paused_run("draft")
    assert "第 1 稿" in form_description(run)
    resume_flow_run(run.id, run_input={"decision": "批准", "by": "李主任", "reason": "定稿"})
    thread.join(120)
    assert out.get("value", "").endswith(".docx"), out
    with unit_of_work(res.db) as s:
        assert s.scalar(select(Cycle.closed_at).where(Cycle.year == 2026)) is not None


def test_the_failure_automation_is_created_once_on_the_server(prefect_server):
    from flows.alerts import ALERT_DEPLOYMENT, AUTOMATION, alert_flow, install_alert

    with get_client(sync_client=True) as client:
        alert_flow.to_deployment(name="alert").apply()
        install_alert()
        install_alert()  # twice: still one (several of one name would each fire)
        found = client.read_automations_by_name(AUTOMATION)
        deployment = client.read_deployment_by_name(ALERT_DEPLOYMENT)
    assert len(found) == 1
    (action,) = found[0].actions
    assert action.deployment_id == deployment.id and "prefect.flow-run.Failed" in found[0].trigger.expect
    related = found[0].trigger.match_related
    assert "prefect.tag.nianbao" in str(related)


def test_the_alert_flow_mails_the_administrators_once_per_failed_run(flow_env):
    from email import message_from_bytes, policy

    from flows.alerts import alert_flow

    args = dict(failed_run_id="0d1e2f", failed_run_name="brave-otter", flow_name="intake", state="Crashed",
                message="Worker exited")
    assert alert_flow(**args) is True
    assert alert_flow(**args) is False  # the automation fired twice for one run: one mail
    (sent,) = [message_from_bytes(p.read_bytes(), policy=policy.default)
               for p in (flow_env / "mail" / "outbox").glob("*.eml")]
    res = make_resources(cached=False)
    assert {a.addr_spec for a in sent["To"].addresses} == set(res.config.admin_emails)
    assert "“intake”运行失败" in sent["Subject"] and "异常中止" in sent.get_content()


def test_the_intake_artifact_is_in_chinese_with_the_unit_first_and_every_mail(cycle):
    from prefect.artifacts import Artifact

    from flows.cycle import intake_flow
    from tests.hostile import raw_mail

    unit = cycle.config.reporting_units[0]
    mail_in(cycle, unit_mail(cycle, unit, 2026, filled(cycle, unit, 2026)))
    mail_in(cycle, raw_mail({"From": unit.contacts[0].encode(), "Subject": b"hello", "Message-ID": b"<na@x.cn>"}))
    intake_flow(year=2026, today="2027-01-06")
    rows = __import__("json").loads(Artifact.get("intake-results").data)
    assert list(rows[0])[:3] == ["单位", "结果", "报送编号"] and len(rows) == 2
    assert {r["结果"] for r in rows} <= {"已接收", "已处理", "退回", "待核实"}
    assert any(r["原因"] == "没有报表附件" for r in rows)


def test_the_approval_form_is_in_chinese_and_decides_nothing_by_default(flow_env):
    from prefect._internal.pydantic.v2_schema import create_v2_schema

    from tasks.decisions import approval_form, review_form

    res = make_resources(cached=False)
    for make, options in ((approval_form, ["批准", "退回修改"]), (review_form, ["接收", "退回", "暂不处理"])):
        model = make(res.config).with_initial_data(description="x")
        schema = create_v2_schema(model.__name__, model_base=model)  # what Prefect stores for the UI
        props = schema["properties"]
        assert props["decision"]["enum"] == options and "default" not in props["decision"]
        assert {"decision", "by"} <= set(schema["required"]) and "default" not in props["by"]
        for field in props.values():
            assert all("\u4e00" <= ch <= "\u9fff" for ch in field["title"][:2]) and field["description"]


def test_a_returned_draft_needs_a_reason_and_is_recorded_with_the_name_and_time(cycle, flow_env):
    from flows.cycle import draft_flow
    from nianbao.db.models import Decision

    unit = cycle.config.reporting_units[0]
    mail_in(cycle, unit_mail(cycle, unit, 2026, filled(cycle, unit, 2026)))
    poll_inbox(cycle)
    thread, out = in_thread(draft_flow, year=2026, today="2027-02-20", approval=True)
    run = paused_run("draft")
    with pytest.raises(RuntimeError):  # the server checks the schema: 退回修改 without a reason is refused
        resume_flow_run(run.id, run_input={"decision": "退回修改", "by": "李主任"})
    resume_flow_run(run.id, run_input={"decision": "退回修改", "by": "李主任", "reason": "第二部分数据待核"})
    thread.join(120)
    assert out.get("value", "").endswith(".docx"), out
    with unit_of_work(cycle.db) as s:
        (d,) = s.scalars(select(Decision)).all()
        draft = s.scalars(select(Draft)).one()
    assert (d.subject, d.choice, d.by, d.reason) == ("draft", "return", "李主任", "第二部分数据待核")
    assert d.decided_at is not None and not draft.delivered and draft.approved_at is None


def test_a_rerun_with_a_draft_still_waiting_for_approval_pauses_again(cycle, flow_env):
    from flows.cycle import draft_flow
    from nianbao.stages.draft import make_draft

    unit = cycle.config.reporting_units[0]
    mail_in(cycle, unit_mail(cycle, unit, 2026, filled(cycle, unit, 2026)))
    poll_inbox(cycle)
    first = make_draft(cycle, 2026)  # an earlier run made draft 1 and was never answered
    thread, out = in_thread(draft_flow, year=2026, today="2027-02-20", approval=True)
    run = paused_run("draft")  # the same data: no new draft, yet the waiting one is asked about again
    assert f"第 {first.draft_id} 稿" in form_description(run)
    resume_flow_run(run.id, run_input={"decision": "批准", "by": "李主任"})
    thread.join(120)
    with unit_of_work(cycle.db) as s:
        row = s.scalars(select(Draft)).one()
    assert (row.id, row.approved_by, row.delivered) == (first.draft_id, "李主任", True)
