"""Prefect table artifacts: what an administrator sees in the UI after each intake and reminder run."""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE

from nianbao.intake.report import IntakeReport
from nianbao.stages.remind import RemindReport
from nianbao.stages.status import StatusReport


@task(name="publish-status", cache_policy=NO_CACHE)
def publish_status(status: StatusReport) -> None:
    r = status.rates
    create_table_artifact(
        key=f"completeness-{status.year}",
        table=[{"单位": row["name"], "状态": row["label"], "收到时间": row["received"]} for row in status.rows()],
        description=(f"{status.year}年度报送情况:应报 {r.expected},已报 {r.actual}({r.rate:.1f}%),"
                     f"按时 {r.on_time}({r.on_time_rate:.1f}%)"),
    )


@task(name="publish-intake", cache_policy=NO_CACHE)
def publish_intake(report: IntakeReport) -> None:
    rows = [{"邮件": m.message_id or m.source, "发件人": m.sender, "附件": a.filename,
             "单位": a.unit.name if a.unit else "", "结果": a.status, "原因": ";".join(a.reasons)}
            for m in report.messages for a in m.attachments]
    if rows:
        create_table_artifact(key="intake-results", table=rows, description="本次收件处理结果")


@task(name="publish-reminders", cache_policy=NO_CACHE)
def publish_reminders(report: RemindReport) -> None:
    rows = [{"单位": m.unit_name, "截止事项": m.deadline, "批次": m.slot, "类型": m.kind,
             "收件人": ",".join(m.recipients)} for m in report.mails]
    create_table_artifact(key="reminders", table=rows or [{"说明": report.note or "今日无需提醒"}],
                          description=f"{report.day} 提醒发送情况")
