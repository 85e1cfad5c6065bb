"""The year's work plan end to end on real files: a plan written as the bureau writes it (.txt shaped like
seed 000) imported into config/tasks/, the units' workbooks answering their tasks mailed in and taken by
the intake into the database, then the draft stage: what the units typed reaches the city draft's .docx."""

from __future__ import annotations

import shutil

import pendulum
import pytest
from docx import Document

from nianbao.demo import confirm_notes
from nianbao.intake.run import poll_inbox
from nianbao.sample_data import unit_values
from nianbao.settings import REPO_ROOT
from nianbao.stages.draft import make_draft
from nianbao.workbook.fill import fill_workbook
from nianbao.workbook.template import build_template
from nianbao.workplan import import_plan, write_task_file
from tests.factories import mail_in, opened, unit_mail

YEAR = 2026
OPEN = pendulum.datetime(2027, 1, 4, 9, tz="Asia/Shanghai")
PLAN = """南通市2026年法治政府建设工作计划

一、深化改革创新，依法全面履行政府职能

1.深化“证照分离”改革。精简涉企证照，加强事中事后监管。（牵头单位：市市场监管局，责任单位：各县（市）区人民政府）

二、严格规范公正文明执法

2.全面推行行政执法“三项制度”。落实行政执法公示、执法全过程记录、重大执法决定法制审核制度。（牵头单位：市公安局，责任单位：市政府各部门）

3.推进基层综合行政执法改革。制定乡镇（街道）综合执法事项清单。（牵头单位：市公安局、崇川区人民政府，责任单位：各县（市）区人民政府）
"""


@pytest.fixture
def res(settings, db_url, tmp_path):
    config = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "config", config)
    source = tmp_path / "南通市2026年法治政府建设工作计划.txt"
    source.write_text(PLAN, encoding="utf-8")
    from nianbao.cityconfig import load_city_config

    write_task_file(import_plan(source, YEAR, load_city_config(config)), config / "tasks" / f"{YEAR}.yaml")
    return opened(settings.with_(config_dir=config), db_url, OPEN, YEAR)


def send(res, code, answers, n):
    unit = res.config.unit(code)
    values = unit_values(res.config, unit, YEAR)
    typed = {k: ("不涉及" if v is None else v) for k, v in values.items()}
    book = fill_workbook(build_template(res.config, unit, YEAR, {}, res.hmac_key), typed,
                         notes=confirm_notes(res.config, values), tasks=answers)
    res.clock.set(OPEN.add(hours=n))
    mail_in(res, unit_mail(res, unit, YEAR, book, n=n))
    outcome = poll_inbox(res).messages[0].attachments[0]
    assert outcome.status == "accepted", outcome.reasons


def docx_text(result) -> str:
    return "\n".join(p.text for p in Document(str(result.paths["docx"])).paragraphs)


DONE_3 = {"3": {"status": "已完成", "measures": "公布乡镇（街道）综合执法事项清单"}}


def test_a_document_title_a_unit_typed_reaches_the_city_drafts_docx(res):
    send(res, "D01", {"2": {"status": "已完成", "measures": "执法记录仪实现一线执法人员全覆盖",
                            "documents": "南通市行政执法公示办法"}, **DONE_3}, 1)
    text = docx_text(make_draft(res, YEAR))
    assert "《南通市行政执法公示办法》" in text  # typed without its brackets, named with them
    assert "执法记录仪实现一线执法人员全覆盖" in text


def test_an_unfinished_lead_task_is_among_the_problems_with_its_lead_unit_and_reason(res):
    send(res, "D02", {"1": {"status": "正在推进", "measures": "精简涉企证照23项",
                            "reason": "省级审批系统尚未对接。下一步：年内完成系统对接"}}, 1)
    send(res, "D01", {"2": {"status": "已完成", "measures": "执法记录仪实现一线执法人员全覆盖"}, **DONE_3}, 2)
    text = docx_text(make_draft(res, YEAR))
    problems = text.split("二、存在的不足和原因", 1)[1].split("三、", 1)[0]
    line = next(p for p in problems.splitlines() if "证照分离" in p)
    assert "第1项“深化‘证照分离’改革”" in line  # its own quotation marks turn single inside the draft's
    assert "牵头单位：市市场监督管理局" in line and "仍在推进" in line and "省级审批系统尚未对接" in line
    assert "三项制度" not in problems  # the finished task is not a problem


def test_the_draft_counts_the_tasks_done_as_nianbao_tasks_and_the_leaders_mail_do(res):
    from nianbao.stages.tasks import tasks_progress
    from nianbao.workplan.progress import summary

    send(res, "D01", {"2": {"status": "已完成", "measures": "执法记录仪实现一线执法人员全覆盖"}, **DONE_3}, 1)
    done = summary(tasks_progress(res, YEAR))["done"]  # task 3: its other lead, 崇川区, has not reported
    text = docx_text(make_draft(res, YEAR))
    assert done == 1 and "全年3项重点任务已完成1项" in text
    assert "公布乡镇（街道）综合执法事项清单" in text  # what the lead unit that answered did is told
    assert "因牵头单位崇川区、市市场监督管理局未报送落实情况" in text or "因牵头单位市市场监督管理局、崇川区未报送落实情况" in text


def test_next_years_plan_notes_a_task_still_awaiting_a_lead_unit_instead_of_carrying_it(res, tmp_path):
    from nianbao.stages.next_plan import make_next_plan

    send(res, "D01", {"2": {"status": "已完成", "measures": "执法记录仪实现一线执法人员全覆盖"}, **DONE_3}, 1)
    result = make_next_plan(res, YEAR + 1, tmp_path / "计划.docx")
    assert not any(t.origin == "carried" and "综合行政执法" in t.text for t in result.draft.tasks)
    assert any("未作结转" in n and "3“推进基层综合行政执法改革”（崇川区" in n for n in result.notes)


def test_the_leaders_mail_names_the_lead_unit_a_shared_task_still_awaits(res):
    from nianbao.mail.outbox import deliver_pending
    from nianbao.stages.draft import deliver_draft
    from tests.factories import sent_mails

    send(res, "D01", {"2": {"status": "已完成", "measures": "执法记录仪实现一线执法人员全覆盖"}, **DONE_3}, 1)
    assert deliver_draft(res, make_draft(res, YEAR))
    deliver_pending(res.db, res.store, res.transport, res.clock)
    body = next(m for m in sent_mails(res) if "送审稿" in m["Subject"]).get_body(("plain",)).get_content()
    assert "全年3项重点任务，已完成1项，以下2项尚未完成：" in body
    assert "推进基层综合行政执法改革（牵头单位：市公安局、崇川区；崇川区尚未报送）" in body
    assert "深化“证照分离”改革（牵头单位：市市场监督管理局；牵头单位尚未报送）" in body
