"""A task's deadline as the plan words it ("2026年6月底前完成", "完成时限：2026年12月", "第三季度", "长期坚持"),
kept as text, and as a date where the words name one: the last day of the named month, quarter, half
or year ("2026年6月" → 2026-06-30), the day itself where a day is named. A deadline without a year is in
the plan's year. Several dates in one deadline ("6月底前完成初稿，12月底前全面完成"): the latest, when the
task as a whole is due. Words that name no date ("长期坚持", "持续推进") give text only."""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata

_ZH = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_DATE = re.compile(
    r"(?:(?<!\d)(?P<year>20\d{2})\s*年)?\s*(?:"
    r"(?P<month>\d{1,2})\s*月\s*(?:(?P<day>\d{1,2})\s*日|(?P<part>底|末|上旬|中旬|下旬))?"
    r"|(?:第\s*)?(?P<quarter>[一二三四1-4])\s*季度(?:末)?"
    r"|(?P<half>上半年|下半年)"
    r"|(?P<year_end>年底|年末|年内|底|末))?")
_ISO = re.compile(r"(?<!\d)(20\d{2})\s*[-./]\s*(\d{1,2})(?:\s*[-./]\s*(\d{1,2}))?(?!\d)")
# In a task's text a date counts as its deadline only when it is one: a year, then 前/完成 ("2026年6月底前完成").
_IN_TEXT = re.compile(
    r"(?<!\d)20\d{2}\s*年\s*(?:\d{1,2}\s*月\s*(?:\d{1,2}\s*日|底|末|上旬|中旬|下旬)?|(?:第\s*)?[一二三四1-4]\s*季度(?:末)?"
    r"|上半年|下半年|年底|年末|底|末|年内)?\s*(?:前|以前|之前)\s*(?:全面|基本)?(?:完成|建成|出台|实现)?")


def _last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _one(m: re.Match, year: int) -> dt.date | None:
    y = int(m.group("year")) if m.group("year") else year
    if m.group("month"):
        month = int(m.group("month"))
        if not 1 <= month <= 12:
            return None
        if m.group("day"):
            try:
                return dt.date(y, month, int(m.group("day")))
            except ValueError:
                return None
        part = m.group("part")
        return dt.date(y, month, 10) if part == "上旬" else dt.date(y, month, 20) if part == "中旬" else _last_day(y, month)
    if m.group("quarter"):
        return _last_day(y, 3 * _ZH[m.group("quarter")])
    if m.group("half"):
        return dt.date(y, 6, 30) if m.group("half") == "上半年" else dt.date(y, 12, 31)
    if m.group("year_end") in ("底", "末") and not m.group("year"):
        return None  # 底/末 alone (每月末) names no year's end
    if m.group("year_end") or m.group("year"):
        return dt.date(y, 12, 31)
    return None


def parse_deadline(text: str, year: int) -> dt.date | None:
    """The date a deadline's words name (the latest, if several), or None."""
    norm = unicodedata.normalize("NFKC", text)
    found = []
    for m in _ISO.finditer(norm):
        try:
            found.append(dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m.group(3)
                         else _last_day(int(m.group(1)), int(m.group(2))))
        except ValueError:
            continue
    norm = _ISO.sub(" ", norm)
    for m in _DATE.finditer(norm):
        if m.group(0).strip() and (day := _one(m, year)) is not None:
            found.append(day)
    return max(found) if found else None


def deadline_in_text(text: str) -> str | None:
    """The deadline phrases a task's text states ("2026年6月底前完成"), joined; None when there is none."""
    norm = unicodedata.normalize("NFKC", text)
    phrases = [m.group(0).strip() for m in _IN_TEXT.finditer(norm)]
    return "；".join(phrases) if phrases else None
