"""The city's figures as fill-up sends them: rounded like a statistics table, and for each figure there
is none of, the reason — no data, every unit 不涉及, a ratio over 0, a 是/否 that is not the city's own."""

from __future__ import annotations

from nianbao.report.aggregate import aggregate
from nianbao.report.model import UnitReport
from nianbao.upward.expression import Unavailable, parse_expression
from nianbao.upward.figures import city_values, rounded


def test_without_any_workbook_every_figure_says_the_city_has_no_data(city):
    values = city_values(city, aggregate(city, 2026, [], []))
    assert values.values == {}
    assert values.lookup("E_CF_HJ") == Unavailable("本市无此数据（行政处罚合计）")


def test_a_ratio_over_a_zero_denominator_and_a_flag_are_not_sent(city):
    unit = city.reporting_units[0]
    report = UnitReport(unit=unit, status="on_time", submission_id=1, received_at=None,
                        values={"F4_02": 0.0, "F4_03": 0.0, "F1_03": 1.0, "E_CF_HJ": 7.0}, na=frozenset({"E_JLY"}))
    values = city_values(city, aggregate(city, 2026, [report], []))
    assert values.lookup("F4_04") == Unavailable("分母合计为 0，无法计算（行政复议纠错率）")
    assert values.lookup("E_JLY") == Unavailable("全市各报送单位均填报“不涉及”（执法记录仪配备数）")
    assert "是/否类指标" in values.lookup("F1_03").reason and values.all_na == {"E_JLY"}
    assert values.value_of(parse_expression("E_CF_HJ * 2")) == 14 and values.value_of(parse_expression("E_CF_HJ / 2")) == 3.5


def test_counts_are_whole_and_the_rest_has_two_decimals():
    assert rounded(11524.0, True) == 11524 and isinstance(rounded(11524.0, True), int)
    assert rounded(98.741742686, False) == 98.74 and rounded(1500.004, False) == 1500.0
