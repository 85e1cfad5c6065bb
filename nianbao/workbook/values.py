"""What a clerk typed → a number, 不涉及, blank or invalid (with why).

Clerks type numbers as text in many ways. Accepted: full-width digits (１２３), thousands separators in
the Western and Chinese styles ("1,234", "1，234", "1 234"), the indicator's own unit after the number
("12件" where the unit is 件) and "%" on a percentage. Refused, with the reason, because the number read
would silently be wrong: a magnitude word ("12万" is not 12), another unit, "%" on a count, and a comma
that is not a thousands separator ("1,5": a decimal comma, or a typo). Blank is not 0."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

NA_WORDS = {"不涉及", "无此职能", "无此职权", "无此项职权", "不适用", "n/a", "na", "—", "――", "－", "/", "／"}
_PLAIN = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:(?P<sep>[, ])\d{3})(?:(?P=sep)\d{3})*(\.\d+)?")
_MAGNITUDE = re.compile(r"\d\s*(万|千|百|亿|k|K|w|W|m|M)")
_TRAILING_WORD = re.compile(r"[^\d.%\s]+$")  # 12件, 5905人, 40学时, 12万元


@dataclass(frozen=True)
class ParsedValue:
    kind: str  # number | na | blank | invalid
    number: float | None = None
    text: str = ""
    problem: str = ""  # why invalid: text | magnitude | unit | percent | separator | infinite


def _invalid(text: str, problem: str) -> ParsedValue:
    return ParsedValue("invalid", text=text, problem=problem)


def parse_value(raw: object, unit: str = "", percent: bool = False) -> ParsedValue:
    """``unit`` is the indicator's own measure word (accepted after the number); ``percent`` allows a
    trailing "%" (the indicator is a percentage)."""
    if raw is None:
        return ParsedValue("blank")
    if isinstance(raw, bool):
        return _invalid(str(raw), "text")
    if isinstance(raw, (int, float)):
        if isinstance(raw, float) and not math.isfinite(raw):
            return _invalid(str(raw), "infinite")
        return ParsedValue("number", float(raw), str(raw))
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    if not text:
        return ParsedValue("blank")
    if text.lower() in NA_WORDS or text in NA_WORDS:
        return ParsedValue("na", text=text)
    compact = text.replace("\u3000", " ")
    if _MAGNITUDE.search(compact) and not (unit and compact.endswith(unit) and not _MAGNITUDE.search(compact.removesuffix(unit))):
        return _invalid(text, "magnitude")
    word = _TRAILING_WORD.search(compact)
    if word:
        if word.group(0) != unit:
            return _invalid(text, "unit" if re.match(r"[+-]?[\d.,\s]+$", compact[:word.start()]) else "text")
        compact = compact[:word.start()]
    compact = compact.strip()
    if compact.endswith("%"):
        if not percent:
            return _invalid(text, "percent")
        compact = compact[:-1].strip()
    if _PLAIN.fullmatch(compact):
        number = float(compact)
    elif _GROUPED.fullmatch(compact):
        number = float(compact.replace(",", "").replace(" ", ""))
    elif "," in compact or re.fullmatch(r"[+-]?[\d ]+(\.\d+)?", compact):
        return _invalid(text, "separator")
    else:
        return _invalid(text, "text")
    if not math.isfinite(number):
        return _invalid(text, "infinite")
    return ParsedValue("number", number, text)
