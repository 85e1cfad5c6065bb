"""Decisions an administrator takes in the Prefect UI: a form on a paused run (Prefect's interactive
workflows). The run waits; the UI shows what to decide on (markdown) and a form; the answer comes back
typed. The same decisions exist on the CLI (`nianbao review`, `nianbao approve`)."""

from __future__ import annotations

from typing import Literal

from prefect.exceptions import FlowPauseTimeout
from prefect.flow_runs import pause_flow_run
from prefect.input import RunInput

from nianbao.resources import Resources
from nianbao.stages.draft import DraftResult
from nianbao.stages.review import Held, approve, release, send_back
from tasks.common import log

POLL_SECONDS = 5


class Approval(RunInput):
    """批准后初稿将发送给各位领导。"""

    approve: bool = False
    by: str = "管理员"
    comment: str = ""


class ReviewDecision(RunInput):
    """release：接收；reject：退回并通知发件人（请填写理由）；skip：暂不处理。"""

    decision: Literal["release", "reject", "skip"] = "skip"
    reason: str = ""
    by: str = "管理员"


def draft_summary(result: DraftResult) -> str:
    agg = result.agg
    missed = [f for f in agg.figures.values() if f.met is False]
    lines = [f"## {result.doc.title}（第 {result.draft_id} 稿）", "",
             f"- 应报 {agg.expected} 家，已报 {agg.reported} 家，按时 {agg.on_time} 家",
             f"- 未达标指标 {len(missed)} 项" + (f"：{'、'.join(f.name for f in missed)}" if missed else ""), ""]
    if result.doc.notes:  # why a part of the draft says less than it could (the work plan's answers…)
        lines += ["审阅说明：", "", *(f"- {note}" for note in result.doc.notes), ""]
    if result.shared:
        lines += ["文件（共享存储）：", "", *(f"- `{where}`" for where in result.shared.values()), ""]
    lines += ["文件（在运行本流程的机器上）：", "", *(f"- `{path}`" for path in result.paths.values())]
    return "\n".join(lines)


def approval_required(res: Resources, required: bool | None = None) -> bool:
    return res.config.report.approval_required if required is None else required


def wait_for_approval(res: Resources, result: DraftResult, required: bool | None = None) -> bool:
    """True when the draft may go to the leaders: approval not required (report.yaml), or given in the
    form within the time allowed."""
    cfg = res.config.report
    if not approval_required(res, required):
        return True
    try:
        answer = pause_flow_run(
            wait_for_input=Approval.with_initial_data(description=draft_summary(result)),
            timeout=int(cfg.approval_timeout_hours * 3600), poll_interval=POLL_SECONDS)
    except FlowPauseTimeout:
        log().warning("初稿在 %s 小时内未获批准，未发送给领导；批准后可运行 nianbao approve", cfg.approval_timeout_hours)
        return False
    if not answer.approve:
        log().info("%s 未批准第 %s 稿：%s", answer.by, result.draft_id, answer.comment or "（无意见）")
        return False
    approve(res, result.draft_id, answer.by, answer.comment)
    return True


def held_description(h: Held) -> str:
    lines = [f"## 报送编号 {h.submission_id}：{h.unit}", "", f"- 发件人：{h.sender}", f"- 收到时间：{h.received}",
             f"- 文件：{h.filename}", f"- 原件：`{h.file}`" if h.file else "- 原件：（归档中找不到）", "", "待核实的原因：", ""]
    return "\n".join(lines + [f"1. {r}" for r in h.reasons])


def decide(res: Resources, h: Held, timeout_hours: float) -> str:
    """Ask for one held workbook; act on the answer. Returns what was done."""
    try:
        answer = pause_flow_run(wait_for_input=ReviewDecision.with_initial_data(description=held_description(h)),
                                timeout=int(timeout_hours * 3600), poll_interval=POLL_SECONDS)
    except FlowPauseTimeout:
        return "skip"
    if answer.decision == "release":
        out = release(res, h.submission_id)
        log().info("%s 接收了报送编号 %s（%s）：%s", answer.by, h.submission_id, h.unit, out.status)
    elif answer.decision == "reject":
        send_back(res, h.submission_id, answer.reason or "经核实，该工作簿不能作为本单位的有效报送", answer.by)
        log().info("%s 退回了报送编号 %s（%s）：%s", answer.by, h.submission_id, h.unit, answer.reason)
    return answer.decision
