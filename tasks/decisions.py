"""Decisions an administrator takes in the Prefect UI: a form on a paused run (Prefect's interactive
workflows). The run waits; the UI shows what to decide on (Markdown) and a form whose labels, options
and help come from config/messages.yaml; the answer comes back typed. Nothing is decided by default:
the choice and the name are required, and a reason when sending back. The same decisions exist on the
CLI (`nianbao review`, `nianbao approve`)."""

from __future__ import annotations

from typing import Literal

from prefect.exceptions import FlowPauseTimeout
from prefect.flow_runs import pause_flow_run
from prefect.input import RunInput
from pydantic import ConfigDict, Field, create_model

from nianbao.cityconfig import CityConfig
from nianbao.output import STATUS_ZH
from nianbao.report.fmt import number
from nianbao.resources import Resources
from nianbao.stages.draft import LINK_SECONDS, DraftResult
from nianbao.stages.review import DOWNLOAD_SECONDS, Held, approve, release, return_draft, send_back
from tasks.common import log

POLL_SECONDS = 5


def form(cfg: CityConfig, name: str, kind: str, options: list[str], reject: str) -> type[RunInput]:
    """A RunInput whose JSON schema the UI renders in Chinese (messages.yaml: form_<kind>_*): a required
    choice without default, a reason required (by the schema: the server refuses the answer) when
    ``reject`` is chosen, and the decider's name."""
    t = cfg.text
    model = create_model(
        name, __base__=RunInput,
        decision=(Literal[tuple(options)], Field(title=t(f"form_{kind}_choice"),
                                                 description=t(f"form_{kind}_choice_help"))),
        reason=(str, Field("", title=t(f"form_{kind}_reason"), description=t(f"form_{kind}_reason_help"))),
        by=(str, Field(title=t("form_by"), description=t("form_by_help"), min_length=1, pattern=r"\S")),
    )
    model.model_config = ConfigDict(**{**model.model_config, "title": t(f"form_{kind}_title"), "json_schema_extra": {
        "if": {"properties": {"decision": {"const": reject}}, "required": ["decision"]},
        "then": {"properties": {"reason": {"minLength": 1, "pattern": r"\S"}}, "required": ["reason"]}}})
    model.model_rebuild(force=True)
    return model


def approval_form(cfg: CityConfig) -> type[RunInput]:
    t = cfg.text
    return form(cfg, "DraftApproval", "approval", [t("form_approve"), t("form_return")], t("form_return"))


def review_form(cfg: CityConfig) -> type[RunInput]:
    t = cfg.text
    return form(cfg, "HeldWorkbookDecision", "review", [t("form_release"), t("form_send_back"), t("form_skip")],
                t("form_send_back"))


def draft_summary(result: DraftResult) -> str:
    agg = result.agg
    missed = [f for f in agg.figures.values() if f.met is False]
    lines = [f"## {result.doc.title}（第 {result.draft_id} 稿）", "",
             f"- 应报 {agg.expected} 家，已报 {agg.reported} 家，按时 {agg.on_time} 家",
             f"- 未达标指标 {len(missed)} 项" + (f"：{'、'.join(f.name for f in missed)}" if missed else ""), ""]
    if result.doc.notes:  # why a part of the draft says less than it could (the work plan's answers…)
        lines += ["审阅说明：", "", *(f"- {note}" for note in result.doc.notes), ""]
    if result.links:
        lines += [f"下载（链接 {LINK_SECONDS // 86400} 天内有效）：", "",
                  *(f"- [{name}]({url})" for name, url in result.links.items()), ""]
    if result.shared:
        lines += ["文件（共享存储）：", "", *(f"- `{where}`" for where in result.shared.values()), ""]
    lines += ["文件（在运行本流程的机器上）：", "", *(f"- `{path}`" for path in result.paths.values())]
    return "\n".join(lines)


def approval_required(res: Resources, required: bool | None = None) -> bool:
    return res.config.report.approval_required if required is None else required


