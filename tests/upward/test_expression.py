"""upward.yaml expressions: arithmetic over our codes and nothing else, never run as Python."""

from __future__ import annotations

import pytest

from nianbao.upward.expression import ExpressionError, Unavailable, evaluate, parse_expression

KNOWN = frozenset({"E_CF_HJ", "E_CF_JG", "E_CF_JE", "E_JLY"})
VALUES = {"E_CF_HJ": 120.0, "E_CF_JG": 20.0, "E_CF_JE": 3.5}


def lookup(code):
    return VALUES[code] if code in VALUES else Unavailable(f"{code} 无数据")


@pytest.mark.parametrize("text,value", [
    ("E_CF_HJ", 120), ("E_CF_HJ - E_CF_JG", 100), ("(E_CF_HJ + E_CF_JG) * 2 / 4", 70),
    ("E_CF_JE * 10000", 35000), ("-E_CF_JG + 1.5", -18.5), ("（E_CF_HJ－E_CF_JG）× 2", 200), ("1", 1),
])
def test_arithmetic_over_codes_is_evaluated(text, value):
    assert evaluate(parse_expression(text, KNOWN), lookup, "除数为 0") == pytest.approx(value)


@pytest.mark.parametrize("text,why", [
    ("__import__('os').system('touch /tmp/x')", "函数调用"),
    ("E_CF_HJ.real", "属性访问"),
    ("open('/etc/passwd')", "函数调用"),
    ("E_CF_HJ[0]", "下标"),
    ("E_CF_HJ if E_CF_JG else 0", "条件表达式"),
    ("lambda: 1", "函数定义"),
    ("E_CF_HJ > E_CF_JG", "比较"),
    ("E_CF_HJ and E_CF_JG", "逻辑"),
    ("E_CF_HJ ** 2", "Pow"),
    ("E_CF_HJ % 7", "Mod"),
    ("'E_CF_HJ'", "不是数字"),
    ("True + E_CF_HJ", "不是数字"),
    ("[E_CF_HJ]", "列表"),
    ("(x := 1)", "赋值"),
    ("1e999 * E_CF_HJ", "过大"),
    ("9" * 290 + " * E_CF_HJ", "过大"),
    ("E_CF_HJ -", "不是有效的算式"),
    ("f'{E_CF_HJ}'", "字符串"),
    ("~E_CF_HJ", "Invert"),
    ("", "不能为空"),
    ("E_CF_HJ + " * 40 + "1", "过长"),
    ("E_CF_HJ + E_XX", "没有指标 E_XX"),
])
def test_anything_but_arithmetic_over_codes_is_refused(text, why):
    with pytest.raises(ExpressionError, match=why):
        parse_expression(text, KNOWN)


def test_a_code_without_a_figure_makes_the_result_unavailable_with_its_reason():
    assert evaluate(parse_expression("E_CF_HJ + E_JLY", KNOWN), lookup, "除数为 0") == Unavailable("E_JLY 无数据")


def test_a_division_by_zero_is_unavailable_not_infinite():
    zero = {"E_CF_HJ": 1.0, "E_CF_JG": 0.0}
    got = evaluate(parse_expression("E_CF_HJ / E_CF_JG", KNOWN), zero.__getitem__, "除数为 0")
    assert got == Unavailable("除数为 0")
