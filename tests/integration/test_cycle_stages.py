"""The stages end to end on a real database (SQLite and PostgreSQL), a Maildir and an .eml outbox."""

from __future__ import annotations

from pathlib import Path

import pendulum
import pytest
from docx import Document

from nianbao.db.models import Submission
from nianbao.db.session import unit_of_work
from nianbao.mail.outbox import deliver_pending
from nianbao.stages.draft import deliver_draft, make_draft
from nianbao.stages.export import export_values
from nianbao.intake.run import poll_inbox
from nianbao.stages.open_cycle import open_cycle
from nianbao.stages.remind import remind
from nianbao.stages.status import cycle_status
from tests.factories import filled, mail_in, opened, sent_mails, unit_mail

YEAR = 2026
OPEN = pendulum.datetime(2027, 1, 4, 9, tz="Asia/Shanghai")


@pytest.fixture
def res(settings, db_url):
    return opened(settings, db_url, OPEN, YEAR)


def units(res, n):
    return list(res.config.reporting_units)[:n]


def test_open_cycle_mails_every_unit_its_workbook_once(res):
    open_cycle(res, YEAR)  # a second run queues nothing new
    deliver_pending(res.db, res.store, res.transport, res.clock)
    mails = sent_mails(res)
    assert len(mails) == len(res.config.reporting_units)
    names = [a.get_filename() for m in mails for a in m.iter_attachments()]
    assert any("崇川区" in n and n.endswith(".xlsx") for n in names)


def test_a_good_workbook_is_accepted_and_answered_with_a_receipt(res):
    unit = units(res, 1)[0]
    mail_in(res, unit_mail(res, unit, YEAR, filled(res, unit, YEAR)))
    report = poll_inbox(res)
    deliver_pending(res.db, res.store, res.transport, res.clock)
    assert [a.status for m in report.messages for a in m.attachments] == ["accepted"]
    receipt = [m for m in sent_mails(res) if m["In-Reply-To"]]
    assert receipt and "回执" in receipt[0]["Subject"] and receipt[0]["To"].addresses[0].addr_spec == unit.contacts[0]


def test_a_wrong_total_is_rejected_with_the_cell_to_fix(res):
    unit = units(res, 1)[0]
    bad = filled(res, unit, YEAR, E_CF_HJ=99999)
    mail_in(res, unit_mail(res, unit, YEAR, bad))
    outcome = poll_inbox(res).messages[0].attachments[0]
    assert outcome.status == "rejected"
    assert any("合计" in r for r in outcome.reasons)
    deliver_pending(res.db, res.store, res.transport, res.clock)
    rejection = [m for m in sent_mails(res) if "退回" in m["Subject"]]
    assert rejection and "合计" in rejection[0].get_body().get_content()


def test_the_same_mail_delivered_twice_is_stored_once(res):
    unit = units(res, 1)[0]
    raw = unit_mail(res, unit, YEAR, filled(res, unit, YEAR))
    mail_in(res, raw)
    mail_in(res, raw)
    statuses = [m.status for m in poll_inbox(res).messages]
    assert sorted(statuses) == ["duplicate", "processed"]
    assert poll_inbox(res).messages == []  # both marked processed


def test_a_sender_not_registered_for_the_unit_is_held(res):
    unit = units(res, 1)[0]
    mail_in(res, unit_mail(res, unit, YEAR, filled(res, unit, YEAR), sender="someone@qq.com"))
    outcome = poll_inbox(res).messages[0].attachments[0]
    assert outcome.status == "held" and "someone@qq.com" in outcome.reasons[0]
    assert cycle_status(res, YEAR).states[0].status == "held"


def test_a_newer_accepted_workbook_supersedes_the_older(res):
    unit = units(res, 1)[0]
    mail_in(res, unit_mail(res, unit, YEAR, filled(res, unit, YEAR, F1_01=5), n=1))
    poll_inbox(res)
    mail_in(res, unit_mail(res, unit, YEAR, filled(res, unit, YEAR, F1_01=6), n=2))
    poll_inbox(res)
    values = {r["indicator"]: r["value"] for r in export_values(res, YEAR) if r["unit_code"] == unit.code}
    assert values["F1_01"] == 6


def test_reminders_go_only_to_units_without_an_accepted_workbook_and_only_once(res):
    first = units(res, 1)[0]
    mail_in(res, unit_mail(res, first, YEAR, filled(res, first, YEAR)))
    poll_inbox(res)
    deadline_day = pendulum.datetime(2027, 1, 29, 9, tz="Asia/Shanghai")  # a working day before 31 Jan
    res.clock.set(deadline_day)
    report = remind(res, YEAR)
    to_units = {m.unit_code for m in report.mails if m.kind != "digest"}
    assert first.code not in to_units and len(to_units) == len(res.config.reporting_units) - 1
    assert [m for m in remind(res, YEAR).mails if m.kind != "digest"] == []


def test_the_draft_opens_as_docx_with_the_five_focus_headings(res):
    for unit in units(res, 4):
        mail_in(res, unit_mail(res, unit, YEAR, filled(res, unit, YEAR)))
    poll_inbox(res)
    result = make_draft(res, YEAR)
    text = "\n".join(p.text for p in Document(str(result.paths["docx"])).paragraphs)
    for section in res.config.report.sections:
        assert section.heading in text
    assert deliver_draft(res, result) is True
    assert deliver_draft(res, result) is False  # the same draft is mailed once


