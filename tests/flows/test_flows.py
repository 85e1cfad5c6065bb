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
