"""Parsing what clerks type: property-based over numbers written every way a clerk writes them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nianbao.workbook.values import parse_value

FULL = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


@given(st.integers(min_value=0, max_value=10**12))
def test_integers_typed_with_thousands_separators_read_back_exactly(n):
    assert parse_value(f"{n:,}").number == n


@given(st.integers(min_value=0, max_value=10**9))
def test_full_width_digits_read_as_ascii(n):
    assert parse_value(str(n).translate(FULL)).number == n


@given(st.decimals(min_value=0, max_value=100, places=2))
def test_a_percent_sign_is_dropped_on_a_percentage(d):
    assert parse_value(f"{d}%", "%", percent=True).number == float(d)


@given(st.integers(min_value=0, max_value=10**6))
def test_a_percent_sign_on_a_count_is_refused(n):
    assert parse_value(f"{n}%", "件").problem == "percent"


@given(st.integers(min_value=0, max_value=10**6), st.sampled_from(["件", "人", "学时", "次", "万元"]))
def test_the_indicators_own_measure_word_is_dropped(n, unit):
    assert parse_value(f"{n}{unit}", unit).number == n


@given(st.integers(min_value=1, max_value=10**4), st.sampled_from(["万", "千", "百", "亿", "k", "w", " 万"]))
def test_a_magnitude_word_is_refused_never_read_as_the_bare_number(n, word):
    parsed = parse_value(f"{n}{word}", "件")
    assert parsed.kind == "invalid" and parsed.problem == "magnitude"


def test_another_measure_word_is_refused():
    assert parse_value("12人", "件").problem == "unit"


@given(st.integers(min_value=0, max_value=10**9))
def test_chinese_style_and_spaced_thousands_read_back_exactly(n):
    assert parse_value(f"{n:,}".replace(",", "，"), "件").number == n
    assert parse_value(f"{n:,}".replace(",", " "), "件").number == n


@pytest.mark.parametrize("typed", ["1,5", "12,34", "1,2345", "1 23", "1,234,56", "1, 234"])
def test_a_separator_that_is_not_a_thousands_separator_is_refused(typed):
    assert parse_value(typed, "件").problem == "separator"


def test_a_huge_number_from_the_cell_is_a_number_the_checks_refuse():
    assert parse_value(1e308).kind == "number"  # checks.TYPE_LIMITS turns it into a precise error


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_numbers_from_the_cell_pass_through(x):
    assert parse_value(x).number == x


@given(st.text(alphabet=" \u3000\t", max_size=5))
def test_whitespace_is_blank_not_zero(s):
    assert parse_value(s).kind == "blank"


def test_none_is_blank_and_zero_is_zero():
    assert parse_value(None).kind == "blank"
    assert parse_value(0).kind == "number" and parse_value("0").number == 0


def test_not_applicable_words_are_na():
    for word in ("不涉及", "无此职能", "—", "N/A"):
        assert parse_value(word).kind == "na"


@given(st.text(alphabet="abcxyz天地玄黄!?", min_size=1, max_size=8))
def test_words_are_invalid(s):
    assert parse_value(s).kind in ("invalid", "na")


def test_booleans_and_infinities_are_invalid():
    assert parse_value(True).kind == "invalid"
    assert parse_value(float("inf")).kind == "invalid"
