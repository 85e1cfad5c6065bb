"""Unit names as plans write them, matched to the roster and groups: aliases, width, spaces and a
市/区/县 prefix on one side only — and nothing looser."""

from __future__ import annotations

import pytest

from nianbao.workplan import import_plan
from nianbao.workplan.resolve import Resolver
from tests.workplan.conftest import text_plan


@pytest.fixture(scope="module")
def resolver(city):
    return Resolver(city)


@pytest.mark.parametrize("name,key", [
    ("市人社局", "D10"), ("市市场监管局", "D02"), ("市卫健委", "D08"), ("市资规局", "D06"),  # aliases
    ("人社局", "D10"), ("市场监督管理局", "D02"), ("交通运输局", "D04"),  # 市 on one side only
    ("市 公 安 局", "D01"), ("市公安局\u3000", "D01"),  # spaces, as names are spaced out for alignment
    ("各县(市、区)人民政府", "各县（市）区人民政府"), ("各县（市）、区人民政府", "各县（市）区人民政府"),  # width
    ("市各委、办、局", "市政府各部门"), ("苏通科技产业园区管委会", "320691"), ("市公安局等", "D01"),
])
def test_aliases_width_spaces_and_a_one_sided_prefix_resolve(resolver, name, key):
    (target,) = resolver.resolve(name).targets
    assert target.key == key


@pytest.mark.parametrize("name", ["区公安局", "县人社局", "市公安局绿园分局", "市发改委", "公安", "市市场监管"])
def test_another_level_a_branch_or_a_similar_name_is_not_resolved(resolver, name):
    result = resolver.resolve(name)
    assert result.targets == () and "units.yaml" in result.reason


def test_a_unit_whose_name_contains_he_is_not_split(resolver, tmp_path, city):
    (target,) = resolver.resolve("市自然资源和规划局").targets
    assert target.key == "D06"
    (task,) = import_plan(text_plan(tmp_path, "一、重点工作\n1.推进国土空间规划。（牵头单位：市自然资源和规划局、市住建局）\n"),
                          2026, city).tasks
    assert task.lead == ("D06", "D07")


def test_two_known_names_joined_by_he_or_ji_are_two_units(resolver):
    assert [t.key for t in resolver.resolve("市公安局和市交通运输局").targets] == ["D01", "D04"]
    assert [t.key for t in resolver.resolve("市卫健委及各县（市）区人民政府").targets] == ["D08", "各县（市）区人民政府"]
    assert resolver.resolve("市公安局和市发改委").targets == ()  # only where every part is known


def test_a_group_alias_with_a_pause_mark_is_not_split_into_pieces(tmp_path, city):
    text = "一、重点工作\n1.做甲。\n牵头单位：市公安局\n责任单位：市各委、办、局，各县(市)、区人民政府\n"
    (task,) = import_plan(text_plan(tmp_path, text), 2026, city).tasks
    assert task.responsible_groups == ("市政府各部门", "各县（市）区人民政府")


def test_an_empty_group_is_kept_by_name(tmp_path, city):
    (task,) = import_plan(text_plan(tmp_path, "一、重点工作\n1.做甲。（牵头单位：市公安局，责任单位：各镇（街道））\n"),
                          2026, city).tasks
    assert task.responsible_groups == ("乡镇人民政府",) and task.responsible == ()
