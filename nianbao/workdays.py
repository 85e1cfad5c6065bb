"""China's working-day calendar: weekends, statutory holidays and 调休 make-up working days.

The chinese-calendar package knows the years the State Council has published; config overrides add
the years it does not know yet (or replace a year), and are marked provisional until confirmed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import chinese_calendar

from nianbao.cityconfig import CalendarFile

WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True)
class Coverage:
    year: int
    source: str  # chinese_calendar | override | weekends
    provisional: bool
    detail: str  # where an override comes from (calendar.yaml's source)


def _package_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
        return True
    except NotImplementedError:
        return False


class WorkCalendar:
    def __init__(self, cal: CalendarFile):
        self.cal = cal

    def coverage(self, year: int) -> Coverage:
        o = self.cal.overrides.get(year)
        if o is not None:
            return Coverage(year, "override", o.provisional, o.source)
        if _package_covers(year):
            return Coverage(year, "chinese_calendar", False, "")
        return Coverage(year, "weekends", True, "")

    def is_workday(self, d: dt.date) -> bool:
        o = self.cal.overrides.get(d.year)
        if o is not None:
            if d in o.workdays:
                return True
            if d in o.holidays:
                return False
            return d.weekday() < 5
        if _package_covers(d.year):
            return chinese_calendar.is_workday(d)
        return d.weekday() < 5

    def day_kind(self, d: dt.date) -> str:
        if self.is_workday(d):
            return "调休上班" if d.weekday() >= 5 else "工作日"
        if d.weekday() < 5:
            name = None
            if d.year not in self.cal.overrides and _package_covers(d.year):
                _, holiday = chinese_calendar.get_holiday_detail(d)
                name = next((h.chinese for h in chinese_calendar.Holiday if h.value == holiday), None)
            return f"法定节假日（{name}）" if name else "法定节假日"
        o = self.cal.overrides.get(d.year)
        if o is not None and d in o.holidays:
            return "法定节假日"
        return "周末"

    def next_workday(self, d: dt.date, include: bool = True) -> dt.date:
        d = d if include else d + dt.timedelta(days=1)
        while not self.is_workday(d):
            d += dt.timedelta(days=1)
        return d

    def add_workdays(self, d: dt.date, n: int) -> dt.date:
        """The n-th working day after (n > 0) or before (n < 0) ``d``; n = 0 is ``d`` or the next one."""
        if n == 0:
            return self.next_workday(d)
        step = dt.timedelta(days=1 if n > 0 else -1)
        left = abs(n)
        while left:
            d += step
            if self.is_workday(d):
                left -= 1
        return d

    def workdays_between(self, a: dt.date, b: dt.date) -> int:
        """Working days in (a, b]; negative when b is before a."""
        if b < a:
            return -self.workdays_between(b, a)
        return sum(self.is_workday(a + dt.timedelta(days=i)) for i in range(1, (b - a).days + 1))


def weekday_zh(d: dt.date) -> str:
    return "周" + WEEKDAYS[d.weekday()]
