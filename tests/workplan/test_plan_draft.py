"""`nianbao plan draft`: next year's plan in seed 000's shape from the unfinished tasks, the draft's
plans and the standing tasks; `plan import` reads the .docx (python-docx) back to the same tasks."""

from __future__ import annotations

import json
from pathlib import Path

import pendulum
from docx import Document

from nianbao.cli.app import main
from nianbao.report.plans import choose_plans, load_plans
from nianbao.report.work import progress
from nianbao.settings import REPO_ROOT
from nianbao.workplan import import_plan
from nianbao.workplan.drafting import draft_plan, names, plan_docx
from nianbao.workplan.taskfile import TaskFile, save_task_file
from tests.report.test_work_draft import ANSWERS, PLAN

AT = pendulum.datetime(2027, 3, 1, 10, tz="Asia/Shanghai")


def drafted(city, answers=ANSWERS):
    plans = choose_plans(load_plans(REPO_ROOT / "templates" / "plans.yaml", "全市"), [], 2027, city.report.plans_count)
    return draft_plan(city, 2027, progress(city, PLAN, answers), plans)


def as_read(city, task) -> tuple:
    return task.section, task.text, names(city, task, "lead"), names(city, task, "responsible")


def test_plan_draft_then_plan_import_gives_back_the_same_tasks(city, tmp_path):
    draft = drafted(city)
    path = tmp_path / "计划.docx"
    path.write_bytes(plan_docx(city, draft, AT))
    back = import_plan(path, 2027, city, keep_unresolved=True)
    assert [as_read(city, t) for t in back.tasks] == [(t.section, t.text, t.lead, t.responsible) for t in draft.tasks]
    assert [t.id for t in back.tasks] == [str(n) for n in range(1, len(draft.tasks) + 1)]
    assert {t.origin for t in draft.tasks} == {"carried", "plan", "standing"}


def test_the_unfinished_tasks_are_carried_with_their_units_in_the_plans_shape(city, tmp_path):
    path = tmp_path / "计划.docx"
    path.write_bytes(plan_docx(city, drafted(city), AT))
    text = [p.text for p in Document(str(path)).paragraphs]
    assert text[0] == "南通市2027年法治政府建设工作计划"
    assert "二、重点工作" in text and "（一）依法全面履行政府职能" in text
    carried = [line for line in text if "加强信用监管。（" in line]
    assert carried and carried[0].endswith("（牵头单位：市市场监督管理局，责任单位：市政府各部门）")
    assert not any("继续深化行政审批制度改革" in line for line in text)  # done: not carried


def test_without_answers_nothing_is_carried_and_the_plan_keeps_its_standing_tasks(city):
    draft = drafted(city, [])
    assert {t.origin for t in draft.tasks} == {"plan", "standing"}
    assert any("年度报告制度" in t.text for t in draft.tasks)


def test_the_cli_drafts_the_plan_and_plan_import_reads_it(monkeypatch, config_copy, tmp_path, capsys):
    monkeypatch.setenv("NIANBAO_CONFIG", str(config_copy))
    monkeypatch.setenv("NIANBAO_DATA", str(tmp_path / "var"))
    save_task_file(TaskFile(year=2026, source=PLAN.source, tasks=PLAN.tasks), config_copy / "tasks" / "2026.yaml")
    out = tmp_path / "计划.docx"
    assert main(["plan", "draft", "--year", "2027", "--out", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    notes = "".join(data["notes"])
    assert "2026年度重点任务落实情况" in notes and "没有2026年度的报送周期" in notes
    assert "不在单位名单" not in notes  # 市司法局, which leads the plans, is a name groups.yaml knows
    assert main(["plan", "import", str(out), "--year", "2027", "--json", "--out", str(tmp_path / "2027.yaml")]) == 0
    back = json.loads(capsys.readouterr().out)
    assert len(back["tasks"]) == len(data["tasks"]) and Path(back["written"]).exists()
