"""Whether a scheduled run should act today. Schedules only say when a flow looks; the plan decides."""

from __future__ import annotations

from nianbao.plan import build_plan
from nianbao.resources import Resources
from nianbao.stages.season import season_end
from nianbao.texts import fmt_day
from nianbao.workdays import WorkCalendar


def not_due(res: Resources, year: int, stage: str) -> str | None:
    """None when ``stage`` ('open' or 'draft') is due today; otherwise why not, in Chinese."""
    cal = WorkCalendar(res.config.calendar)
    plan = build_plan(res.config, year, cal)
    today = res.clock.now().date()
    first = plan.open_day if stage == "open" else plan.draft_day
    if today < first:
        return f"{year}年度未到计划日期（{fmt_day(first)}）"
    if today > season_end(res, year):
        return f"{year}年度填报期已于{fmt_day(season_end(res, year))}结束"
    if not cal.is_workday(today):
        return f"{fmt_day(today)}不是工作日"
    return None
