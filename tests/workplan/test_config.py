"""What the import needs from the city config: units' aliases (one unit each) and groups.yaml (optional,
strict, checked against units.yaml), loaded with the rest of config/."""

from __future__ import annotations

import pytest
import yaml

from nianbao.cityconfig import load_city_config
from nianbao.config.groups import group_units
from nianbao.errors import ConfigError


def _edit(path, change):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def _problems(config) -> list[str]:
    with pytest.raises(ConfigError) as err:
        load_city_config(config)
    return [str(p) for p in err.value.problems]


def _unit(data, code):
    return next(u for u in data["units"] if u["code"] == code)


def test_an_alias_that_is_another_units_name_is_refused(config_copy):
    _edit(config_copy / "units.yaml", lambda d: _unit(d, "D02").update(aliases=["市市场监管局", "市 公安局"]))
    assert _problems(config_copy) == ["units.yaml: units[12].aliases[1]: 别名 “市 公安局” 与 units[11]（市公安局）的名称相同"]


def test_an_alias_given_to_two_units_is_refused(config_copy):
    _edit(config_copy / "units.yaml", lambda d: _unit(d, "D01").update(aliases=["市市场监管局"]))
    assert _problems(config_copy) == ["units.yaml: units[12].aliases[0]: 别名 “市市场监管局” 已是 units[11]（市公安局）的别名"]


def test_a_group_naming_an_unknown_code_or_kind_is_refused(config_copy):
    _edit(config_copy / "groups.yaml", lambda d: d["groups"][1].update(codes=["D01", "D99"]))
    _edit(config_copy / "groups.yaml", lambda d: d["groups"][0].update(kinds=["village"]))
    problems = _problems(config_copy)
    assert "groups.yaml: groups[0].kinds[0]: 应为 city、district、county_city、county、zone、department 之一，实为 “village”" \
        in problems
    assert len(problems) == 1  # a file with a schema error is not cross-checked


def test_a_group_code_must_be_in_the_roster(config_copy):
    _edit(config_copy / "groups.yaml", lambda d: d["groups"][1].update(codes=["D01", "D99"]))
    assert _problems(config_copy) == ["groups.yaml: groups[1].codes[1]: 单位名单（units.yaml）中没有单位 D99"]


def test_a_group_may_not_be_called_by_a_units_name(config_copy):
    _edit(config_copy / "groups.yaml", lambda d: d["groups"][0]["aliases"].append("市 人社局"))
    assert _problems(config_copy) == [
        "groups.yaml: groups[0].aliases[4]: “市 人社局” 是单位 市人力资源和社会保障局 的名称或别名，不能再作单位组名"]


def test_two_groups_may_not_share_a_name(config_copy):
    _edit(config_copy / "groups.yaml", lambda d: d["groups"][0]["aliases"].append("各有关部门"))
    assert _problems(config_copy) == ["groups.yaml: groups[4].name: “各有关部门” 已是 groups[0] 的名称或别名"]


def test_without_groups_yaml_there_are_no_groups(config_copy):
    (config_copy / "groups.yaml").unlink()
    assert load_city_config(config_copy).groups == ()


def test_a_group_stands_for_the_units_of_its_kinds_and_codes(config_copy):
    _edit(config_copy / "groups.yaml", lambda d: d["groups"][1].update(kinds=["zone"], codes=["D01", "D03"]))
    city = load_city_config(config_copy)
    groups = {g.name: g for g in city.groups}
    counties = [u.name for u in group_units(groups["各县（市）区人民政府"], city.units)]
    assert counties == ["崇川区", "通州区", "海门区", "如东县", "启东市", "如皋市", "海安市"]
    assert [u.code for u in group_units(groups["市政府各相关执法部门"], city.units)] == [
        "320671", "320691", "320692", "D01", "D03"]
    assert groups["乡镇人民政府"].empty and group_units(groups["乡镇人民政府"], city.units) == ()
