"""Working days, the cycle plan and which reminder is due, on China's calendar with its 调休 days."""

from __future__ import annotations

import datetime as dt

import pytest

from nianbao.completeness import UnitState, reporting_rates
from nianbao.plan import build_plan, due_slots, plan_rows
from nianbao.workdays import WorkCalendar

D = dt.date


@pytest.fixture
def cal(city):
    return WorkCalendar(city.calendar)


@pytest.mark.parametrize("day", ["2026-01-02", "2026-02-16", "2026-02-20", "2026-02-23"])
def test_2026_statutory_days_off(cal, day):
    assert not cal.is_workday(D.fromisoformat(day))


@pytest.mark.parametrize("day", ["2026-01-04", "2026-02-14", "2026-02-28"])
def test_2026_make_up_working_days(cal, day):
    assert cal.is_workday(D.fromisoformat(day)) and cal.day_kind(D.fromisoformat(day)) == "调休上班"


def test_working_days_are_counted_across_the_spring_festival(cal):
    assert cal.add_workdays(D(2026, 2, 13), 1) == D(2026, 2, 14)  # a make-up Saturday
    assert cal.add_workdays(D(2026, 2, 14), 1) == D(2026, 2, 24)
    assert cal.workdays_between(D(2026, 2, 13), D(2026, 2, 24)) == 2


def test_a_year_the_package_does_not_cover_uses_the_provisional_override_and_says_so(cal):
    cov = cal.coverage(2027)
    assert cov.source == "override" and cov.provisional and cov.detail
    assert cal.coverage(2031).source == "weekends"


def test_2027_deadlines_move_off_the_weekend_and_the_spring_festival_with_warnings(city, cal):
    plan = build_plan(city, 2026, cal)
    enforcement, report = plan.deadline("enforcement"), plan.deadline("report")
    assert (enforcement.nominal, enforcement.effective) == (D(2027, 1, 31), D(2027, 2, 1))
    assert report.nominal == D(2027, 2, 10) and report.moved and cal.is_workday(report.effective)
    assert any("2月10日" in w and "顺延" in w for w in plan.warnings)
    assert any("预估" in w and "config/calendar.yaml" in w for w in plan.warnings)  # 2027 is an override


def test_every_planned_mail_falls_on_a_working_day(city, cal):
    plan = build_plan(city, 2026, cal)
    assert all(cal.is_workday(s.day) for s in plan.slots) and cal.is_workday(plan.open_day)
    assert all(cal.is_workday(r["date"]) for r in plan_rows(plan, cal))


def test_a_second_run_on_the_same_day_sends_nothing(city, cal):
    plan = build_plan(city, 2026, cal)
    first = due_slots(plan, D(2027, 1, 25), set(), cal)
    assert [s.slot for s in first] == ["before-5"]
    assert due_slots(plan, D(2027, 1, 25), {(s.deadline, s.slot) for s in first}, cal, sent_today=True) == []


def test_a_late_run_sends_only_the_latest_slot(city, cal):
    plan = build_plan(city, 2026, cal)
    (slot,) = due_slots(plan, D(2027, 1, 29), set(), cal)  # before-5 and before-2 were missed
    assert (slot.deadline, slot.slot) == ("enforcement", "before-1")


def test_after_the_deadline_only_overdue_notices_are_sent(city, cal):
    plan = build_plan(city, 2026, cal)
    (slot,) = due_slots(plan, D(2027, 2, 3), {("enforcement", "before-1")}, cal)
    assert slot.kind == "overdue"


def test_nothing_is_sent_on_a_holiday(city, cal):
    plan = build_plan(city, 2026, cal)
    assert due_slots(plan, D(2027, 2, 8), set(), cal) == []


def test_units_added_or_removed_mid_cycle_never_push_rates_over_100_percent():
    states = [UnitState(c, c, "on_time", None) for c in ("A", "B", "C")]  # C was removed after opening
    rates = reporting_rates(states, {"A", "B"})
    assert (rates.expected, rates.actual, rates.rate) == (2, 2, 100.0)


def test_walking_the_whole_cycle_gives_each_unit_at_most_one_mail_a_day(city, cal):
    plan = build_plan(city, 2026, cal)
    sent: dict[str, set] = {"early": set(), "never": set()}
    log = []
    day = D(2027, 1, 2)
    while day <= D(2027, 2, 20):
        for unit in ("early", "never"):
            if unit == "early" and day >= D(2027, 1, 27):
                continue  # reported on 27 January
            for slot in due_slots(plan, day, sent[unit], cal):
                sent[unit].add((slot.deadline, slot.slot))
                log.append((day, unit, slot.slot))
        day += dt.timedelta(days=1)
    days = [d for d, u, _ in log if u == "never"]
    assert len(days) == len(set(days)) and all(cal.is_workday(d) for d in days)
    assert [s for _, u, s in log if u == "early"] == ["before-5"]
    assert any(s.startswith("overdue") for _, u, s in log if u == "never")


def test_a_deadline_kept_on_a_day_off_stays_and_reminders_precede_it(city, cal):
    from dataclasses import replace

    kept = replace(city, calendar=city.calendar.model_copy(update={"deadline_on_holiday": "keep"}))
    plan = build_plan(kept, 2026, WorkCalendar(kept.calendar))
    report = plan.deadline("report")
    assert report.effective == report.nominal == D(2027, 2, 10) and not report.moved
    assert any("不顺延" in w for w in plan.warnings)
    assert all(s.day < report.effective for s in plan.slots if s.deadline == "report" and s.kind == "reminder")


def test_on_time_means_before_midnight_shanghai_after_the_effective_deadline(city, cal):
    import pendulum

    from nianbao.plan import is_on_time

    plan = build_plan(city, 2026, cal)
    last = pendulum.datetime(2027, 2, 12, 23, 59, 59, tz="Asia/Shanghai")
    assert is_on_time(plan, "report", last)
    assert not is_on_time(plan, "report", last.add(seconds=1))
    assert not is_on_time(plan, "report", pendulum.datetime(2027, 2, 12, 16, 0, 1, tz="UTC"))  # 00:00:01 in Shanghai


def test_an_accepted_workbook_outranks_held_which_outranks_rejected():
    import pendulum

    from nianbao.completeness import unit_status

    end = pendulum.datetime(2027, 2, 13, tz="Asia/Shanghai")
    early, late = end.subtract(days=1), end.add(hours=1)
    assert unit_status(early, True, True, end) == "on_time"
    assert unit_status(late, True, True, end) == "late"
    assert unit_status(None, True, True, end) == "held"
    assert unit_status(None, True, False, end) == "rejected"
    assert unit_status(None, False, False, end) == "missing"


def test_digests_run_every_working_day_from_opening_to_the_draft(city, cal):
    plan = build_plan(city, 2026, cal)
    assert plan.digest_days[0] == plan.open_day and plan.digest_days[-1] == plan.draft_day
    assert all(cal.is_workday(d) for d in plan.digest_days)
    assert plan.draft_day == cal.add_workdays(max(d.effective for d in plan.deadlines), city.calendar.draft_after)
