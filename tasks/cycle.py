"""Tasks of the cycle's stages. Each wraps one stage function; none holds domain logic."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from nianbao.explain import why_stopped
from nianbao.mail.outbox import DeliveryReport
from nianbao.output import STATUS_ZH
from nianbao.resources import Resources
from nianbao.stages.close import CloseResult, close_cycle
from nianbao.stages.draft import DraftResult, deliver_draft, make_draft
from nianbao.intake.report import IntakeReport
from nianbao.intake.run import poll_inbox
from nianbao.stages.open_cycle import OpenResult, open_cycle
from nianbao.stages.remind import RemindReport, remind
from nianbao.stages.send import check_outbox, send_outbox
from nianbao.stages.status import StatusReport, cycle_status
from nianbao.stages.unit_drafts import UnitDraftsReport, make_unit_drafts
from tasks.params import text


@task(name="open-cycle", task_run_name=text("task_open_cycle"), cache_policy=NO_CACHE)
def open_cycle_task(res: Resources, year: int) -> OpenResult:
    return open_cycle(res, year)


@task(name="poll-intake", task_run_name=text("task_poll_intake"), cache_policy=NO_CACHE, retries=2,
      retry_delay_seconds=30)
def poll_intake_task(res: Resources) -> IntakeReport:
    logger = get_run_logger()

    def each(m) -> None:
        books = "；".join(f"{a.unit.name if a.unit else '未识别单位'} {STATUS_ZH.get(a.status, a.status)}"
                         for a in m.attachments) or "没有报表附件"
        logger.info("%s：%s（%s）", m.sender or m.source, books, STATUS_ZH.get(m.status, m.status))

    return poll_inbox(res, progress=each)


@task(name="unit-drafts", task_run_name=text("task_unit_drafts"), cache_policy=NO_CACHE)
def unit_drafts_task(res: Resources, year: int | None = None) -> UnitDraftsReport:
    """Each newly accepted unit's own report draft; a unit whose draft fails is logged and tried again next run."""
    report = make_unit_drafts(res, year)
    for name, why in report.failed:
        get_run_logger().warning("%s的年度报告初稿未能生成：%s", name, why)
    return report


@task(name="remind", task_run_name=text("task_remind"), cache_policy=NO_CACHE, retries=2, retry_delay_seconds=30)
def remind_task(res: Resources, year: int, dry_run: bool = False) -> RemindReport:
    return remind(res, year, dry_run=dry_run)


@task(name="send-outbox", task_run_name=text("task_send_outbox"), cache_policy=NO_CACHE)
def send_outbox_task(res: Resources) -> DeliveryReport:
    """No task retries: the outbox is the retry (what failed stays queued with backoff for the next run)."""
    report = send_outbox(res)
    if report.failed or report.broken:
        get_run_logger().warning("%d 封邮件发送失败，已留待下次重试；%d 封无法生成（见 outbox 的错误记录）。%s",
                                 report.failed, report.broken, why_stopped(report.stopped))
    return report


@task(name="check-outbox", task_run_name=text("task_check_outbox"), cache_policy=NO_CACHE)
def check_outbox_task(res: Resources) -> None:
    """Fail (OutboxStuck, in Chinese) when mail has not gone out for mail.yaml's alert_after_minutes: the
    run ends Failed with that sentence, and the failure automation alerts the administrators."""
    check_outbox(res)


@task(name="make-draft", task_run_name=text("task_make_draft"), cache_policy=NO_CACHE)
def make_draft_task(res: Resources, year: int) -> DraftResult:
    return make_draft(res, year)


@task(name="deliver-draft", task_run_name=text("task_deliver_draft"), cache_policy=NO_CACHE)
def deliver_draft_task(res: Resources, result: DraftResult) -> bool:
    return deliver_draft(res, result)


@task(name="close-cycle", task_run_name=text("task_close_cycle"), cache_policy=NO_CACHE)
def close_cycle_task(res: Resources, year: int) -> CloseResult:
    return close_cycle(res, year)


@task(name="cycle-status", task_run_name=text("task_cycle_status"), cache_policy=NO_CACHE)
def cycle_status_task(res: Resources, year: int) -> StatusReport:
    return cycle_status(res, year)
