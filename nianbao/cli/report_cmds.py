"""Commands of the report: draft and approve, export, history."""

from __future__ import annotations

import argparse
from pathlib import Path

from nianbao import output
from nianbao.cli.common import by_argument, res_of, year_in_season, year_of


def cmd_draft(args: argparse.Namespace) -> int:
    from nianbao.stages.draft import make_draft

    res = res_of(args)
    year = year_in_season(args, res)
    if year is None:
        return 0
    with output.spinner("正在汇总数据并生成报告初稿…"):
        result = make_draft(res, year, Path(args.out) if args.out else None)
    output.print_draft(result)
    if result.new:
        output.say(f"审阅后请运行：nianbao approve --year {year}（送各位领导）")
    return 0


def cmd_approve(args: argparse.Namespace) -> int:
    from nianbao.stages.draft import approve_and_deliver
    from nianbao.stages.send import send_outbox

    res = res_of(args)
    year, _ = year_of(args, res)
    draft = approve_and_deliver(res, year, by=args.by, comment=args.comment or "")
    sent = send_outbox(res)
    output.say(f"已批准第 {draft.draft_id} 稿并送各位领导（发送成功 {sent.sent} 封，待重试 {sent.pending} 封）。")
    return 0


def cmd_unit_drafts(args: argparse.Namespace) -> int:
    from nianbao.stages.send import send_outbox
    from nianbao.stages.unit_drafts import make_unit_drafts

    res = res_of(args)
    year, _ = year_of(args, res)
    with output.spinner("正在为已入库的单位生成年度报告初稿…"):
        report = make_unit_drafts(res, year)
    sent = send_outbox(res)
    if not report.made and not report.failed:
        output.say("各单位当前入库的报表都已有初稿，无需重新生成（报表更正入库后会自动重新生成）。")
    output.print_unit_drafts(report)
    if report.made:
        output.say(f"邮件发送成功 {sent.sent} 封，待重试 {sent.pending} 封。")
    return 0 if not report.failed else 3


def cmd_export(args: argparse.Namespace) -> int:
    from nianbao.stages.export import export_values, export_workbook

    res = res_of(args)
    year, _ = year_of(args, res)
    if args.xlsx:
        path = Path(args.xlsx)
        units = export_workbook(res, year, path)
        output.say(f"已导出 {units} 家单位的全部已入库数据：{path}")
        return 0
    output.emit(export_values(res, year), args.json, output.print_csv)
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    from nianbao.stages.history import unit_history

    res = res_of(args)
    year, _ = year_of(args, res)
    output.emit(unit_history(res, year, args.unit), args.json, output.print_history)
    return 0


def cmd_decisions(args: argparse.Namespace) -> int:
    from nianbao.stages.history import cycle_decisions

    res = res_of(args)
    year, _ = year_of(args, res)
    output.emit(cycle_decisions(res, year), args.json, output.print_decisions)
    return 0


def register(add) -> None:
    dr = add("draft", cmd_draft, "汇总数据并生成年度报告初稿（.docx/.md/.html 和数据附表）", today=True)
    dr.add_argument("--out", metavar="文件夹", help="初稿写入的文件夹（默认：数据目录下 outputs/年度/draft）")
    ap = add("approve", cmd_approve, "批准最新一稿并送各位领导")
    by_argument(ap)
    ap.add_argument("--comment", metavar="意见", help="批准意见（记录在案）")
    add("unit-drafts", cmd_unit_drafts, "为已入库、尚无初稿的单位生成本单位年度报告初稿并发给该单位（收件时也会自动生成）")
    ex = add("export", cmd_export, "导出全部已入库数据（默认：带表头的 CSV，Excel 可直接打开）", json_=True)
    ex.add_argument("--xlsx", metavar="文件", help="写成工作簿：一家单位一行、一项指标一列")
    add("history", cmd_history, "某单位的历次报送及版本间变化", json_=True).add_argument(
        "unit", metavar="单位代码", help="单位代码（见 config/units.yaml）")
    add("decisions", cmd_decisions, "本年度的审批记录：谁在何时接收、退回了哪份报送，批准、退回了哪一稿", json_=True)
