"""config/disclosure.yaml: the shipped file is valid; every mistake is named in Chinese, with its key."""

from __future__ import annotations

import shutil

import pytest
import yaml

from nianbao.disclosure import disclosure_problems, load_disclosure
from nianbao.errors import ConfigError
from nianbao.settings import REPO_ROOT


@pytest.fixture
def config_dir(tmp_path):
    folder = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "config", folder)
    return folder


def edit(folder, change) -> None:
    path = folder / "disclosure.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_the_shipped_file_has_no_problems(city):
    assert disclosure_problems(REPO_ROOT / "config") == []
    spec = load_disclosure(REPO_ROOT / "config", city)
    assert spec.codes[:2] == ("E_XK", "E_CF_JG") and "department" in spec.unit_pages


def test_an_unknown_indicator_code_is_named_with_where_it_is(config_dir, city):
    edit(config_dir, lambda d: d["groups"][1]["columns"].append({"code": "E_CF_XX", "label": "新类"}))
    assert disclosure_problems(config_dir) == [
        "disclosure.yaml: groups[1].columns[9].code: 没有指标 E_CF_XX（指标代码见 indicators.yaml）"]
    with pytest.raises(ConfigError) as exc:
        load_disclosure(config_dir, city)
    assert "E_CF_XX" in str(exc.value)


def test_a_rate_cannot_be_summed_over_units(config_dir):
    edit(config_dir, lambda d: d["groups"].append({"heading": "持证率", "columns": ["E_CZL"]}))
    (problem,) = disclosure_problems(config_dir)
    assert problem.startswith("disclosure.yaml: groups[7].columns[0].code: 指标 E_CZL") and "不能逐单位相加" in problem


def test_every_mistake_at_once_in_chinese(config_dir):
    def change(d):
        d["titel"] = d.pop("title")  # misspelt
        d["unit_title"] = "{unit}{year}年度行政执法数据"  # no 公开 in a file name
        d["words"]["coverage"] = "已报送{done}家"
        d["unit_pages"] = ["street"]
    edit(config_dir, change)
    problems = "\n".join(disclosure_problems(config_dir))
    assert "disclosure.yaml: title: 缺少此项" in problems
    assert "titel: 不认识的键，是否应为 “title”？" in problems
    assert "unit_title: 也是文件名，须含“公开”二字" in problems
    assert "words.coverage: 不认识 {done}" in problems
    assert "unit_pages[0]: 应为" in problems


def test_an_indicator_shown_twice(config_dir):
    edit(config_dir, lambda d: d["groups"][0].update(columns=["E_XK", {"code": "E_XK", "label": "许可"}]))
    assert disclosure_problems(config_dir) == [
        "disclosure.yaml: groups[0].columns[1].code: 指标 E_XK 已列在 groups[0].columns[0]，同一指标只能公开一次"]


def test_a_deadline_the_calendar_does_not_have(config_dir):
    edit(config_dir, lambda d: d.update(deadline="publish"))
    assert disclosure_problems(config_dir) == [
        "disclosure.yaml: deadline: 日程中没有截止事项 publish（见 calendar.yaml 的 deadlines：enforcement、report）"]


def test_a_missing_file_is_one_problem(config_dir):
    (config_dir / "disclosure.yaml").unlink()
    assert disclosure_problems(config_dir) == ["disclosure.yaml: -: 文件不存在"]


def test_problems_are_found_even_when_another_file_is_broken(config_dir):
    (config_dir / "indicators.yaml").write_text("indicators: [", encoding="utf-8")
    edit(config_dir, lambda d: d.update(note=3))
    assert disclosure_problems(config_dir) == ["disclosure.yaml: note: 应为文字，实为 3"]


def test_the_html_template_is_checked_when_templates_are_given(tmp_path):
    assert disclosure_problems(REPO_ROOT / "config", REPO_ROOT / "templates") == []
    (tmp_path / "disclosure.html.j2").write_text("<table>{{ page.titel }}</table>", encoding="utf-8")
    (problem,) = disclosure_problems(REPO_ROOT / "config", tmp_path)
    assert problem.startswith("templates/disclosure.html.j2: -: 用示例数据渲染失败") and "titel" in problem
    broken = tmp_path / "broken"  # another folder: the template environment is cached per folder
    broken.mkdir()
    (broken / "disclosure.html.j2").write_text("{% if %}", encoding="utf-8")
    (problem,) = disclosure_problems(REPO_ROOT / "config", broken)
    assert problem.startswith("templates/disclosure.html.j2: 第 1 行: 模板语法错误")
    assert disclosure_problems(REPO_ROOT / "config", tmp_path / "none") == ["templates/disclosure.html.j2: -: 模板文件不存在"]
