"""prefect.yaml's cron schedules fire on every day the calendar plan needs its flow (Asia/Shanghai)."""

from __future__ import annotations

import asyncio
import datetime as dt

import pendulum
import pytest

from flows.serve import load_deployments
from nianbao.plan import build_plan
from nianbao.workdays import WorkCalendar

SPECS = {d["name"]: d for d in load_deployments()}


def fire_times(name: str, start: pendulum.DateTime, end: pendulum.DateTime) -> set[tuple[dt.date, int]]:
    from prefect.server.schemas.schedules import CronSchedule

    out = set()
    for spec in SPECS[name]["schedules"]:
        sched = CronSchedule(cron=spec["cron"], timezone=spec["timezone"])
        day = start
        while day < end:  # Prefect looks at most 1,000 candidates per call: ask one day at a time
            dates = sched.get_dates(n=100, start=day, end=day.add(days=1).subtract(seconds=1))
            dates = asyncio.run(dates) if asyncio.iscoroutine(dates) else dates
            out |= {(pendulum.instance(d).in_timezone("Asia/Shanghai").date(),
                     pendulum.instance(d).in_timezone("Asia/Shanghai").hour) for d in dates}
            day = day.add(days=1)
    return out


@pytest.fixture(scope="module")
def window():
    return pendulum.datetime(2027, 1, 1, tz="Asia/Shanghai"), pendulum.datetime(2027, 3, 31, 23, tz="Asia/Shanghai")


def test_open_cycle_fires_on_the_planned_open_day(city, window):
    plan = build_plan(city, 2026)
    assert (plan.open_day, city.calendar.send_hour) in fire_times("open-cycle", *window)


def test_remind_fires_on_every_reminder_overdue_and_digest_day(city, window):
    plan = build_plan(city, 2026)
    fired = fire_times("remind", *window)
    for day in [s.day for s in plan.slots] + plan.digest_days:
        assert (day, city.calendar.send_hour) in fired, day


def test_draft_fires_on_the_draft_day(city, window):
    plan = build_plan(city, 2026)
    assert any(d == plan.draft_day for d, _ in fire_times("draft", *window))


def test_intake_polls_every_working_day_of_the_cycle(city, window):
    plan = build_plan(city, 2026)
    cal = WorkCalendar(city.calendar)
    polled = {d for d, _ in fire_times("intake", *window)}
    day = plan.open_day
    while day <= plan.draft_day:
        assert not cal.is_workday(day) or day in polled, day
        day += dt.timedelta(days=1)


def test_disclose_fires_on_the_moved_enforcement_deadline(city, window):
    deadline = build_plan(city, 2026).deadline("enforcement").effective  # 31 January 2027 is a Sunday
    assert (deadline, 17) in fire_times("disclose", *window)
