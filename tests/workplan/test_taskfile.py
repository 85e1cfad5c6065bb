"""config/tasks/<year>.yaml: written in a fixed, readable shape; read back to the same tasks; checked
against the roster by `check_setup` like every other config file."""

from __future__ import annotations

import pytest
import yaml

from nianbao.errors import ConfigError, ConfigProblem
from nianbao.stages.check import check_setup
from nianbao.workplan import (
    import_plan,
    load_task_file,
    task_file_problems,
    write_task_file,
)
from tests.workplan.conftest import NANTONG, text_plan

TASK = {"id": "1", "title": "推进证照分离改革", "text": "推进证照分离改革。", "lead": ["D02"], "source": "第4行"}


def _write(config, name, tasks, year=None):
    folder = config / "tasks"
    folder.mkdir(exist_ok=True)
    body = {"year": year or name, "source": "计划.docx", "tasks": tasks}
    (folder / f"{name}.yaml").write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")


def test_a_written_task_file_loads_back_to_the_same_tasks(tmp_path, city):
    plan = import_plan(NANTONG, 2019, city, keep_unresolved=True)
    path = write_task_file(plan, tmp_path / "tasks" / "2019.yaml")
    loaded = load_task_file(path, city)
    assert loaded.tasks == plan.tasks and (loaded.year, loaded.source) == (2019, NANTONG.name)


def test_a_reimport_of_the_same_plan_writes_the_same_bytes(tmp_path, city):
    first = write_task_file(import_plan(NANTONG, 2019, city, keep_unresolved=True), tmp_path / "a.yaml")
    second = write_task_file(import_plan(NANTONG, 2019, city, keep_unresolved=True), tmp_path / "b.yaml")
    assert first.read_bytes() == second.read_bytes()


def test_the_task_file_reads_as_chinese_with_its_keys_in_a_fixed_order(tmp_path, city):
    text = "一、重点工作\n（一）执法\n1.推进甲，2026年6月底前完成。（牵头单位：市公安局，责任单位：市政府各部门）\n"
    path = write_task_file(import_plan(text_plan(tmp_path, text), 2026, city), tmp_path / "2026.yaml")
    body = path.read_text(encoding="utf-8")
    assert "section: 执法" in body and "\\u" not in body and "lead: [D01]" in body
    assert "responsible_groups: [市政府各部门]" in body and "deadline: 2026-06-30" in body
    keys = [line.split(":")[0].strip("- ") for line in body.splitlines() if line.startswith(("- ", "  "))]
    assert keys == ["id", "chapter", "section", "title", "text", "lead", "lead_groups", "responsible",
                    "responsible_groups", "unresolved", "deadline", "deadline_text", "source"]


def test_nothing_is_written_while_a_name_is_unresolved(tmp_path, city):
    from nianbao.workplan import UnresolvedUnitsError

    plan = import_plan(text_plan(tmp_path, "一、重点工作\n1.做甲。（牵头单位：市发改委）\n"), 2026, city)
    with pytest.raises(UnresolvedUnitsError, match="第2行：“市发改委”"):
        write_task_file(plan, tmp_path / "2026.yaml")
    assert not (tmp_path / "2026.yaml").exists()


def test_check_setup_reports_a_task_file_naming_an_unknown_unit_code(settings, config_copy):
    _write(config_copy, 2026, [{**TASK, "lead": ["D02", "D99"]}])
    problems = check_setup(settings.with_(config_dir=config_copy))
    assert problems == [ConfigProblem("tasks/2026.yaml", "tasks[0].lead[1]", "单位名单（units.yaml）中没有单位 D99")]


def test_an_unknown_group_and_a_year_unlike_the_file_name_are_named(config_copy, city):
    _write(config_copy, 2026, [{**TASK, "responsible_groups": ["市直各部门"]}], year=2025)
    problems = [str(p) for p in task_file_problems(config_copy, city)]
    assert problems == ["tasks/2026.yaml: year: 文件名是 2026 年，文件中的年度却是 2025",
                        "tasks/2026.yaml: tasks[0].responsible_groups[0]: groups.yaml 中没有单位组 “市直各部门”"]


def test_a_misspelt_key_is_named_like_any_config_mistake(config_copy, city):
    _write(config_copy, 2026, [{**TASK, "leads": ["D02"]}])
    problems = [str(p) for p in task_file_problems(config_copy, city)]
    assert problems == ["tasks/2026.yaml: tasks[0].leads: 不认识的键，是否应为 “lead”？"]


def test_a_repeated_task_id_is_named(config_copy, city):
    _write(config_copy, 2026, [TASK, TASK])
    problems = [str(p) for p in task_file_problems(config_copy, city)]
    assert problems == ["tasks/2026.yaml: tasks[1].id: 任务编号 1 与 tasks[0] 重复"]


def test_load_task_file_raises_every_problem_at_once(config_copy, city):
    _write(config_copy, 2026, [{**TASK, "lead": ["D98", "D99"]}])
    with pytest.raises(ConfigError) as err:
        load_task_file(config_copy / "tasks" / "2026.yaml", city)
    assert [p.key for p in err.value.problems] == ["tasks[0].lead[0]", "tasks[0].lead[1]"]


def test_without_a_tasks_folder_there_is_nothing_to_check(config_copy, city):
    assert task_file_problems(config_copy, city) == []