def test_history_shows_what_changed_between_accepted_versions(res):
    from nianbao.stages.history import unit_history

    unit = units(res, 1)[0]
    mail_in(res, unit_mail(res, unit, YEAR, filled(res, unit, YEAR, F1_01=5), n=1))
    poll_inbox(res)
    mail_in(res, unit_mail(res, unit, YEAR, filled(res, unit, YEAR, F1_01=6), n=2))
    poll_inbox(res)
    rows = unit_history(res, YEAR, unit.code)
    assert [r["status"] for r in rows] == ["superseded", "accepted"]
    assert rows[1]["changes"] == [{"indicator": "F1_01", "name": "党政主要负责人专题研究法治建设次数", "old": 5, "new": 6}]


def test_the_administrator_can_release_a_held_workbook(res):
    from nianbao.intake.release import release_held

    unit = units(res, 1)[0]
    mail_in(res, unit_mail(res, unit, YEAR, filled(res, unit, YEAR), sender="clerk.personal@qq.com"))
    held = poll_inbox(res).messages[0].attachments[0]
    assert held.status == "held"
    released = release_held(res, held.submission_id)
    assert released.status == "accepted" and cycle_status(res, YEAR).states[0].status == "on_time"


def test_a_mailed_workbook_is_kept_only_inside_its_archived_mail(res):
    unit = units(res, 1)[0]
    mail_in(res, unit_mail(res, unit, YEAR, filled(res, unit, YEAR)))
    book = poll_inbox(res).messages[0].attachments[0]
    with unit_of_work(res.db) as s:
        sha = s.get(Submission, book.submission_id).sha256
    assert not res.store.path_for(sha).exists()
    assert list(Path(res.store.root).rglob("*.eml"))


def test_releasing_a_held_workbook_whose_mail_is_gone_says_so(res):
    from nianbao.errors import NianbaoError
    from nianbao.intake.release import release_held

    unit = units(res, 1)[0]
    mail_in(res, unit_mail(res, unit, YEAR, filled(res, unit, YEAR), sender="clerk.personal@qq.com"))
    held = poll_inbox(res).messages[0].attachments[0]
    for eml in Path(res.store.root).rglob("*.eml"):
        eml.unlink()
    with pytest.raises(NianbaoError, match="在归档中找不到"):
        release_held(res, held.submission_id)
    with unit_of_work(res.db) as s:
        assert s.get(Submission, held.submission_id).status == "held"


def test_every_decision_is_in_the_history_with_the_name_given_and_the_time(res):
    from nianbao.stages.history import cycle_decisions, unit_history
    from nianbao.stages.review import release, send_back

    a, b = units(res, 2)
    mail_in(res, unit_mail(res, a, YEAR, filled(res, a, YEAR), sender="clerk.personal@qq.com"))
    mail_in(res, unit_mail(res, b, YEAR, filled(res, b, YEAR), sender="other.clerk@qq.com"))
    held = {x.unit.code: x.submission_id for m in poll_inbox(res).messages for x in m.attachments}
    release(res, held[a.code], "张科长")
    send_back(res, held[b.code], "请用单位邮箱重新发送", "李主任")
    when = OPEN.format("YYYY-MM-DD HH:mm")
    assert [(d["by"], d["label"], d["at"], d["reason"]) for d in cycle_decisions(res, YEAR)] == [
        ("张科长", "接收", when, ""), ("李主任", "退回", when, "请用单位邮箱重新发送")]
    (row,) = [r for r in unit_history(res, YEAR, a.code) if r["submission_id"] == held[a.code]]
    assert [(d["by"], d["choice"]) for d in row["decisions"]] == [("张科长", "release")]


def test_a_released_workbook_gets_its_receipt_in_the_same_run(res):
    from nianbao.stages.review import release

    unit = units(res, 1)[0]
    mail_in(res, unit_mail(res, unit, YEAR, filled(res, unit, YEAR), sender="clerk.personal@qq.com"))
    held = poll_inbox(res).messages[0].attachments[0]
    deliver_pending(res.db, res.store, res.transport, res.clock)
    before = {m["Message-ID"] for m in sent_mails(res)}
    release(res, held.submission_id, "张科长")
    deliver_pending(res.db, res.store, res.transport, res.clock)
    (receipt,) = [m for m in sent_mails(res) if m["Message-ID"] not in before]
    body = receipt.get_body(("plain",)).get_content()
    assert receipt["Subject"].startswith("回执：已收到并通过校验") and "clerk.personal@qq.com" in receipt["To"]
    assert "已通过校验并入库" in body and "经张科长核实" in body


def test_the_completeness_table_shows_when_a_held_or_sent_back_workbook_came_in(res):
    a, b = units(res, 2)
    mail_in(res, unit_mail(res, a, YEAR, filled(res, a, YEAR), sender="clerk.personal@qq.com"))
    mail_in(res, unit_mail(res, b, YEAR, filled(res, b, YEAR, F1_01=-1), n=2))
    poll_inbox(res)
    rows = {r["code"]: r for r in cycle_status(res, YEAR).rows()}
    assert (rows[a.code]["label"], rows[b.code]["label"]) == ("待核实", "退回待改")
    assert rows[a.code]["received"] and rows[b.code]["received"]
    assert all(r["received"] == "" for code, r in rows.items() if code not in (a.code, b.code))
