"""Figures as an official document prints them."""

from __future__ import annotations

import pytest

from nianbao.report.fmt import number, percent, points, with_unit


@pytest.mark.parametrize("value,unit,text", [
    (35043, "件", "35,043"), (1234, "件", "1234"), (100.0, "%", "100"), (98.5, "%", "98.5"),
    (96.875, "%", "96.88"), (21555.9, "万元", "21,555.9"), (1895.96, "万元", "1895.96"),
    (12345.0, "万元", "12,345"), (-12345.25, "万元", "-12,345.25"), (477.7, "学时", "477.7"),
    (9999.996, "万元", "10,000"), (9999.4, "学时", "9999.4"),
])
def test_a_figure_has_no_trailing_zeros_and_groups_thousands_from_ten_thousand(value, unit, text):
    assert number(value, unit) == text


def test_a_missing_figure_is_a_dash_and_changes_lose_their_sign():
    assert with_unit(None, "件") == "—"
    assert (percent(-4.3), percent(12.0), points(-0.30), points(1.125)) == ("4.3%", "12%", "0.3", "1.12")
