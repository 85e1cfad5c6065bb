"""How the draft prints numbers: one function, so a test can walk the draft back to the data."""

from __future__ import annotations

ORDINALS = "一二三四五六七八九十"


def ordinal(n: int) -> str:
    """1 → 一, 10 → 十, 11 → 十一, 21 → 二十一 (numbering problems 一是…, sections 一、…)."""
    if n <= 10:
        return ORDINALS[n - 1]
    tens, ones = divmod(n, 10)
    return (ORDINALS[tens - 1] if tens > 1 else "") + "十" + (ORDINALS[ones - 1] if ones else "")


def number(value: float, unit: str) -> str:
    if unit == "%":
        return f"{value:.2f}"
    if unit == "万元":
        return f"{value:.2f}"
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.1f}"


def with_unit(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    return number(value, unit) + unit
