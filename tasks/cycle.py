"""Tasks of the cycle's stages. Each wraps one stage function; none holds domain logic."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from nianbao import runlog
from nianbao.mail.outbox import DeliveryReport
from nianbao.resources import Resources
from nianbao.stages.close import CloseResult, close_cycle
from nianbao.stages.draft import DraftResult, deliver_draft, make_draft
from nianbao.intake.report import IntakeReport
from nianbao.intake.run import poll_inbox
from nianbao.stages.open_cycle import OpenResult, open_cycle
from nianbao.stages.remind import RemindReport, remind
from nianbao.stages.send import check_outbox, send_outbox
from nianbao.stages.status import StatusReport, cycle_status
from nianbao.stages.tasks import tasks_progress
from nianbao.stages.unit_drafts import UnitDraftsReport, make_unit_drafts
from tasks.params import text


def _say(lines: list[str]) -> None:
    logger = get_run_logger()
    for line in lines:
        logger.info(line)


@task(name="open-cycle", task_run_name=text("task_open_cycle"), cache_policy=NO_CACHE)
def open_cycle_task(res: Resources, year: int) -> OpenResult:
    result = open_cycle(res, year)
    _say(runlog.opened(res.config, result))
    return result


@task(name="poll-intake", task_run_name=text("task_poll_intake"), cache_policy=NO_CACHE, retries=2,
      retry_delay_seconds=30)
def poll_intake_task(res: Resources) -> IntakeReport:
    """A log line per mail as it is taken in, and one for the whole poll."""
    logger = get_run_logger()
    report = poll_inbox(res, progress=lambda m: logger.info(runlog.intake_mail(res.config, m)))
    logger.info(runlog.intake_summary(res.config, report))
    return report


@task(name="unit-drafts", task_run_name=text("task_unit_drafts"), cache_policy=NO_CACHE)
def unit_drafts_task(res: Resources, year: int | None = None) -> UnitDraftsReport:
    """Each newly accepted unit's own report draft; a unit whose draft fails is logged and tried again next run."""
    report = make_unit_drafts(res, year)
    _say(runlog.unit_drafts(res.config, report))
    for name, why in report.failed:
        get_run_logger().warning(res.config.text("log_unit_draft_failed", unit=name, why=why))
    return report


@task(name="remind", task_run_name=text("task_remind"), cache_policy=NO_CACHE, retries=2, retry_delay_seconds=30)
def remind_task(res: Resources, year: int, dry_run: bool = False) -> RemindReport:
    report = remind(res, year, dry_run=dry_run)
    _say(runlog.reminded(res.config, report))
    return report


@task(name="send-outbox", task_run_name=text("task_send_outbox"), cache_policy=NO_CACHE)
def send_outbox_task(res: Resources) -> DeliveryReport:
    """No task retries: the outbox is the retry (what failed stays queued with backoff for the next run).
    A line per mail sent (what, to whom); a WARNING for what failed."""
    report = send_outbox(res)
    lines = runlog.delivered(res.config, report)
    _say(lines[:report.sent])
    for line in lines[report.sent:]:
        get_run_logger().warning(line)
    if report.uncertain:
        get_run_logger().warning("%d 封邮件服务器已收下全文但未确认（可能已送达），按 mail.yaml 的 uncertain_retries 稍后再发；"
                                 "目前共有 %d 封未确认，见 nianbao status。", report.uncertain, report.unconfirmed)
    return report


@task(name="check-outbox", task_run_name=text("task_check_outbox"), cache_policy=NO_CACHE)
def check_outbox_task(res: Resources) -> None:
    """Fail (OutboxStuck, in Chinese) when mail has not gone out for mail.yaml's alert_after_minutes: the
    run ends Failed with that sentence, and the failure automation alerts the administrators."""
    check_outbox(res)


@task(name="make-draft", task_run_name=text("task_make_draft"), cache_policy=NO_CACHE)
def make_draft_task(res: Resources, year: int) -> DraftResult:
    result = make_draft(res, year)
    key = "log_draft_made" if result.new else "log_draft_same"
    get_run_logger().info(res.config.text(key, year=year, number=result.draft_id, file=result.paths["docx"].name))
    return result


@task(name="deliver-draft", task_run_name=text("task_deliver_draft"), cache_policy=NO_CACHE)
def deliver_draft_task(res: Resources, result: DraftResult) -> bool:
    created = deliver_draft(res, result)
    get_run_logger().info(res.config.text("log_draft_queued" if created else "log_draft_sent_before",
                                          number=result.draft_id))
    return created


@task(name="close-cycle", task_run_name=text("task_close_cycle"), cache_policy=NO_CACHE)
def close_cycle_task(res: Resources, year: int) -> CloseResult:
    return close_cycle(res, year)


@task(name="cycle-status", task_run_name=text("task_cycle_status"), cache_policy=NO_CACHE)
def cycle_status_task(res: Resources, year: int) -> StatusReport:
    return cycle_status(res, year)


@task(name="tasks-progress", cache_policy=NO_CACHE)
def tasks_progress_task(res: Resources, year: int) -> list:
    """How the year's work plan tasks stand ([] when no plan was imported for the year)."""
    return tasks_progress(res, year, required=False)
