"""Intake by batches: one transaction per batch, worker processes for a full batch, and the order of
files within a batch kept (a later file from the same unit replaces an earlier one)."""

from __future__ import annotations

import pendulum
import pytest
from sqlalchemy import select

from nianbao.db.models import InboundMessage, OutboxMessage, Submission
from nianbao.db.session import unit_of_work
from nianbao.stages.intake import poll_inbox
from nianbao.stages.open_cycle import open_cycle
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
    mail_in(res, unit_mail(res, unit, YEAR, first))
    mail_in(res, unit_mail(res, unit, YEAR, second))
    poll_inbox(batched(res, size=10, processes=1))
    with unit_of_work(res.db) as s:
        subs = s.scalars(select(Submission).where(Submission.unit_code == unit.code).order_by(Submission.id)).all()
    assert [x.status for x in subs] == ["superseded", "accepted"]
    assert subs[1].supersedes_id == subs[0].id


def test_a_resubmission_in_a_later_run_supersedes_the_stored_one(res):
    unit = list(res.config.reporting_units)[0]
    mail_in(res, unit_mail(res, unit, YEAR, filled(res, unit, YEAR)))
    poll_inbox(res)
    mail_in(res, unit_mail(res, unit, YEAR, filled(res, unit, YEAR)))
    poll_inbox(res)
    with unit_of_work(res.db) as s:
        subs = s.scalars(select(Submission).where(Submission.unit_code == unit.code).order_by(Submission.id)).all()
    assert [x.status for x in subs] == ["superseded", "accepted"]
    assert subs[1].supersedes_id == subs[0].id


def test_a_batch_whose_worker_died_is_prepared_again_in_this_process_without_calamine(res, monkeypatch):
    import os
    import signal
    import time

    from nianbao.stages.preparing import InWorkers
    from nianbao.workbook import fast_xlsx

    def must_not_run(data):  # what killed the worker must not get a second chance in this process
        raise AssertionError("calamine called in the main process after a worker died")

    monkeypatch.setattr(fast_xlsx, "read_with_calamine", must_not_run)

    unit = list(res.config.reporting_units)[0]
    items = [(None, unit_mail(res, unit, YEAR, filled(res, unit, YEAR)))]
    workers = InWorkers(res.store, res.config, res.hmac_key, 2)
    try:
        assert workers.pool.submit(int, "1").result() == 1  # the workers are up
        for pid in list(workers.pool._processes):  # noqa: SLF001 - a real crash, as a native reader would cause
            os.kill(pid, signal.SIGKILL)
        time.sleep(0.5)
        mails = workers.submit(items).result()
    finally:
        workers.close()
    assert [b.unit.code for m in mails for b in m.workbooks] == [unit.code]
