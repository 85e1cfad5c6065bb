"""What an administrator sees in the Prefect UI after each run: tables with Chinese headings (the unit
first, every mail included), and the draft's summary with where its files are."""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from nianbao.intake.report import IntakeReport
from nianbao.output import AUTOMATIC_ZH, STATUS_ZH
from nianbao.stages.draft import DraftResult
from nianbao.stages.remind import RemindReport
from nianbao.stages.status import StatusReport
from tasks.params import text

KINDS = {"reminder": "提醒", "overdue": "逾期通知", "digest": "管理员日报"}


@task(name="publish-status", task_run_name=text("task_publish_status"), cache_policy=NO_CACHE)
def publish_status(status: StatusReport) -> None:
    r = status.rates
    create_table_artifact(
        key=f"completeness-{status.year}",
        table=[{"单位": row["name"], "状态": row["label"], "收到时间": row["received"]} for row in status.rows()],
        description=(f"{status.year}年度报送情况：应报 {r.expected}，已报 {r.actual}（{r.rate:.1f}%），"
                     f"按时 {r.on_time}（{r.on_time_rate:.1f}%）"),
    )
    returned = status.returned_rows()
    create_table_artifact(
        key=f"undelivered-{status.year}",
        table=[{"单位": u["unit"] or "（非报送单位）", "邮件": u["what"], "未送达地址": u["address"],
                "原因": u["diagnostic"] or u["status"], "退信时间": u["received"],
                "处理": "请在 config/units.yaml 中更正联系人邮箱" if u["still_listed"] else "已更正"}
               for u in returned] or [{"说明": "没有退信"}],
        description=(f"{status.year}年度邀请未送达：{len({u['code'] for u in returned if u['kind'] == 'invitation'})} 个单位"),
    )


@task(name="publish-intake", task_run_name=text("task_publish_intake"), cache_policy=NO_CACHE)
def publish_intake(report: IntakeReport) -> None:
    rows = []
    for m in report.messages:
        for a in m.attachments or [None]:
            auto = AUTOMATIC_ZH.get(m.automatic, "自动邮件") + "（已存档，不回复）" if m.automatic and not a else None
            auto = "回复本系统的邮件（已转管理员，见 nianbao review）" if m.conversation and not a else auto
            rows.append({"单位": (a.unit.name if a and a.unit else "未识别单位"),
                         "结果": auto or STATUS_ZH.get(a.status if a else m.status, m.status),
                         "报送编号": (a.submission_id if a else None) or "",
                         "原因": "；".join(a.reasons if a else (m.notes or ["没有报表附件"])),
                         "发件人": m.sender, "附件": a.filename if a else "", "主题": m.subject})
    if report.note:
        rows.insert(0, {"说明": report.note})
    create_table_artifact(key="intake-results", table=rows or [{"说明": "收件箱中没有新邮件"}],
                          description=f"本次收件：{len(report.messages)} 封邮件，其中自动邮件 {report.automatic()} 封"
                          + (f"。{report.note}" if report.note else ""))


@task(name="publish-reminders", task_run_name=text("task_publish_reminders"), cache_policy=NO_CACHE)
def publish_reminders(report: RemindReport) -> None:
    from nianbao.plan import slot_label

    rows = [{"单位": m.unit_name, "类型": KINDS.get(m.kind, m.kind), "截止事项": m.deadline_name,
             "批次": slot_label(m.slot) if m.kind != "digest" else "", "收件人": "、".join(m.recipients)}
            for m in report.mails]
    create_table_artifact(key="reminders", table=rows or [{"说明": report.note or "今日无需提醒"}],
                          description=f"{report.day} 提醒发送情况")


@task(name="publish-draft", task_run_name=text("task_publish_draft"), cache_policy=NO_CACHE)
def publish_draft(result: DraftResult) -> None:
    from tasks.decisions import draft_summary

    create_markdown_artifact(key=f"draft-{result.year}", markdown=draft_summary(result),
                             description=f"{result.year}年度报告初稿" + ("" if result.new else "（无变化）"))


@task(name="publish-tasks", cache_policy=NO_CACHE)
def publish_tasks(year: int, states: list) -> None:
    """The year's work plan tasks: each task's lead units, its state and each unit's answer (none: no plan)."""
    from nianbao.workplan.progress import summary, units_line

    if not states:
        return
    total = summary(states)
    create_table_artifact(
        key=f"tasks-{year}",
        table=[{"编号": t.id, "任务": t.title, "牵头单位": "、".join(t.lead) or "—", "落实情况": t.status,
                "各单位填报": units_line(t)} for t in states],
        description=f"{year}年度重点任务落实情况：全年 {total['total']} 项，已完成 {total['done']} 项",
    )
