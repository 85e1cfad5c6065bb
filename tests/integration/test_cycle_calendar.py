"""A whole cycle with the clock set, 2 January → 20 February 2027: who got which mail on which day,
with the Spring Festival covering the 10 February deadline."""

from __future__ import annotations

import datetime as dt

import pendulum
from sqlalchemy import select

from nianbao.db.models import OutboxMessage, Reminder
from nianbao.db.session import unit_of_work
from nianbao.mail.outbox import deliver_pending
from nianbao.intake.run import poll_inbox
from nianbao.stages.open_cycle import open_cycle
from nianbao.stages.remind import remind
from nianbao.workdays import WorkCalendar
from tests.factories import filled, mail_in, resources, unit_mail


def test_reminders_and_notices_fall_on_the_planned_working_days(settings, db_url):
    res = resources(settings, db_url, pendulum.datetime(2027, 1, 2, 9, tz="Asia/Shanghai"))
    cal = WorkCalendar(res.config.calendar)
    early, silent = res.config.reporting_units[0], res.config.reporting_units[1]
    others = res.config.reporting_units[2:]
    day = dt.date(2027, 1, 2)
    while day <= dt.date(2027, 2, 20):
        res.clock.set(pendulum.datetime(day.year, day.month, day.day, 9, tz="Asia/Shanghai"))
        if day == dt.date(2027, 1, 4):
            open_cycle(res, 2026)
        if day >= dt.date(2027, 1, 4):
            remind(res, 2026)
        if day == dt.date(2027, 1, 8):
            mail_in(res, unit_mail(res, early, 2026, filled(res, early, 2026)))
        if day == dt.date(2027, 1, 20):
            for u in others:
                mail_in(res, unit_mail(res, u, 2026, filled(res, u, 2026)))
        poll_inbox(res)
        deliver_pending(res.db, res.store, res.transport, res.clock)
        day += dt.timedelta(days=1)
    with unit_of_work(res.db) as s:
        rows = s.scalars(select(Reminder).order_by(Reminder.created_at)).all()
        sent = {(r.unit_code, r.deadline, r.slot): pendulum.instance(r.created_at).in_timezone("Asia/Shanghai").date()
                for r in rows}
        kinds = s.scalars(select(OutboxMessage.kind)).all()
    mine = {k[1:]: d for k, d in sent.items() if k[0] == silent.code}
    assert mine[("enforcement", "before-5")] == dt.date(2027, 1, 25)
    assert mine[("enforcement", "before-1")] == dt.date(2027, 1, 29)
    assert mine[("enforcement", "overdue-1")] == dt.date(2027, 2, 3)
    assert all(cal.is_workday(d) for d in sent.values())
    assert not any(dt.date(2027, 2, 5) <= d <= dt.date(2027, 2, 11) for d in sent.values())  # Spring Festival
    assert not any(k[0] == early.code for k in sent)  # reported on time: never reminded
    assert not any(k[0] in {u.code for u in others} and d > dt.date(2027, 1, 20) for k, d in sent.items())
    per_day = [(k[0], d) for k, d in sent.items()]
    assert len(per_day) == len(set(per_day))  # at most one mail a day per unit
    assert kinds.count("invitation") == len(res.config.reporting_units) and "digest" in kinds
    assert any(s.startswith("overdue") and dl == "report" for (u, dl, s) in sent if u == silent.code)
