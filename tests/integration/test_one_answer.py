"""One clerk, one answer: the same bytes as the unit's current version are no new version and no review
item, only a short receipt; the administrators are copied on a hold once a unit a day."""

from __future__ import annotations

import pendulum
from sqlalchemy import select

from nianbao.db.models import OutboxMessage, Submission
from nianbao.db.session import unit_of_work
from nianbao.intake.run import poll_inbox
from nianbao.stages.send import send_outbox
from tests.factories import filled, mail_in, opened, unit_mail

YEAR = 2026
OPEN = pendulum.datetime(2027, 1, 4, 9, tz="Asia/Shanghai")


def replies(res) -> list[OutboxMessage]:
    with unit_of_work(res.db) as s:
        return s.scalars(select(OutboxMessage).where(OutboxMessage.key.like("reply/%")).order_by(OutboxMessage.id)).all()


def test_the_same_workbook_sent_five_times_across_runs_makes_no_review_item(settings, db_url):
    res = opened(settings, db_url, OPEN, YEAR)
    unit = res.config.reporting_units[0]
    book = filled(res, unit, YEAR)
    for n in range(1, 6):
        res.clock.set(OPEN.add(minutes=15 * n))
        mail_in(res, unit_mail(res, unit, YEAR, book, n=n))
        poll_inbox(res)
        send_outbox(res)
    with unit_of_work(res.db) as s:
        statuses = s.scalars(select(Submission.status).where(Submission.unit_code == unit.code)).all()
    assert statuses == ["accepted"]
    answers = replies(res)
    assert [r.kind for r in answers] == ["receipt"] + ["unchanged"] * 4
    assert all(r.recipients == [unit.contacts[0]] for r in answers)  # no copy to the administrators
    assert "与已接收版本相同，无需重复报送" in answers[-1].subject


def test_a_changed_workbook_after_the_same_one_is_a_new_version(settings, db_url):
    res = opened(settings, db_url, OPEN, YEAR)
    unit = res.config.reporting_units[0]
    book = filled(res, unit, YEAR, F1_01=5)
    for n, data in enumerate([book, book, filled(res, unit, YEAR, F1_01=6)], 1):
        res.clock.set(OPEN.add(minutes=15 * n))
        mail_in(res, unit_mail(res, unit, YEAR, data, n=n))
        poll_inbox(res)
    with unit_of_work(res.db) as s:
        statuses = s.scalars(select(Submission.status).where(Submission.unit_code == unit.code)
                             .order_by(Submission.id)).all()
    assert statuses == ["superseded", "accepted"]


def test_the_administrators_are_copied_on_a_units_holds_once_a_day(settings, db_url):
    res = opened(settings, db_url, OPEN, YEAR)
    unit = res.config.reporting_units[0]
    book = filled(res, unit, YEAR)
    times = [OPEN.add(hours=1), OPEN.add(hours=2), OPEN.add(hours=3), OPEN.add(days=1)]
    for n, at in enumerate(times, 1):
        res.clock.set(at)
        mail_in(res, unit_mail(res, unit, YEAR, book, sender="clerk@personal.example.cn", n=n))
        poll_inbox(res)
    admins = set(res.config.admin_emails)
    copied = [bool(admins & set(r.recipients)) for r in replies(res)]
    assert [r.kind for r in replies(res)] == ["held"] * 4
    assert copied == [True, False, False, True]  # the first hold of each day
