"""Cross-field rule expressions from config/rules.yaml: ``LEFT op RIGHT`` over indicator codes.

A tiny, safe evaluator (numbers, codes, + - * /, parentheses, one comparison): config is written by
administrators, not programmers, and must never execute code.
"""

from __future__ import annotations

import ast
import functools
import operator
from collections.abc import Mapping

from nianbao.errors import NianbaoError


class RuleSyntaxError(NianbaoError):
    """A rule expression is not of the form LEFT (<=|>=|<|>|=) RIGHT over codes and numbers."""


_BIN = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}
_CMP = {ast.LtE: operator.le, ast.GtE: operator.ge, ast.Lt: operator.lt, ast.Gt: operator.gt,
        ast.Eq: lambda a, b: abs(a - b) < 1e-9}


@functools.lru_cache(maxsize=1024)  # a province checks the same few rules thousands of times
def _parse(expr: str) -> ast.Compare:
    src = expr.replace("==", "=").replace("<=", "≤").replace(">=", "≥").replace("=", "==")
    src = src.replace("≤", "<=").replace("≥", ">=")
    try:
        node = ast.parse(src, mode="eval").body
    except SyntaxError as exc:
        raise RuleSyntaxError(f"cannot parse {expr!r}: {exc.msg}") from None
    if not (isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _CMP):
        raise RuleSyntaxError(f"{expr!r} must be one comparison: LEFT op RIGHT")
    for sub in ast.walk(node):
        if not isinstance(sub, (ast.Compare, ast.BinOp, ast.Name, ast.Constant, ast.Load, ast.UnaryOp,
                                ast.USub, *_BIN, *_CMP)):
            raise RuleSyntaxError(f"{expr!r}: {type(sub).__name__} is not allowed")
        if isinstance(sub, ast.Constant) and not isinstance(sub.value, (int, float)):
            raise RuleSyntaxError(f"{expr!r}: only numbers are allowed as constants")
    return node


@functools.lru_cache(maxsize=1024)
def names_in(expr: str) -> frozenset[str]:
    """Indicator codes an expression refers to."""
    return frozenset({n.id for n in ast.walk(_parse(expr)) if isinstance(n, ast.Name)})


def _value(node: ast.AST, values: Mapping[str, float]) -> float:
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Name):
        return float(values[node.id])
    if isinstance(node, ast.UnaryOp):
        return -_value(node.operand, values)
    assert isinstance(node, ast.BinOp)
    left, right = _value(node.left, values), _value(node.right, values)
    if isinstance(node.op, ast.Div) and right == 0:
        return float("inf") if left else 0.0
    return _BIN[type(node.op)](left, right)


def evaluate(expr: str, values: Mapping[str, float]) -> tuple[bool, float, float]:
    """Return (holds, left, right). Every name must be present in ``values``."""
    node = _parse(expr)
    left, right = _value(node.left, values), _value(node.comparators[0], values)
    return bool(_CMP[type(node.ops[0])](left, right)), left, right
