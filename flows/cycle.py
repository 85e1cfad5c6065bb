"""The deployable flows of the yearly cycle (see prefect.yaml for their schedules)."""

from __future__ import annotations

from prefect import flow

from nianbao.stages.gates import not_due
from tasks.artifacts import publish_intake, publish_reminders, publish_status
from tasks.common import flow_resources, report_year
from tasks.cycle import (
    cycle_status_task, deliver_draft_task, make_draft_task, open_cycle_task, poll_intake_task,
    remind_task, send_outbox_task,
)


@flow(name="open-cycle", log_prints=True)
def open_cycle_flow(year: int | None = None, today: str | None = None, force: bool = False) -> list[str]:
    """Mail every reporting unit its prefilled workbook and the deadlines (from the plan's open day)."""
    res = flow_resources(today)
    y = report_year(res, year)
    if not force and (reason := not_due(res, y, "open")):
        print(reason)
        return []
    result = open_cycle_task(res, y)
    send_outbox_task(res)
    return result.invited


@flow(name="intake", log_prints=True)
def intake_flow(year: int | None = None, today: str | None = None, folder: str | None = None) -> int:
    """Poll the intake mailbox (or one shard of it) once: archive, read, check, store, answer."""
    res = flow_resources(today, folder)
    report = poll_intake_task(res)
    send_outbox_task(res)
    publish_intake(report)
    publish_status(cycle_status_task(res, report_year(res, year)))
    return len(report.messages)


@flow(name="remind", log_prints=True)
def remind_flow(year: int | None = None, today: str | None = None, dry_run: bool = False) -> int:
    """Queue and send the reminders due today (working days only) and the administrator's digest."""
    res = flow_resources(today)
    y = report_year(res, year)
    report = remind_task(res, y, dry_run=dry_run)
    if not dry_run:
        send_outbox_task(res)
    publish_reminders(report)
    publish_status(cycle_status_task(res, y))
    return len(report.mails)


@flow(name="draft", log_prints=True)
def draft_flow(year: int | None = None, today: str | None = None, deliver: bool = True,
               force: bool = False) -> str:
    """Aggregate, render the 五聚焦 draft (.docx/.md/.html + data appendix); mail it to the leaders
    when it changed since the last one."""
    res = flow_resources(today)
    y = report_year(res, year)
    if not force and (reason := not_due(res, y, "draft")):
        print(reason)
        return ""
    result = make_draft_task(res, y)
    if deliver and result.new:
        deliver_draft_task(res, result)
        send_outbox_task(res)
    return str(result.paths["docx"])
