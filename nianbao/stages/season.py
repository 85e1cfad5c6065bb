"""When a cycle is in season: from its plan's open day (the first working day of January of the year
after the report year) to `calendar.season_end`. Outside it, commands and flows run on the default
year say so and stop cleanly, and `open` refuses a year whose day has not come or has passed."""

from __future__ import annotations

import datetime as dt

from nianbao.plan import build_plan
from nianbao.resources import Resources
from nianbao.texts import fmt_day


def default_year(res: Resources) -> int:
    """The report year a day belongs to: the 2026 cycle runs in January–March 2027."""
    return res.clock.now().year - 1


def season_end(res: Resources, year: int) -> dt.date:
    end = res.config.calendar.season_end
    return dt.date(year + 1, end.month, end.day)


def off_season(res: Resources, year: int) -> str | None:
    """Why ``year``'s cycle is not in season today (Chinese), or None."""
    today = res.clock.now().date()
    opens = build_plan(res.config, year).open_day
    if today < opens:
        return f"{year}年度填报计划于{fmt_day(opens)}开始，今天（{fmt_day(today)}）尚未到开始日期"
    if today > season_end(res, year):
        return f"{year}年度填报已于{fmt_day(season_end(res, year))}结束"
    return None


def open_refusal(res: Resources, year: int) -> str | None:
    """Why `open` must not mail every unit for ``year`` today (Chinese), or None."""
    if res.clock.now().date() > season_end(res, year):
        return f"{year}年度已过填报期（{fmt_day(season_end(res, year))}结束），通知中的截止日期均已过去"
    return off_season(res, year)
