"""Commands of the intake: poll the mailbox, hand in files, review what is held."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from nianbao import output
from nianbao.cli.common import by_argument, res_of, year_of


def looks_like_mail(data: bytes) -> bool:
    """A Maildir file or a saved message without the .eml ending: RFC 5322 header lines first."""
    head = data[:200].split(b"\n", 1)[0]
    return bool(re.match(rb"^[A-Za-z][A-Za-z0-9-]*: ", head)) and not data.startswith((b"PK", b"\xd0\xcf"))


def cmd_intake(args: argparse.Namespace) -> int:
    from nianbao.intake.run import poll_inbox
    from nianbao.stages.send import send_outbox
    from nianbao.stages.unit_drafts import make_unit_drafts

    res = res_of(args)
    with output.counting("正在读取收件箱") as tick:
        report = poll_inbox(res, progress=lambda _: tick())
    try:
        with output.spinner("正在为新入库的单位生成年度报告初稿…"):
            drafts = make_unit_drafts(res)
    finally:  # a full disk under the drafts stops the command (exit 2), but the receipts still go
        with output.counting("正在发送回执", output.due_count(res)) as tick:
            sent = send_outbox(res, progress=tick)
    reports = [output.message_json(m, m.source) for m in report.messages]
    if args.json:
        output.emit(reports, True, output.print_ingest)
    elif args.verbose:
        output.print_ingest(reports)
    output.print_intake_summary(reports, sent, quiet=args.json, note=report.note)
    if not args.json:
        output.print_unit_drafts(drafts)
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    from nianbao.intake.release import ingest_workbook_file
    from nianbao.intake.run import ingest_mail
    from nianbao.stages.send import send_outbox

    res = res_of(args)
    paths = [Path(p) for p in args.files]
    for path in paths:  # all or nothing: a typo in the last name must not leave half the files handed in
        if not path.is_file():
            raise FileNotFoundError(2, "No such file", str(path))
    reports = []
    with output.counting("正在导入", len(paths)) as tick:
        for path in paths:
            data = path.read_bytes()
            if path.suffix.lower() == ".eml" or looks_like_mail(data):
                reports.append(output.message_json(ingest_mail(res, data, None), str(path)))
            else:
                reports.append(output.workbook_json(ingest_workbook_file(res, data, path.name), str(path)))
            tick()
    send_outbox(res)
    output.emit(reports, args.json, output.print_ingest)
    return 0 if all(a["status"] in ("accepted", "unchanged") for r in reports for a in r["attachments"]) else 3


def cmd_release(args: argparse.Namespace) -> int:
    from nianbao.stages.review import release
    from nianbao.stages.send import send_outbox

    res = res_of(args)
    out = release(res, args.submission, args.by)
    send_outbox(res)  # the sender's receipt
    output.emit([output.workbook_json(out, f"#{args.submission}")], args.json, output.print_ingest)
    return 0 if out.status == "accepted" else 3


def cmd_review(args: argparse.Namespace) -> int:
    from nianbao.stages.review import held_submissions, release, replies, send_back
    from nianbao.stages.send import send_outbox

    res = res_of(args)
    year, _ = year_of(args, res)
    if args.reject is not None:
        send_back(res, args.reject, args.reason or "经核实，该工作簿不能作为本单位的有效报送", args.by)
        send_outbox(res)
        output.say(f"已退回报送编号 {args.reject}，并已通知发件人。")
        return 0
    if args.release is not None:
        out = release(res, args.release, args.by)
        send_outbox(res)  # the sender's receipt
        output.print_ingest([output.workbook_json(out, f"#{args.release}")])
        return 0 if out.status == "accepted" else 3
    items = held_submissions(res, year)
    output.emit({"held": [vars(h) for h in items], "replies": [vars(r) for r in replies(res, year)]}, args.json,
                output.print_review)
    return 0


def register(add) -> None:
    it = add("intake", cmd_intake, "读取收件箱一次：归档、读取、校验、入库、回执", year=False, json_=True, today=True)
    it.add_argument("-v", "--verbose", action="store_true", help="逐封列出处理结果（默认只显示汇总）")
    ing = add("ingest", cmd_ingest, "导入通过其他途径收到的 .eml 邮件或工作簿文件", year=False, json_=True, today=True)
    ing.add_argument("files", nargs="+", metavar="文件", help=".eml 邮件或 .xlsx/.xls 工作簿")
    rl = add("release", cmd_release, "核实后接收一份待核实的报送", year=False, json_=True)
    rl.add_argument("submission", type=int, metavar="报送编号", help="待核实报送的编号（见 nianbao review）")
    by_argument(rl)
    rv = add("review", cmd_review, "列出待核实的报送；或接收、退回其中一份", json_=True)
    rv.add_argument("--release", type=int, metavar="报送编号", help="接收这份报送")
    rv.add_argument("--reject", type=int, metavar="报送编号", help="退回这份报送（发件人会收到通知）")
    rv.add_argument("--reason", metavar="理由", help="退回的理由（写给发件人）")
    by_argument(rv)
