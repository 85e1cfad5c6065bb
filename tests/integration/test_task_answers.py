"""Answers to the year's work plan tasks through the intake: stored per submission × task, the current
accepted version returned by task_answers(), every version's changes shown by history (SQLite, PostgreSQL)."""

from __future__ import annotations

import pendulum
import pytest

from nianbao.db.session import unit_of_work
from nianbao.demo import confirm_notes
from nianbao.intake.run import poll_inbox
from nianbao.sample_data import unit_values
from nianbao.stages.history import unit_history
from nianbao.task_answers import task_answers
from nianbao.workbook.fill import fill_workbook
from nianbao.workbook.template import build_template
from tests.factories import mail_in, opened, planned_config, unit_mail

YEAR = 2026
OPEN = pendulum.datetime(2027, 1, 4, 9, tz="Asia/Shanghai")


@pytest.fixture
def res(settings, db_url, tmp_path):
    return opened(settings.with_(config_dir=planned_config(tmp_path, YEAR)), db_url, OPEN, YEAR)


def workbook(res, unit, answers):
    values = unit_values(res.config, unit, YEAR)
    typed = {k: ("不涉及" if v is None else v) for k, v in values.items()}
    return fill_workbook(build_template(res.config, unit, YEAR, {}, res.hmac_key), typed,
                         notes=confirm_notes(res.config, values), tasks=answers)


def send(res, unit, answers, n, hours):
    res.clock.set(OPEN.add(hours=hours))
    mail_in(res, unit_mail(res, unit, YEAR, workbook(res, unit, answers), n=n))
    return poll_inbox(res).messages[0].attachments[0]


def test_the_current_versions_answers_are_stored_and_returned(res):
    d01 = res.config.unit("D01")
    first = send(res, d01, {"3": {"status": "正在推进", "measures": "记录仪配备", "reason": "人员不足"}}, 1, 1)
    second = send(res, d01, {"3": {"status": "已完成", "measures": "记录仪一线全覆盖",
                                   "documents": "行政执法公示办法"}}, 2, 30)
    assert (first.status, second.status) == ("accepted", "accepted")
    with unit_of_work(res.db) as s:
        answers = task_answers(s, YEAR)
    assert [(a.unit_code, a.task_id, a.role, a.status, a.documents) for a in answers] == \
        [("D01", "3", "lead", "已完成", ("《行政执法公示办法》",))]
    history = unit_history(res, YEAR, "D01")
    changed = {(c["task"], c["field"]): (c["old"], c["new"]) for c in history[-1]["task_changes"]}
    assert changed[("3", "完成情况")] == ("正在推进", "已完成")
    assert changed[("3", "未完成原因和下一步打算")] == ("人员不足", None)


def test_a_lead_task_left_blank_is_answered_with_the_cell_to_fix(res):
    d01 = res.config.unit("D01")
    outcome = send(res, d01, {"2": {"status": "已完成", "measures": "配合"}}, 1, 1)
    assert outcome.status == "rejected"
    assert any("『重点任务落实情况』工作表 D5 单元格（任务3" in r and "未填写完成情况" in r for r in outcome.reasons)
    with unit_of_work(res.db) as s:
        assert task_answers(s, YEAR) == []


def nianbao_cli(res, *args):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith(("NIANBAO_", "PREFECT_API_URL"))}
    env.update(NIANBAO_DATA=str(res.settings.data_dir), NIANBAO_CONFIG=str(res.settings.config_dir),
               NIANBAO_DATABASE_URL=res.settings.database_url, NIANBAO_HMAC_SECRET="test-secret")
    return subprocess.run([sys.executable, "-m", "nianbao.cli", *args], env=env, capture_output=True, text=True,
                          timeout=180)


def test_nianbao_tasks_shows_each_task_its_lead_and_each_units_status(res):
    import json

    send(res, res.config.unit("D01"), {"3": {"status": "已完成", "measures": "全面推行"},
                                       "2": {"status": "正在推进", "measures": "配合", "reason": "清单待审"}}, 1, 1)
    done = nianbao_cli(res, "tasks", "--year", str(YEAR), "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    by_id = {t["id"]: t for t in data["tasks"]}
    assert (data["total"], data["done"]) == (3, 1)
    assert by_id["3"]["status"] == "已完成" and by_id["3"]["lead"] == ["市公安局"]
    assert by_id["2"]["status"] == "未报送"  # its lead, 崇川区, has not reported
    assert {u["name"]: u["status"] for u in by_id["2"]["units"]} == {"崇川区": "未报送", "市公安局": "正在推进"}
    table = nianbao_cli(res, "tasks", "--year", str(YEAR))
    assert "全年 3 项，已完成 1 项" in table.stdout and "正在推进：市公安局" in table.stdout


def test_the_leaders_mail_gives_the_tasks_done_and_those_behind_with_their_lead(res):
    from nianbao.mail.outbox import deliver_pending
    from nianbao.stages.draft import deliver_draft, make_draft
    from tests.factories import sent_mails

    send(res, res.config.unit("D01"), {"3": {"status": "已完成", "measures": "全面推行"}}, 1, 1)
    send(res, res.config.unit("D02"), {"1": {"status": "正在推进", "measures": "精简证照", "reason": "省级系统未对接"}},
         2, 2)
    assert deliver_draft(res, make_draft(res, YEAR))
    deliver_pending(res.db, res.store, res.transport, res.clock)
    body = next(m for m in sent_mails(res) if "送审稿" in m["Subject"]).get_body(("plain",)).get_content()
    assert "全年3项重点任务，已完成1项，以下2项尚未完成：" in body
    assert "深化“证照分离”改革（牵头单位：市市场监督管理局；正在推进）" in body
    assert "推进基层综合行政执法改革（牵头单位：崇川区；牵头单位尚未报送）" in body


def test_each_configuration_folder_is_checked_against_its_own_task_file(settings, tmp_path):
    """Two configurations equal but for their task files never share the sandbox's children."""
    from nianbao.settings import load_settings

    def setup(name, lead_of_3):
        config = planned_config(tmp_path / name, YEAR)
        path = config / "tasks" / f"{YEAR}.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("lead: [D01]", f"lead: [{lead_of_3}]"),
                        encoding="utf-8")
        env = {"NIANBAO_DATA": str(tmp_path / name / "var"), "NIANBAO_HMAC_SECRET": "test-secret"}
        s = load_settings(env).with_(config_dir=config)
        return opened(s, f"sqlite:///{tmp_path / name / 'n.db'}", OPEN, YEAR)

    first, second = setup("a", "D01"), setup("b", "D02")
    blank_3 = {"2": {"status": "已完成", "measures": "配合"}}
    assert send(first, first.config.unit("D01"), blank_3, 1, 1).status == "rejected"  # D01 leads task 3 here
    assert send(second, second.config.unit("D01"), blank_3, 1, 1).status == "accepted"  # only shares it here
