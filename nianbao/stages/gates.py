"""Whether a scheduled run should act today. Schedules only say when a flow looks; the plan decides."""

from __future__ import annotations

from nianbao.plan import build_plan
from nianbao.resources import Resources
from nianbao.texts import fmt_day
from nianbao.workdays import WorkCalendar


def not_due(res: Resources, year: int, stage: str) -> str | None:
    """None when ``stage`` ('open' or 'draft') is due today; otherwise why not, in Chinese."""
    cal = WorkCalendar(res.config.calendar)
    plan = build_plan(res.config, year, cal)
    today = res.clock.now().date()
    first = plan.open_day if stage == "open" else plan.draft_day
    if today < first:
        return f"未到计划日期({fmt_day(first)}),本次不执行"
    if not cal.is_workday(today):
        return f"{fmt_day(today)}不是工作日,本次不执行"
    return None
