"""`nianbao plan import`: what an administrator sees, and that nothing is written while a name is
unresolved."""

from __future__ import annotations

import json

import pytest

from nianbao.cli.app import main
from tests.workplan.conftest import text_plan

PLAN = "一、重点工作\n（一）依法行政\n1．推进甲项工作。（牵头单位：市市场监管局，责任单位：市政府各部门）\n" \
       "2．推进乙项工作。（牵头单位：市发改委、市公安局）\n"


@pytest.fixture
def env(monkeypatch, config_copy, tmp_path):
    monkeypatch.setenv("NIANBAO_CONFIG", str(config_copy))
    monkeypatch.setenv("NIANBAO_DATA", str(tmp_path / "var"))
    monkeypatch.setenv("COLUMNS", "200")
    return config_copy


def test_an_unknown_unit_stops_the_import_naming_it_and_its_line(env, tmp_path, capsys):
    code = main(["plan", "import", str(text_plan(tmp_path, PLAN)), "--year", "2026"])
    err = capsys.readouterr().err
    assert code == 2 and "第4行：“市发改委” 不在单位名单（units.yaml）中，也不是已定义的单位组（groups.yaml）" in err
    assert "--keep-unresolved" in err and "Traceback" not in err
    assert not (env / "tasks").exists()


def test_keep_unresolved_writes_the_task_file_with_the_names_as_text(env, tmp_path, capsys):
    code = main(["plan", "import", str(text_plan(tmp_path, PLAN)), "--year", "2026", "--keep-unresolved"])
    out = capsys.readouterr().out
    body = (env / "tasks" / "2026.yaml").read_text(encoding="utf-8")
    assert code == 0 and "已写入 2 项任务" in out and "{name: 市发改委, role: lead}" in body


def test_out_writes_where_it_is_told(env, tmp_path, capsys):
    target = tmp_path / "elsewhere" / "plan.yaml"
    plan = text_plan(tmp_path, PLAN.replace("市发改委、", ""))
    assert main(["plan", "import", str(plan), "--year", "2026", "--out", str(target)]) == 0
    assert target.exists() and not (env / "tasks").exists()


def test_the_import_prints_a_table_of_the_tasks_in_chinese(env, tmp_path, capsys):
    main(["plan", "import", str(text_plan(tmp_path, PLAN)), "--year", "2026", "--keep-unresolved"])
    out = capsys.readouterr().out
    for words in ("编号", "所属部分", "牵头单位", "责任单位", "完成时限", "依法行政", "推进甲项工作",
                  "市市场监督管理局", "市政府各部门", "市发改委（未识别）"):
        assert words in out


def test_json_gives_the_tasks_for_scripts(env, tmp_path, capsys):
    main(["plan", "import", str(text_plan(tmp_path, PLAN)), "--year", "2026", "--keep-unresolved", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert [t["lead"] for t in data["tasks"]] == [["市市场监督管理局"], ["市公安局", "市发改委（未识别）"]]
    assert data["written"] == str(env / "tasks" / "2026.yaml")


def test_a_file_it_cannot_read_is_one_chinese_line(env, tmp_path, capsys):
    path = tmp_path / "plan.pdf"
    path.write_bytes(b"%PDF-1.7")
    assert main(["plan", "import", str(path), "--year", "2026"]) == 2
    err = capsys.readouterr().err
    assert "不支持 .pdf 文件" in err and "Traceback" not in err


def test_plan_needs_a_subcommand_and_import_a_year(env, tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["plan"])
    assert stop.value.code == 2
    with pytest.raises(SystemExit) as stop:
        main(["plan", "import", str(tmp_path / "x.txt")])
    assert stop.value.code == 2 and "缺少必填参数：--year" in capsys.readouterr().err
