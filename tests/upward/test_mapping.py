"""config/upward.yaml validated like every config file: every problem at once, in Chinese, as
`upward.yaml: 键路径: 原因`; the shipped file is valid and the file is optional."""

from __future__ import annotations

import shutil

import pytest

from nianbao.errors import ConfigError
from nianbao.settings import REPO_ROOT
from nianbao.upward.mapping import load_upward, upward_problems


@pytest.fixture
def config_copy(tmp_path):
    dst = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "config", dst)
    return dst


def test_the_shipped_file_is_valid_and_maps_its_examples():
    assert upward_problems(REPO_ROOT / "config") == []
    up = load_upward(REPO_ROOT / "config", frozenset({"E_CF_HJ", "E_CF_JG", "E_CF_JE", "F4_01"}))
    assert up.rows["一般程序行政处罚案件(不含警告)"].names == {"E_CF_HJ", "E_CF_JG"}
    assert up.value_headers[0] == "本年数值"


def test_without_the_file_the_defaults_apply(config_copy):
    (config_copy / "upward.yaml").unlink()
    assert upward_problems(config_copy) == []
    up = load_upward(config_copy, frozenset())
    assert up.rows == {} and "数值" in up.value_headers and up.na_text is None


BROKEN = """
value_header: [本年数值]
name_headers: []
header_rows: 0
na_text: ""
rows:
  "行政处罚案件数": E_CF_HJ + E_XX
  "行政处罚 案件数": E_CF_HJ
  "罚没金额": __import__('os')
  "一般程序": "E_CF_HJ -"
"""


def test_every_problem_is_named_with_its_key_and_reason(config_copy):
    (config_copy / "upward.yaml").write_text(BROKEN, encoding="utf-8")
    problems = upward_problems(config_copy)
    assert "upward.yaml: value_header: 不认识的键，是否应为 “value_headers”？" in problems
    assert "upward.yaml: name_headers: 至少需要 1 项" in problems
    assert "upward.yaml: header_rows: 应不小于 1，实为 0" in problems
    assert any(p.startswith("upward.yaml: na_text: ") for p in problems)
    assert "upward.yaml: rows.行政处罚 案件数: 与 “行政处罚案件数” 是同一行（空格、全半角、括号不计）" in problems
    assert any(p.startswith("upward.yaml: rows.罚没金额: ") and "函数调用" in p for p in problems)
    assert any(p.startswith("upward.yaml: rows.一般程序: ") and "不是有效的算式" in p for p in problems)


def test_codes_are_checked_against_indicators_yaml(config_copy):
    (config_copy / "upward.yaml").write_text('rows:\n  "案件数": E_CF_HJ + E_XX\n', encoding="utf-8")
    assert upward_problems(config_copy) == ["upward.yaml: rows.案件数: 没有指标 E_XX（见 indicators.yaml）"]
    with pytest.raises(ConfigError, match="没有指标 E_XX"):
        load_upward(config_copy, frozenset({"E_CF_HJ"}))


def test_broken_yaml_names_the_line(config_copy):
    (config_copy / "upward.yaml").write_text("rows: [unclosed", encoding="utf-8")
    (problem,) = upward_problems(config_copy)
    assert problem.startswith("upward.yaml: 第 ") and "不是有效的 YAML" in problem
