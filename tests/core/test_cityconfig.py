"""Loading config/: the sample city loads, and every mistake is reported with file, key and reason."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from nianbao.cityconfig import load_city_config
from nianbao.errors import ConfigError
from nianbao.settings import REPO_ROOT


@pytest.fixture
def config_copy(tmp_path: Path) -> Path:
    dst = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "config", dst)
    return dst


def edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


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
    assert 40 <= len(city.indicators) <= 70


def test_every_mistake_is_reported_at_once_with_file_key_and_reason(config_copy):
    edit(config_copy / "units.yaml", lambda d: d["units"][1].update(kind="village", contacts=["not-an-email"]))
    edit(config_copy / "indicators.yaml", lambda d: d["indicators"][0].update(section="F9"))
    edit(config_copy / "rules.yaml", lambda d: d["rules"][0].update(expr="E_CZRS <= NOPE"))
    with pytest.raises(ConfigError) as err:
        load_city_config(config_copy)
    text = str(err.value)
    assert "units.yaml: units[1].kind: 'village' is not one of" in text
    assert "units.yaml: units[1].contacts: 'not-an-email' is not an e-mail address" in text
    assert "indicators.yaml: indicators[0](F1_01).section: unknown section F9" in text
    assert "rules.yaml: rules[0].expr: unknown indicator(s) NOPE" in text
    assert len(err.value.problems) == 4


def test_broken_yaml_names_the_file(config_copy):
    (config_copy / "calendar.yaml").write_text("open: [unclosed", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_city_config(config_copy)
    assert err.value.problems[0].file == "calendar.yaml"


def test_rule_expressions_cannot_run_code(config_copy):
    edit(config_copy / "rules.yaml", lambda d: d["rules"][0].update(expr="__import__('os') == 1"))
    with pytest.raises(ConfigError, match="not allowed|must be one comparison|only numbers"):
        load_city_config(config_copy)
