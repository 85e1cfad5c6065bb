"""What an administrator sees in the Prefect UI after each run: tables with Chinese headings (the unit
first, every mail included), and the draft's summary with where its files are."""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from nianbao.intake.report import IntakeReport
from nianbao.output import STATUS_ZH
from nianbao.stages.draft import DraftResult
from nianbao.stages.remind import RemindReport
from nianbao.stages.status import StatusReport

KINDS = {"reminder": "提醒", "overdue": "逾期通知", "digest": "管理员日报"}


@task(name="publish-status", cache_policy=NO_CACHE)
def publish_status(status: StatusReport) -> None:
    r = status.rates
    create_table_artifact(
        key=f"completeness-{status.year}",
        table=[{"单位": row["name"], "状态": row["label"], "收到时间": row["received"]} for row in status.rows()],
        description=(f"{status.year}年度报送情况：应报 {r.expected}，已报 {r.actual}（{r.rate:.1f}%），"
                     f"按时 {r.on_time}（{r.on_time_rate:.1f}%）"),
    )


@task(name="publish-intake", cache_policy=NO_CACHE)
def publish_intake(report: IntakeReport) -> None:
    rows = []
    for m in report.messages:
        for a in m.attachments or [None]:
            rows.append({"单位": (a.unit.name if a and a.unit else "未识别单位"),
                         "结果": STATUS_ZH.get(a.status if a else m.status, m.status),
                         "报送编号": (a.submission_id if a else None) or "",
                         "原因": "；".join(a.reasons if a else (m.notes or ["没有报表附件"])),
                         "发件人": m.sender, "附件": a.filename if a else "", "主题": m.subject})
    if report.note:
        rows.insert(0, {"说明": report.note})
    create_table_artifact(key="intake-results", table=rows or [{"说明": "收件箱中没有新邮件"}],
                          description=f"本次收件：{len(report.messages)} 封邮件" + (f"。{report.note}" if report.note else ""))


@task(name="publish-reminders", cache_policy=NO_CACHE)
def publish_reminders(report: RemindReport) -> None:
    from nianbao.plan import slot_label

    rows = [{"单位": m.unit_name, "类型": KINDS.get(m.kind, m.kind), "截止事项": m.deadline_name,
             "批次": slot_label(m.slot) if m.kind != "digest" else "", "收件人": "、".join(m.recipients)}
            for m in report.mails]
    create_table_artifact(key="reminders", table=rows or [{"说明": report.note or "今日无需提醒"}],
                          description=f"{report.day} 提醒发送情况")


@task(name="publish-draft", cache_policy=NO_CACHE)
def publish_draft(result: DraftResult) -> None:
    from tasks.decisions import draft_summary

    create_markdown_artifact(key=f"draft-{result.year}", markdown=draft_summary(result),
                             description=f"{result.year}年度报告初稿" + ("" if result.new else "（无变化）"))
