"""Arithmetic over indicator codes, as config/upward.yaml writes it: ``E_CF_HJ - E_CF_JG``.

The file is written by administrators and must never run code, so an expression is parsed with `ast`
and only numbers, codes, + - * / (unary - too) and parentheses are let through; it is then walked by
hand, never given to eval(). A code whose city figure is missing makes the whole result unavailable,
with the reason the figure gave (a province must not get a sum that silently left a part out)."""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable
from dataclasses import dataclass

MAX_LENGTH = 300  # a real mapping is a short sum; a long one is a mistake (and ast recursion is bounded)
MAX_CONSTANT = 1e9  # a unit conversion (万元 → 元: 10000) or a share, never a figure typed into config

_OPS: dict[type, Callable[[float, float], float]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}
_NODES = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.USub, ast.UAdd, ast.Name, ast.Load, ast.Constant, *_OPS)
_SYMBOLS = str.maketrans({"（": "(", "）": ")", "＋": "+", "－": "-", "＊": "*", "×": "*", "／": "/", "÷": "/",
                          "\u3000": " "})


class ExpressionError(ValueError):
    """Not arithmetic over codes; the message is Chinese (pydantic shows it as the config problem)."""


@dataclass(frozen=True)
class Unavailable:
    reason: str  # Chinese, ready for the report


@dataclass(frozen=True)
class Expression:
    text: str
    tree: ast.Expression
    names: frozenset[str]
    divides: bool  # any "/" (the result is then never an integer count)
    whole_constants: bool  # every number in it is an integer

    @property
    def single_code(self) -> str | None:
        """The code when the expression is just one code (the common case: a row renamed)."""
        body = self.tree.body
        return body.id if isinstance(body, ast.Name) else None


def parse_expression(text: str, known: frozenset[str] | set[str] | None = None) -> Expression:
    """Raise ExpressionError unless ``text`` is arithmetic over codes (and, given ``known``, every code
    is one of them)."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("表达式不能为空")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"表达式过长（至多 {MAX_LENGTH} 个字符）")
    src = text.translate(_SYMBOLS).strip()  # full-width operators typed on a Chinese keyboard
    try:
        tree = ast.parse(src, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise ExpressionError(f"“{text}”不是有效的算式，只能用指标代码、数字、+ - * / 和括号") from None
    names, divides, whole = set(), False, True
    for node in ast.walk(tree):
        if not isinstance(node, _NODES):
            raise ExpressionError(f"“{text}”中不允许使用{_what(node)}，只能用指标代码、数字、+ - * / 和括号")
        if isinstance(node, ast.Constant):
            # bool is an int to Python; a string or None is no number either
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                raise ExpressionError(f"“{text}”中的常量 {node.value!r} 不是数字")
            if abs(node.value) > MAX_CONSTANT or not math.isfinite(node.value):  # a huge int: no float
                raise ExpressionError(f"常量过大（绝对值至多 {MAX_CONSTANT:g}）")
            whole = whole and float(node.value).is_integer()
        elif isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Div):
            divides = True
    unknown = sorted(names - set(known)) if known is not None else []
    if unknown:
        raise ExpressionError(f"没有指标 {'、'.join(unknown)}（见 indicators.yaml）")
    return Expression(text, tree, frozenset(names), divides, whole)


_KINDS: tuple[tuple[type | tuple[type, ...], str], ...] = (
    (ast.Call, "函数调用"), (ast.Attribute, "属性访问（.）"), (ast.Subscript, "下标（[]）"),
    ((ast.Compare, ast.BoolOp, ast.Not), "比较或逻辑运算"), (ast.IfExp, "条件表达式"), (ast.Lambda, "函数定义"),
    ((ast.List, ast.Tuple, ast.Set, ast.Dict), "列表、元组或集合"), (ast.NamedExpr, "赋值"),
    ((ast.JoinedStr, ast.FormattedValue), "字符串"))


def _what(node: ast.AST) -> str:
    for kinds, words in _KINDS:
        if isinstance(node, kinds):
            return words
    if isinstance(node, ast.operator):
        return f"运算符（{type(node).__name__}）"
    return f"其他语法（{type(node).__name__}）"


def evaluate(expr: Expression, lookup: Callable[[str], float | Unavailable], undefined: str) -> float | Unavailable:
    """The value, or why there is none: the first code without a figure, or ``undefined`` (a division
    by 0, or a result too large to be a number)."""
    for name in sorted(expr.names):  # every code first: the reason names a missing part, not a later 0
        got = lookup(name)
        if isinstance(got, Unavailable):
            return got
    try:
        value = _value(expr.tree.body, lookup)
    except ZeroDivisionError:
        return Unavailable(undefined)
    return value if math.isfinite(value) else Unavailable(undefined)


def _value(node: ast.AST, lookup: Callable[[str], float | Unavailable]) -> float:
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Name):
        got = lookup(node.id)
        assert not isinstance(got, Unavailable)  # checked by evaluate before walking
        return float(got)
    if isinstance(node, ast.UnaryOp):
        inner = _value(node.operand, lookup)
        return -inner if isinstance(node.op, ast.USub) else inner
    assert isinstance(node, ast.BinOp)  # parse_expression let nothing else through
    return _OPS[type(node.op)](_value(node.left, lookup), _value(node.right, lookup))
