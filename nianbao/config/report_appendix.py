"""report.yaml `appendix:`: the data appendix's sheet names, column headers and the few sentences it
writes (another city names its sheets in its own words). The defaults are Nantong's."""

from __future__ import annotations

import re

from pydantic import Field, model_validator

from nianbao.config.base import Model, Text

SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


class AppendixSheets(Model):
    figures: Text = Field(default="全市指标", min_length=1, max_length=31)
    units: Text = Field(default="分单位", min_length=1, max_length=31)
    sources: Text = Field(default="数据来源", min_length=1, max_length=31)
    charts: Text = Field(default="图表", min_length=1, max_length=31)
    note: Text = Field(default="说明", min_length=1, max_length=31)

    @model_validator(mode="after")
    def _valid(self) -> AppendixSheets:
        seen: dict[str, str] = {}
        for key, name in self.model_dump().items():
            if SHEET_FORBIDDEN.search(name):
                raise ValueError(f"{key}：工作表名称不能含有 []:*?/\\ ，实为 “{name}”")
            if name in seen:
                raise ValueError(f"{key}：“{name}” 与 {seen[name]} 重复")
            seen[name] = key
        return self


FIGURE_HEADERS = ("指标代码", "指标名称", "计量单位", "{year}年", "{year}年（可比口径）", "{last}年（可比口径）",
                  "同比（可比口径，%）", "同比（可比口径，百分点）", "可比单位数", "{last}年（全部报送单位，与可比口径不同时列出）",
                  "目标", "是否达标", "覆盖单位", "应报单位", "不涉及单位")


class Appendix(Model):
    sheets: AppendixSheets = AppendixSheets()
    # the figures sheet's columns, in this order ({year} {last})
    figure_headers: tuple[Text, ...] = Field(default=FIGURE_HEADERS, min_length=15, max_length=15)
    # the per-unit sheet's first columns (the indicators' names follow)
    unit_headers: tuple[Text, ...] = Field(default=("单位代码", "单位", "报送状态"), min_length=3, max_length=3)
    source_headers: tuple[Text, ...] = Field(default=("单位代码", "单位", "报送状态", "报送编号", "发件人", "收到时间"),
                                             min_length=6, max_length=6)
    met: Text = "达标"
    missed: Text = "未达标"
    not_applicable: Text = "不涉及"
    chart_unit: Text = "单位"
    chart_title: Text = "各单位{name}（%）"  # {name}
    chart_most: Text = "，最需关注的{n}家"  # {n}: the units shown when there are more
    # a province's per-unit table is too large: {expected} {bureau} {year} {sheet}
    units_too_many: Text = ("本次汇总{expected}家单位，分单位明细未列入本附表；"
                            "如需查阅，请联系{bureau}导出（nianbao export --year {year} --xlsx {sheet}.xlsx）。")
