"""Real flow runs (shared local Prefect server): the cycle's flows act only when the plan says so."""

from __future__ import annotations

from email import message_from_bytes, policy

from flows.cycle import draft_flow, intake_flow, open_cycle_flow, remind_flow


def outbox(data_dir):
    return [message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in sorted((data_dir / "mail" / "outbox").glob("*.eml"))]


def test_open_cycle_before_the_open_day_does_nothing(flow_env):
    assert open_cycle_flow(year=2026, today="2027-01-01") == []
    assert not (flow_env / "mail" / "outbox").exists() or outbox(flow_env) == []


def test_a_scheduled_week_of_the_cycle_runs_through_the_flows(flow_env):
    invited = open_cycle_flow(year=2026, today="2027-01-04")
    assert len(invited) == 22 and len(outbox(flow_env)) == 22
    assert intake_flow(year=2026, today="2027-01-05") == 0
    assert remind_flow(year=2026, today="2027-01-09") == 0  # a Saturday: nothing is sent
    sent = remind_flow(year=2026, today="2027-01-25")  # 5 working days before 31 January (a Sunday)
    assert sent >= 22
    assert draft_flow(year=2026, today="2027-01-25") == ""  # the draft is not due yet


def test_a_failed_run_says_why_in_one_chinese_sentence_in_the_ui_and_the_alert(flow_env):
    from flows.alerts import alert_flow

    state = intake_flow(today="2027-13-01", return_state=True)
    assert state.is_failed()
    assert state.message == "日期“2027-13-01”无效，应为 YYYY-MM-DD（例如 2027-01-08）"  # what the UI shows
    alert_flow(failed_run_id="1", failed_run_name="收件 2027-13-01（补跑）", flow_name="intake", state="Failed",
               message=state.message)
    (mail,) = outbox(flow_env)
    body = mail.get_content()
    assert f"原因：{state.message}" in body and "encountered" not in body


def test_an_intake_run_leaves_a_mailbox_another_run_is_still_reading(flow_env):
    from nianbao.intake.mailbox_lock import mailbox_lock
    from nianbao.resources import make_resources
    from tests.factories import filled, unit_mail
    from nianbao.mail.inbox import deliver_to_maildir

    open_cycle_flow(year=2026, today="2027-01-04")
    res = make_resources(today="2027-01-06", cached=False)
    unit = list(res.config.reporting_units)[0]
    deliver_to_maildir(flow_env / "mail" / "inbox", unit_mail(res, unit, 2026, filled(res, unit, 2026)))
    with mailbox_lock(res.settings) as mine:  # a run still reading this mailbox
        assert mine
        assert intake_flow(year=2026, today="2027-01-06") == 0  # leaves it alone, the mail stays unread
    assert intake_flow(year=2026, today="2027-01-06") == 1  # the next run takes it
