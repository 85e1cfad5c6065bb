"""Each accepted unit gets its own report draft, once per accepted workbook, mailed to its contacts
(SQLite and PostgreSQL, a Maildir and an .eml outbox)."""

from __future__ import annotations

from dataclasses import replace
from io import BytesIO

import pendulum
import pytest
from docx import Document

from nianbao.intake.run import poll_inbox
from nianbao.mail.outbox import deliver_pending
from nianbao.stages.unit_drafts import make_unit_drafts
from tests.factories import filled, mail_in, opened, sent_mails, unit_mail

YEAR = 2026
OPEN = pendulum.datetime(2027, 1, 4, 9, tz="Asia/Shanghai")


@pytest.fixture
def res(settings, db_url):
    return opened(settings, db_url, OPEN, YEAR)


def _submit(res, unit, n=1, **overrides):
    mail_in(res, unit_mail(res, unit, YEAR, filled(res, unit, YEAR, **overrides), n=n))
    poll_inbox(res)


def _unit_draft_mails(res):
    deliver_pending(res.db, res.store, res.transport, res.clock)
    return [m for m in sent_mails(res) if "贵单位年度报告初稿" in m["Subject"]]


def test_an_accepted_unit_is_mailed_its_own_draft(res):
    unit = res.config.reporting_units[0]
    _submit(res, unit, E_JC=4321)
    made = make_unit_drafts(res)
    assert [name for name, _ in made.made] == [unit.name] and not made.failed
    path = made.made[0][1]
    assert path.parent == res.settings.data_dir / "outputs" / str(YEAR) / "units" and path.with_suffix(".md").exists()
    [mail] = _unit_draft_mails(res)
    assert mail["To"].addresses[0].addr_spec == unit.contacts[0]
    [docx] = [a for a in mail.iter_attachments() if a.get_filename().endswith(".docx")]
    text = "\n".join(p.text for p in Document(BytesIO(docx.get_content())).paragraphs)
    assert unit.name in text and "开展行政检查4321次" in text


def test_a_unit_is_drafted_once_per_accepted_workbook(res):
    unit = res.config.reporting_units[0]
    _submit(res, unit, E_JC=4321)
    make_unit_drafts(res)
    assert make_unit_drafts(res).made == []  # nothing changed: nothing redrafted, nothing re-mailed
    res.clock.set(OPEN.add(days=2))
    _submit(res, unit, n=2, E_JC=5000)  # a correction
    again = make_unit_drafts(res)
    assert [name for name, _ in again.made] == [unit.name]
    assert "开展行政检查5000次" in again.made[0][1].with_suffix(".md").read_text(encoding="utf-8")
    assert len(_unit_draft_mails(res)) == 2


def test_units_without_an_accepted_workbook_get_no_draft(res):
    good, bad = res.config.reporting_units[:2]
    _submit(res, good)
    _submit(res, bad, n=2, E_CF_HJ=99999)  # a wrong total: rejected
    assert [name for name, _ in make_unit_drafts(res).made] == [good.name]


def test_unit_kinds_left_out_of_report_yaml_get_no_draft(res):
    unit = res.config.reporting_units[0]
    rules = res.config.report.unit_drafts.model_copy(update={"kinds": ()})
    off = res.with_(config=replace(res.config, report=res.config.report.model_copy(update={"unit_drafts": rules})))
    _submit(off, unit)
    assert make_unit_drafts(off).made == []
