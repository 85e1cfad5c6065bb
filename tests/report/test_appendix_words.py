"""The appendix speaks the city's own words: its sheet names and column headers come from report.yaml."""

from __future__ import annotations

import io
import shutil

import openpyxl
import pytest
import yaml

from nianbao.cityconfig import ConfigError, load_city_config
from nianbao.report.aggregate import aggregate
from nianbao.report.draft import render_draft
from nianbao.report.problems import find_problems
from nianbao.sample_data import unit_values
from nianbao.settings import REPO_ROOT
from tests.report.conftest import AT, report

SHEETS = {"figures": "全区指标汇总", "units": "各单位明细", "sources": "报送来源", "charts": "对比图", "note": "附注"}


def _config(tmp_path, appendix):
    root = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "config", root)
    path = root / "report.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["appendix"] = appendix
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_city_config(root)


def test_a_config_naming_the_sheets_differently_gives_those_sheets(tmp_path):
    city = _config(tmp_path, {"sheets": SHEETS, "unit_headers": ["编码", "单位名称", "状态"]})
    current = [report(u, unit_values(city, u, 2026), sid=n) for n, u in enumerate(city.reporting_units, 1)]
    agg = aggregate(city, 2026, current, [])
    doc = render_draft(city, REPO_ROOT / "templates", agg, find_problems(city, agg), generated_at=AT)
    wb = openpyxl.load_workbook(io.BytesIO(doc.appendix_xlsx))
    assert wb.sheetnames == list(SHEETS.values())
    assert [c.value for c in wb["各单位明细"][1]][:3] == ["编码", "单位名称", "状态"]
    assert wb["附注"]["A2"].value.startswith("“全区指标汇总”表中")
    assert wb["对比图"]._charts


def test_two_appendix_sheets_of_one_name_are_refused(tmp_path):
    with pytest.raises(ConfigError, match="重复"):
        _config(tmp_path, {"sheets": {"figures": "汇总", "units": "汇总"}})
