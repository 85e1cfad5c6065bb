"""How the draft prints numbers, as official documents do: integers plain up to 9,999 and with
thousands separators from 10,000; rates and amounts with up to two decimals, trailing zeros dropped
("100%", "98.5%", never "100.00%"); one function, so a test can walk the draft back to the data."""

from __future__ import annotations

ORDINALS = "一二三四五六七八九十"


def ordinal(n: int) -> str:
    """1 → 一, 10 → 十, 11 → 十一, 21 → 二十一 (numbering problems 一是…, sections 一、…)."""
    if n <= 10:
        return ORDINALS[n - 1]
    tens, ones = divmod(n, 10)
    return (ORDINALS[tens - 1] if tens > 1 else "") + "十" + (ORDINALS[ones - 1] if ones else "")


def count(n: int) -> str:
    """How many, as counted in prose: 2 → 两, 3 → 三 (以下两个方面)."""
    return "两" if n == 2 else ordinal(n)


def decimal(value: float, places: int = 2) -> str:
    """Up to ``places`` decimals, trailing zeros dropped: 98.50 → 98.5, 100.00 → 100."""
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def number(value: float, unit: str) -> str:
    """A figure as the report prints it: amounts and rates to two decimals, other fractions to one;
    from 10,000 up the whole part is grouped by thousands (35,043件, 21,555.9万元)."""
    if unit in ("%", "万元") or not float(value).is_integer():
        text = decimal(value, 2 if unit in ("%", "万元") else 1)
    else:
        text = str(int(round(value)))
    whole, dot, fraction = text.partition(".")
    if abs(int(whole)) < 10000:  # as rounded: 9999.996万元 prints as 10,000
        return text
    return f"{int(whole):,}" + dot + fraction


def with_unit(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    return number(value, unit) + unit


def percent(value: float) -> str:
    """A change in percent, one decimal: 4.3%."""
    return decimal(abs(value), 1) + "%"


def points(value: float) -> str:
    """A change in percentage points, up to two decimals: 0.3 (个百分点)."""
    return decimal(abs(value), 2)
