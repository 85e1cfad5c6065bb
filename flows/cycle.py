"""The deployable flows of the yearly cycle (see prefect.yaml for their schedules). Each reads like a
table of contents; the work is in nianbao.stages, wrapped by the tasks of tasks/."""

from __future__ import annotations

from prefect import flow

from nianbao.intake.mailbox_lock import mailbox_lock
from nianbao.stages.review import awaiting_decision
from tasks.artifacts import publish_draft, publish_intake, publish_reminders, publish_status, publish_tasks
from tasks.common import explained, flow_resources, in_season, log, report_year, run_name, with_inbound_folder
from tasks.cycle import (
    check_outbox_task, close_cycle_task, cycle_status_task, deliver_draft_task, make_draft_task, open_cycle_task,
    poll_intake_task, remind_task, send_outbox_task, tasks_progress_task, unit_drafts_task,
)
from tasks.decisions import approval_required, wait_for_approval
from tasks.params import Approval, Deliver, DryRun, Folder, Force, Today, Year, text


@flow(name="open-cycle", flow_run_name=run_name("open"), description=text("flow_open"))
@explained
def open_cycle_flow(year: Year = None, today: Today = None, force: Force = False) -> list[str]:
    """Mail every reporting unit its prefilled workbook and the deadlines (from the plan's open day)."""
    res = flow_resources(today)
    y = report_year(res, year)
    if not force and not in_season(res, y, "open"):
        return []
    result = open_cycle_task(res, y)
    send_outbox_task(res)
    check_outbox_task(res)
    return result.invited


INTAKE_FLOW_SECONDS = 25 * 60  # above the intake's own wall-clock budget (10 min) plus drafts and receipts


@flow(name="intake", flow_run_name=run_name("intake"), description=text("flow_intake"), timeout_seconds=INTAKE_FLOW_SECONDS)
@explained
def intake_flow(year: Year = None, today: Today = None, folder: Folder = None) -> int:
    """Poll the intake mailbox (or one shard of it) once: archive, read, check, store, answer, and draft
    each newly accepted unit its own annual report (sent with its receipt). Mail is
    taken in any season (a clerk may write any day); the status table only while a cycle runs."""
    res = flow_resources(today, folder)
    with mailbox_lock(with_inbound_folder(res.settings, folder) if folder else res.settings) as mine:
        if not mine:  # the previous run is still reading this mailbox: it answers what it reads
            log().info(res.config.text("intake_busy"))
            return 0
        report = poll_intake_task(res)
    try:
        unit_drafts_task(res)
    finally:  # a full disk under the drafts fails the run (the alert fires), but the receipts still go
        send_outbox_task(res)
    publish_intake(report)
    y = report_year(res, year)
    if year is not None or in_season(res, y, "status", quiet=True):
        publish_status(cycle_status_task(res, y))
        publish_tasks(y, tasks_progress_task(res, y))
    check_outbox_task(res)
    return len(report.messages)


@flow(name="remind", flow_run_name=run_name("remind"), description=text("flow_remind"))
@explained
def remind_flow(year: Year = None, today: Today = None, dry_run: DryRun = False) -> int:
    """Queue and send the reminders due today (working days only) and the administrator's digest."""
    res = flow_resources(today)
    y = report_year(res, year)
    if year is None and not in_season(res, y, "status"):
        return 0
    report = remind_task(res, y, dry_run=dry_run)
    if not dry_run:
        send_outbox_task(res)
    publish_reminders(report)
    publish_status(cycle_status_task(res, y))
    if not dry_run:
        check_outbox_task(res)
    return len(report.mails)


@flow(name="draft", flow_run_name=run_name("draft"), description=text("flow_draft"))
@explained
def draft_flow(year: Year = None, today: Today = None, deliver: Deliver = True, force: Force = False,
               approval: Approval = None) -> str:
    """Aggregate, render the 五聚焦 draft (.docx/.md/.html + data appendix), show it in the UI, wait for
    an administrator's approval (report.yaml: approval) and mail it to the leaders. A draft that still
    waits for a decision (the form timed out, or the run was stopped) is asked about again on a re-run."""
    res = flow_resources(today)
    y = report_year(res, year)
    if not force and not in_season(res, y, "draft"):
        return ""
    result = make_draft_task(res, y)
    publish_draft(result)
    publish_tasks(y, tasks_progress_task(res, y))
    waiting = not result.new and approval_required(res, approval) and awaiting_decision(res, result.draft_id)
    if waiting:
        log().info(res.config.text("draft_waiting", draft=result.draft_id))
    if deliver and (result.new or waiting) and wait_for_approval(res, result, approval):
        deliver_draft_task(res, result)
        send_outbox_task(res)
        if res.config.report.close_on_approval and approval_required(res, approval):
            close_cycle_task(res, y)  # the approved draft is the final one (report.yaml)
        check_outbox_task(res)
    return str(result.paths["docx"])
