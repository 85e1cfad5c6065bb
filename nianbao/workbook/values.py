"""What a clerk typed → a number, 不涉及, blank or invalid. Clerks type numbers as text in many ways:
"1,234", "92.43%", "１２３" (full-width), "12件", "—"; blank is not 0."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

NA_WORDS = {"不涉及", "无此职能", "无此职权", "无此项职权", "不适用", "n/a", "na", "—", "――", "－", "/", "／"}
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_TRAILING_UNIT = re.compile(r"[\u4e00-\u9fff]+$")  # 12件, 5905人, 40学时


@dataclass(frozen=True)
class ParsedValue:
    kind: str  # number | na | blank | invalid
    number: float | None = None
    text: str = ""


def parse_value(raw: object) -> ParsedValue:
    if raw is None:
        return ParsedValue("blank")
    if isinstance(raw, bool):
        return ParsedValue("invalid", text=str(raw))
    if isinstance(raw, (int, float)):
        if isinstance(raw, float) and not math.isfinite(raw):
            return ParsedValue("invalid", text=str(raw))
        return ParsedValue("number", float(raw), str(raw))
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    if not text:
        return ParsedValue("blank")
    if text.lower() in NA_WORDS or text in NA_WORDS:
        return ParsedValue("na", text=text)
    compact = text.replace(",", "").replace(" ", "").replace("\u3000", "")
    compact = compact.removesuffix("%")
    compact = _TRAILING_UNIT.sub("", compact)
    if _NUMBER.match(compact):
        value = float(compact)
        if math.isfinite(value):
            return ParsedValue("number", value, text)
    return ParsedValue("invalid", text=text)