def _ask(model, description: str, timeout_hours: float, valid) -> object | None:
    """Pause until an answer ``valid`` accepts (the server checks the schema; this is the last word);
    None when the time allowed runs out."""
    while True:
        try:
            answer = pause_flow_run(wait_for_input=model.with_initial_data(description=description),
                                    timeout=int(timeout_hours * 3600), poll_interval=POLL_SECONDS)
        except FlowPauseTimeout:
            return None
        if valid(answer):
            return answer
        log().warning("答复不完整（姓名、或退回理由为空），请重新填写")


def wait_for_approval(res: Resources, result: DraftResult, required: bool | None = None) -> bool:
    """True when the draft may go to the leaders: approval not required (report.yaml), or given in the
    form within the time allowed. An explicit 退回修改 is recorded; a timeout leaves the draft waiting (the
    next run asks again)."""
    cfg = res.config
    if not approval_required(res, required):
        return True
    returned = cfg.text("form_return")
    answer = _ask(approval_form(cfg), f"{cfg.text('form_approval_help')}\n\n{draft_summary(result)}",
                  cfg.report.approval_timeout_hours,
                  lambda a: a.by.strip() and (a.decision != returned or a.reason.strip()))
    if answer is None:
        log().warning("第 %s 稿在 %s 小时内未获审批，未发送给领导；下次运行会再次请您审批，也可运行 nianbao approve",
                      result.draft_id, cfg.report.approval_timeout_hours)
        return False
    if answer.decision == returned:
        return_draft(res, result.draft_id, answer.by, answer.reason)
        log().info("%s 退回修改第 %s 稿：%s", answer.by.strip(), result.draft_id, answer.reason)
        return False
    approve(res, result.draft_id, answer.by, answer.reason)
    log().info("%s 批准第 %s 稿%s", answer.by.strip(), result.draft_id, f"：{answer.reason}" if answer.reason else "")
    return True


def _value(v: float | None | str, unit: str) -> str:
    return "不涉及" if v is None else ("—" if v == "" else number(v, unit))


def held_description(cfg: CityConfig, h: Held) -> str:
    """What an administrator needs to decide, without opening a file on the server: who sent it, why it
    is held, its figures beside last year's, and a link to the original where the store can serve one."""
    t = cfg.text
    lines = [t("held_title", sid=h.submission_id, unit=h.unit), "",
             t("held_facts", sender=h.sender, received=h.received, filename=h.filename)]
    if h.download:
        lines.append(t("held_download", url=h.download, hours=DOWNLOAD_SECONDS // 3600))
    lines += ["", t("held_reasons_head"), "", *(f"1. {r}" for r in h.reasons)]
    if h.warnings:
        lines += ["", t("held_warnings_head"), "", *(f"- {w}" for w in h.warnings)]
    lines += ["", t("held_figures_head"), ""]
    if h.figures:
        lines += [t("held_figures_table"), *(
            f"| {f.name} | {_value(f.now, f.unit)} | {_value(f.last, f.unit)} | {f.unit} |" for f in h.figures)]
    else:
        lines.append(t("held_no_figures"))
    return "\n".join(lines)


def decide(res: Resources, h: Held, timeout_hours: float) -> str:
    """Ask for one held workbook; act on the answer. Returns what was done: release, send_back or skip."""
    t = res.config.text
    back = t("form_send_back")
    answer = _ask(review_form(res.config), f"{t('form_review_help')}\n\n{held_description(res.config, h)}",
                  timeout_hours,
                  lambda a: a.decision == t("form_skip") or (a.by.strip() and (a.decision != back or a.reason.strip())))
    if answer is None or answer.decision == t("form_skip"):
        log().info("报送编号 %s（%s）暂不处理，仍待核实", h.submission_id, h.unit)
        return "skip"
    if answer.decision == t("form_release"):
        out = release(res, h.submission_id, answer.by)
        log().info("%s 接收了报送编号 %s（%s）：%s", answer.by.strip(), h.submission_id, h.unit,
                   STATUS_ZH.get(out.status, out.status))
        return "release"
    send_back(res, h.submission_id, answer.reason.strip(), answer.by)
    log().info("%s 退回了报送编号 %s（%s）：%s", answer.by.strip(), h.submission_id, h.unit, answer.reason.strip())
    return "send_back"
