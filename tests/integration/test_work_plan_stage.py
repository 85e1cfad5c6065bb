"""The draft stage with the year's work plan imported but no answers stored yet: the plan's sentences
are left out and the review notes (审阅说明, a file beside the draft) say why; `plan draft` then carries
nothing forward and says so."""

from __future__ import annotations

import shutil

import pendulum
import pytest

from nianbao.settings import REPO_ROOT
from nianbao.stages.draft import make_draft
from nianbao.stages.next_plan import make_next_plan
from nianbao.workplan.taskfile import save_task_file
from tests.factories import opened
from tests.report.test_work_draft import PLAN

OPEN = pendulum.datetime(2027, 1, 4, 9, tz="Asia/Shanghai")


@pytest.fixture
def res(settings, db_url, tmp_path):
    config = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "config", config)
    save_task_file(PLAN, config / "tasks" / "2026.yaml")
    return opened(settings.with_(config_dir=config), db_url, OPEN, 2026)


def test_a_plan_without_answers_leaves_the_tasks_out_and_the_review_notes_say_why(res):
    result = make_draft(res, 2026)
    notes = result.paths["notes"].read_text(encoding="utf-8")
    assert "2026年度工作计划共5项重点任务，但尚未收到各单位填报的重点任务落实情况" in notes
    assert "重点任务" not in result.doc.markdown.split("## 二、")[0]


def test_plan_draft_uses_the_drafts_plans_and_notes_that_nothing_was_carried(res, tmp_path):
    result = make_next_plan(res, 2027, tmp_path / "计划.docx")
    assert result.path.exists() and {t.origin for t in result.draft.tasks} == {"plan", "standing"}
    assert any("尚未收到各单位填报的2026年度重点任务落实情况" in n for n in result.notes)
    assert not any("没有2026年度的报送周期" in n for n in result.notes)
