"""Loading config/: the sample city loads, and every mistake an administrator can make is reported with
its file and key path and the reason in Chinese — all at once, never as a traceback."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from nianbao.cityconfig import load_city_config
from nianbao.errors import ConfigError
from nianbao.settings import REPO_ROOT


@pytest.fixture
def config_copy(tmp_path: Path) -> Path:
    dst = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "config", dst)
    return dst


def edit(path: Path, change: Callable[[dict], object]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def ratio_index(d: dict) -> int:
    return next(n for n, i in enumerate(d["indicators"]) if i.get("type") == "ratio")


def test_sample_city_has_districts_zones_and_departments(city):
    kinds = {u.kind for u in city.reporting_units}
    assert {"district", "county_city", "county", "zone", "department"} <= kinds
    assert sum(u.kind == "zone" for u in city.units) == 3
    assert sum(u.kind == "department" for u in city.units) >= 10


def test_catalogue_keeps_six_enforcement_categories_with_not_applicable(city):
    names = " ".join(i.name for i in city.indicators if i.deadline == "enforcement")
    for word in ("许可", "处罚", "强制", "征收", "收费", "检查"):
        assert word in names
    assert city.indicator("E_XK").na_allowed and not city.indicator("E_ZFRY").na_allowed


def test_ratio_indicators_name_their_numerator_and_denominator(city):
    ratio = city.indicator("E_CZL")
    assert (ratio.numerator, ratio.denominator, ratio.aggregate) == ("E_CZRS", "E_ZFRY", "ratio")


BROKEN = [  # (file, change, expected "file: key: reason" fragment)
    ("calendar", lambda d: d["open"].update(month="jan"), "calendar.yaml: open.month: 应为整数，实为 “jan”"),
    ("calendar", lambda d: d.update(overdue_every="two"), "calendar.yaml: overdue_every: 应为整数"),
    ("calendar", lambda d: d.update(reminders_before=[5, "two", 1]), "calendar.yaml: reminders_before[1]: 应为整数"),
    ("calendar", lambda d: d["open"].update(month=13), "calendar.yaml: open.month: 应不大于 12"),
    ("calendar", lambda d: d["deadlines"][0].update(month=2, day=30), "calendar.yaml: deadlines[0]: 2月30日不存在"),
    ("calendar", lambda d: d["overrides"].update(abc={"holidays": []}), "calendar.yaml: overrides.abc: 键应为整数"),
    ("calendar", lambda d: d["overrides"][2027].update(holidays=["2027-02-30"]), "calendar.yaml: overrides[2027].holidays[0]: 应为日期（YYYY-MM-DD）"),
    ("calendar", lambda d: d.update(reminders_before=[5, 0]), "calendar.yaml: reminders_before[1]: 应为正整数"),
    ("indicators", lambda d: d["indicators"][ratio_index(d)].update(scale="x"), ".scale: 应为数字，实为 “x”"),
    ("indicators", lambda d: d["indicators"].__setitem__(0, ["F1_01", "次"]), "indicators.yaml: indicators[0]: 应为键值映射"),
    ("indicators", lambda d: d["indicators"][0].update(deadline="someday"), "indicators[0].deadline: 日程中没有截止事项 someday"),
    ("indicators", lambda d: d["indicators"][0].update(bounds=["a", "b"]), "indicators.yaml: indicators[0].bounds[0]: 应为数字，实为 “a”"),
    ("indicators", lambda d: d["indicators"][0].update(bounds=["0", None]), "indicators.yaml: indicators[0].bounds[0]: 应为数字，实为 “0”"),
    ("indicators", lambda d: d["indicators"][0].update(yoyy=True), "indicators.yaml: indicators[0].yoyy: 不认识的键，是否应为 “yoy”"),
    ("indicators", lambda d: d["indicators"][0].update(section="F9"), "indicators.yaml: indicators[0].section: 报告中没有板块 F9"),
    ("indicators", lambda d: d["indicators"][0].update(applies_to=["village"]), "indicators[0].applies_to[0]: 应为 city、"),
    ("indicators", lambda d: d["indicators"][1].update(code=d["indicators"][0]["code"]), "indicators[1].code: 指标代码 F1_01 与"),
    ("indicators", lambda d: d["indicators"][ratio_index(d)].update(numerator="NOPE"), ".numerator: 应为填报类指标的代码"),
    ("indicators", lambda d: d["indicators"][0].update(phrase="研究{value}{bogus}"), "indicators[0].phrase: 措辞中只能用"),
    ("units", lambda d: d["units"][1].update(contact=["x@y.cn"]), "units.yaml: units[1].contact: 不认识的键，是否应为 “contacts”"),
    ("units", lambda d: d["units"][1].update(contacts="fzb@chongchuan.example.cn"), "units.yaml: units[1].contacts: 应为列表"),
    ("units", lambda d: d["units"][1].update(kind="village"), "units.yaml: units[1].kind: 应为 city、district"),
    ("units", lambda d: d["units"][1].update(contacts=["not-an-email"]), "units[1].contacts[0]: “not-an-email” 不是电子邮件地址"),
    ("units", lambda d: d["units"][2].update(code=d["units"][1]["code"]), "units.yaml: units[2].code: 单位代码 320613 与 units[1] 重复"),
    ("units", lambda d: d["units"][1].update(parent="999999"), "units.yaml: units[1].parent: 上级单位 999999 不在名单中"),
    ("units", lambda d: d["units"][2].update(contacts=d["units"][1]["contacts"]), "units.yaml: units[2].contacts: fzb@chongchuan"),
    ("report", lambda d: d["problems"]["weights"].pop("imbalance"), "report.yaml: problems.weights.imbalance: 缺少此项"),
    ("report", lambda d: d["problems"].update(imbalance_indicators=["NOPE"]), "report.yaml: problems.imbalance_indicators[0]: 没有指标 NOPE"),
    ("report", lambda d: d.update(unit_table_max="many"), "report.yaml: unit_table_max: 应为整数，实为 “many”"),
    ("report", lambda d: d["sections"][0].update(sheet="很" * 40), "report.yaml: sections[0].sheet: 至多 31 个字符"),
    ("city", lambda d: d.update(timezone="Mars/Olympus"), "city.yaml: timezone: “Mars/Olympus” 不是时区名称"),
    ("city", lambda d: d.pop("intake_address"), "city.yaml: intake_address: 缺少此项"),
    ("rules", lambda d: d["rules"][0].update(expr="E_CZRS <= NOPE"), "rules.yaml: rules[0].expr: 没有填报类指标 NOPE"),
    ("rules", lambda d: d["rules"][0].update(severity="fatal"), "rules.yaml: rules[0].severity: 应为 error、warning 之一"),
    ("rules", lambda d: d["rules"][0].update(expr="__import__('os') == 1"), "rules.yaml: rules[0].expr: 无法解析的表达式"),
    ("mail", lambda d: d.update(outbound={"backend": "smtp", "port": 465}), "mail.yaml: outbound.host: 缺少此项"),
    ("mail", lambda d: d["inbound"].update(backend="maildri"), "mail.yaml: inbound.backend: 应为 "),
    ("mail", lambda d: d["inbound"].update(max_mail_mb=-1), "mail.yaml: inbound.max_mail_mb: 应大于 0"),
    ("messages", lambda d: d.update(check_bounds="填写的 {value} {foo}"), "messages.yaml: check_bounds: 不认识 {foo}"),
    ("messages", lambda d: d.pop("where_cell"), "messages.yaml: where_cell: 缺少此项"),
    ("indicators", lambda d: d["indicators"][0].update(bounds=[0, float("nan")]), "indicators.yaml: indicators[0].bounds[1]: 应为有限的数字"),
]


@pytest.mark.parametrize("file,change,expected", BROKEN, ids=[e for _, _, e in BROKEN])
def test_each_mistake_is_named_with_its_file_key_and_reason(config_copy, file, change, expected):
    edit(config_copy / f"{file}.yaml", change)
    with pytest.raises(ConfigError) as err:
        load_city_config(config_copy)
    lines = [str(p) for p in err.value.problems]
    assert any(expected in line for line in lines), lines


def test_every_mistake_of_every_file_is_reported_at_once(config_copy):
    for file, change, _ in (BROKEN[0], BROKEN[12], BROKEN[20], BROKEN[26], BROKEN[35]):
        edit(config_copy / f"{file}.yaml", change)
    with pytest.raises(ConfigError) as err:
        load_city_config(config_copy)
    files = {p.file for p in err.value.problems}
    assert files == {"calendar.yaml", "indicators.yaml", "units.yaml", "report.yaml", "mail.yaml"}


def test_broken_yaml_names_the_file_and_the_line(config_copy):
    (config_copy / "calendar.yaml").write_text("open: [unclosed", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_city_config(config_copy)
    assert err.value.problems[0].file == "calendar.yaml" and err.value.problems[0].key.startswith("第 ")


def test_nianbao_check_prints_the_problems_and_exits_2(config_copy):
    edit(config_copy / "calendar.yaml", BROKEN[0][1])
    done = subprocess.run([sys.executable, "-m", "nianbao.cli", "check"], capture_output=True, text=True,
                          env={"NIANBAO_CONFIG": str(config_copy), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert done.returncode == 2 and "calendar.yaml: open.month: 应为整数" in done.stderr
    assert "Traceback" not in done.stderr


def test_every_command_refuses_to_start_on_a_broken_config(config_copy, tmp_path):
    edit(config_copy / "units.yaml", BROKEN[21][1])
    done = subprocess.run([sys.executable, "-m", "nianbao.cli", "status", "--year", "2026"], capture_output=True,
                          text=True, env={"NIANBAO_CONFIG": str(config_copy), "NIANBAO_DATA": str(tmp_path / "v"),
                                          "PATH": "/usr/bin:/bin"}, timeout=120)
    assert done.returncode == 2 and "units.yaml: units[1].kind" in done.stderr and "Traceback" not in done.stderr


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node[:3]):
            yield from _paths(v, (*prefix, i))


@hsettings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_any_yaml_value_anywhere_gives_the_error_list_or_a_config(tmp_path_factory, data):
    root = tmp_path_factory.mktemp("cfg")
    shutil.copytree(REPO_ROOT / "config", root, dirs_exist_ok=True)
    file = data.draw(st.sampled_from(["city", "units", "indicators", "rules", "calendar", "report", "mail"]))
    doc = yaml.safe_load((root / f"{file}.yaml").read_text(encoding="utf-8"))
    path = data.draw(st.sampled_from([p for p in _paths(doc) if p]))
    value = data.draw(yaml_values)
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    (root / f"{file}.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    try:
        load_city_config(root)
    except ConfigError as exc:
        assert exc.problems and all(p.file and p.key and p.reason for p in exc.problems)
