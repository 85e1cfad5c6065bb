"""Intake by batches: one transaction per batch, read in the sandbox's processes, and the order of
files within a batch kept (a later file from the same unit replaces an earlier one)."""

from __future__ import annotations

import pendulum
import pytest
from sqlalchemy import select

from nianbao.db.models import InboundMessage, OutboxMessage, Submission
from nianbao.db.session import unit_of_work
from nianbao.intake.run import poll_inbox
from nianbao.stages.open_cycle import open_cycle
from tests import hostile
from tests.factories import filled, mail_in, resources, unit_mail

YEAR = 2026
OPEN = pendulum.datetime(2027, 1, 4, 9, tz="Asia/Shanghai")


@pytest.fixture
def res(settings, db_url):
    r = resources(settings, db_url, OPEN)
    open_cycle(r, YEAR)
    return r


def batched(res, size: int, processes: int):
    return res.with_(settings=res.settings.with_(intake_batch=size, intake_processes=processes))


def test_worker_processes_store_and_answer_every_mail_once(res):
    units = list(res.config.reporting_units)[:7]
    for unit in units:
        mail_in(res, unit_mail(res, unit, YEAR, filled(res, unit, YEAR)))
    report = poll_inbox(batched(res, size=3, processes=2))  # first batch full: workers read the mail
    assert sorted(a.unit.code for m in report.messages for a in m.attachments if a.status == "accepted") == \
        sorted(u.code for u in units)
    with unit_of_work(res.db) as s:
        assert len(s.scalars(select(InboundMessage.id)).all()) == 7
        assert len(s.scalars(select(OutboxMessage.key).where(OutboxMessage.key.like("reply/%"))).all()) == 7
    assert poll_inbox(res).messages == []  # all marked processed


def test_later_file_of_the_same_unit_in_one_batch_supersedes_the_earlier(res):
    unit = list(res.config.reporting_units)[0]
    first = second = filled(res, unit, YEAR)  # two mails (own Message-IDs) with the same workbook
    mail_in(res, unit_mail(res, unit, YEAR, first, n=1))
    mail_in(res, unit_mail(res, unit, YEAR, second, n=2))
    poll_inbox(batched(res, size=10, processes=1))
    with unit_of_work(res.db) as s:
        subs = s.scalars(select(Submission).where(Submission.unit_code == unit.code).order_by(Submission.id)).all()
    assert [x.status for x in subs] == ["superseded", "accepted"]
    assert subs[1].supersedes_id == subs[0].id


def test_a_resubmission_in_a_later_run_supersedes_the_stored_one(res):
    unit = list(res.config.reporting_units)[0]
    mail_in(res, unit_mail(res, unit, YEAR, filled(res, unit, YEAR), n=1))
    poll_inbox(res)
    corrected = filled(res, unit, YEAR, narratives=[("F1", "highlight", "补充了一条工作亮点。")])
    mail_in(res, unit_mail(res, unit, YEAR, corrected, n=2))  # a correction: the same bytes again are 'unchanged'
    poll_inbox(res)
    with unit_of_work(res.db) as s:
        subs = s.scalars(select(Submission).where(Submission.unit_code == unit.code).order_by(Submission.id)).all()
    assert [x.status for x in subs] == ["superseded", "accepted"]
    assert subs[1].supersedes_id == subs[0].id


def test_a_workbook_that_kills_its_sandbox_process_costs_only_its_own_mail(res):
    """A real calamine abort (an .ods asking for ~100 million cells, over the child's memory limit):
    the batch's other mails are stored and answered, this one is answered too, nothing is retried."""
    units = list(res.config.reporting_units)[:5]
    for n, unit in enumerate(units):
        mail_in(res, unit_mail(res, unit, YEAR, filled(res, unit, YEAR), n=n))
    mail_in(res, hostile.mail_with(res, "报表.ods", hostile.ods_cell_flood()))
    report = poll_inbox(batched(res, size=3, processes=2))
    accepted = sorted(a.unit.code for m in report.messages for a in m.attachments if a.status == "accepted")
    assert accepted == sorted(u.code for u in units)
    flood = next(m for m in report.messages if m.attachments and m.attachments[0].filename == "报表.ods")
    assert flood.attachments[0].status == "rejected" and "超时或占用资源过多" in flood.attachments[0].reasons[0]
    with unit_of_work(res.db) as s:
        assert len(s.scalars(select(OutboxMessage.key).where(OutboxMessage.key.like("reply/%"))).all()) == 6
    assert poll_inbox(res).messages == []
