"""What the CLI prints: Chinese tables and progress for people (rich, on stderr when it is a
terminal), plain JSON for scripts."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

STATUS_ZH = {"accepted": "已接收", "rejected": "退回", "held": "待核实", "duplicate": "重复邮件（已处理过）",
             "processed": "已处理", "superseded": "未替换（已有更新版本）", "released": "已由管理员接收",
             "failed": "无法处理（已转管理员）", "retry": "处理失败，下次重试"}
EXPORT_HEADERS = {"unit_code": "单位代码", "unit": "单位", "indicator": "指标代码", "name": "指标名称",
                  "value": "数值", "text": "填报内容", "measure": "计量单位", "submission_id": "报送编号"}


def _console(err: bool = False) -> Console:
    return Console(stderr=err, highlight=False, soft_wrap=True)


def say(text: str) -> None:
    _console().print(text, markup=False)


def fail(text: str) -> None:
    _console(err=True).print(f"[red]错误：[/red]{escape(text)}")


def confirm(question: str) -> bool:
    return _console(err=True).input(f"{question} [y/N] ").strip().lower() in ("y", "yes", "是")


@contextmanager
def spinner(text: str) -> Iterator[None]:
    with _console(err=True).status(text):
        yield


@contextmanager
def counting(text: str, total: int | None = None) -> Iterator[Callable[..., None]]:
    """A progress bar (a counter when the total is unknown) on a terminal; nothing otherwise.
    Yields the function to call once per item done."""
    if not sys.stderr.isatty():
        yield lambda *_: None
        return
    columns = [SpinnerColumn(), TextColumn("{task.description}")]
    columns += [BarColumn(), MofNCompleteColumn()] if total else [TextColumn("{task.completed} 项")]
    with Progress(*columns, TimeElapsedColumn(), console=_console(err=True), transient=True) as bar:
        task = bar.add_task(text, total=total)
        yield lambda *_: bar.advance(task)


def due_count(res: Any) -> int:
    from sqlalchemy import func, select

    from nianbao.db.models import OutboxMessage
    from nianbao.db.session import unit_of_work

    with unit_of_work(res.db) as s:
        return s.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "queued")) or 0


def emit(data: Any, as_json: bool, printer: Callable[[Any], None]) -> None:
    if as_json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
    else:
        printer(data)


def workbook_json(out: Any, source: str) -> dict:
    """An administrator's direct workbook import, shaped like a one-attachment message."""
    return {"source": source, "message_id": None, "sender": None, "status": "processed", "notes": [],
            "attachments": [_attachment(out)]}


def _attachment(a: Any) -> dict:
    return {"filename": a.filename, "unit_code": a.unit.code if a.unit else None,
            "unit": a.unit.name if a.unit else None, "status": a.status, "reasons": a.reasons,
            "warnings": a.warnings, "submission_id": a.submission_id}


def message_json(m: Any, source: str) -> dict:
    return {"source": source, "message_id": m.message_id, "sender": m.sender, "subject": m.subject,
            "status": m.status, "failure": m.failure, "notes": m.notes,
            "attachments": [_attachment(a) for a in m.attachments]}


def print_ingest(reports: list[dict]) -> None:
    con = _console()
    if not reports:
        con.print("收件箱中没有新邮件。")
    colour = {"accepted": "green", "rejected": "red", "held": "yellow", "superseded": "cyan"}
    for r in reports:
        head = f"[bold]{escape(r.get('sender') or r['source'])}[/bold]  {escape(r.get('subject') or '')}"
        con.print(head + f"（{STATUS_ZH.get(r['status'], r['status'])}）")
        if r["status"] == "processed" and not r["attachments"]:
            con.print("  （没有报表附件，已回复发件人）")
        for a in r["attachments"]:
            c = colour.get(a["status"], "white")
            number = f"，报送编号 {a['submission_id']}" if a.get("submission_id") else ""
            con.print(f"  {escape(a['unit'] or '未识别单位')}：[{c}]{STATUS_ZH.get(a['status'], a['status'])}"
                      f"[/{c}]{number}  {escape(a['filename'])}")
            for reason in a["reasons"]:
                con.print(f"      - {reason}", markup=False)
            for w in a["warnings"]:
                con.print(f"      提示：{w}", markup=False)
        for n in r["notes"]:
            con.print(f"  说明：{n}", markup=False)


def print_intake_summary(reports: list[dict], sent: Any, quiet: bool = False, note: str = "") -> None:
    """One line per kind of outcome, the IDs an administrator acts on (held workbooks), and the run's
    note (its time ran out: the rest waits for the next run)."""
    if quiet:
        return
    con = _console()
    if note:
        con.print(note, markup=False)
    books = [a for r in reports for a in r["attachments"]]
    counts = {k: sum(a["status"] == k for a in books) for k in ("accepted", "rejected", "held", "superseded")}
    failed = sum(r["status"] == "failed" for r in reports)
    con.print(f"本次处理邮件 {len(reports)} 封（重复 {sum(r['status'] == 'duplicate' for r in reports)} 封），"
              f"工作簿 {len(books)} 个：接收 {counts['accepted']}，退回 {counts['rejected']}，"
              f"待核实 {counts['held']}，未替换 {counts['superseded']}；无法处理的邮件 {failed} 封。"
              f"回执发送成功 {sent.sent} 封，待重试 {sent.pending} 封。", markup=False)
    for a in (a for a in books if a["status"] == "held"):
        con.print(f"  待核实：报送编号 {a['submission_id']}（{a['unit'] or '未识别单位'}）"
                  f"——{'；'.join(a['reasons'])[:80]}。核实后：nianbao review --release {a['submission_id']}",
                  markup=False)


def print_unit_drafts(report: Any) -> None:
    """What `make_unit_drafts` made and what failed (a failed unit is tried again on the next run)."""
    con = _console()
    if report.made:
        con.print(f"已为 {len(report.made)} 家单位生成年度报告初稿（供参考）并随回执发出：{report.made[0][1].parent}",
                  markup=False)
    for name, why in report.failed:
        con.print(f"  {name}的年度报告初稿未能生成（下次收件时重试）：{why}", markup=False)


def print_held(items: list[dict]) -> None:
    con = _console()
    if not items:
        con.print("没有待核实的报送。")
        return
    table = Table(title="待核实的报送")
    for col in ("报送编号", "单位", "发件人", "收到时间", "原因", "原件"):
        table.add_column(col)
    for h in items:
        table.add_row(str(h["submission_id"]), escape(h["unit"]), escape(h["sender"]), h["received"],
                      escape("；".join(h["reasons"])), escape(str(h["file"] or "")))
    con.print(table)
    con.print("接收：nianbao review --release 编号；退回：nianbao review --reject 编号 --reason 理由")


def print_invitations(year: int, planned: list[Any]) -> None:
    con = _console()
    con.print(f"将开启{year}年度填报，向 {len(planned)} 家单位发送：", markup=False)
    for p in planned:
        con.print(f"  {p.unit.name}：{'、'.join(p.unit.contacts)}（{p.filename}）", markup=False)
    if planned:
        con.print(f"截止日期：{'；'.join(f'{n}{d}' for n, d in planned[0].deadlines)}", markup=False)


def status_json(report: Any) -> dict:
    r = report.rates
    return {"year": report.year, "expected": r.expected, "actual": r.actual, "on_time": r.on_time,
            "rate": round(r.rate, 2), "on_time_rate": round(r.on_time_rate, 2), "units": report.rows(),
            "warnings": report.plan.warnings}


def print_status(data: dict) -> None:
    table = Table(title=f"{data['year']}年度报送情况")
    for col in ("单位代码", "单位", "状态", "收到时间"):
        table.add_column(col)
    for u in data["units"]:
        table.add_row(*(escape(str(u[k])) for k in ("code", "name", "label", "received")))
    con = _console()
    con.print(table)
    con.print(f"应报 {data['expected']} 家，已报 {data['actual']} 家（报送率 {data['rate']:.1f}%），"
              f"按时 {data['on_time']} 家（及时率 {data['on_time_rate']:.1f}%）")
    for w in data["warnings"]:
        con.print(f"[yellow]提示：[/yellow]{escape(w)}")


def remind_json(report: Any) -> dict:
    return {"year": report.year, "day": report.day.isoformat(), "workday": report.workday,
            "dry_run": report.dry_run, "note": report.note,
            "mails": [vars(m) for m in report.mails]}


def print_remind(data: dict) -> None:
    con = _console()
    if data["note"]:
        con.print(data["note"], markup=False)
    verb = "将发送" if data["dry_run"] else "已发送"
    from nianbao.plan import slot_label

    kinds = {"reminder": "提醒", "overdue": "逾期通知", "digest": "日报"}
    for m in data["mails"]:
        what = f"{m['deadline_name']} {slot_label(m['slot'])}" if m["kind"] != "digest" else ""
        con.print(f"{verb}{kinds[m['kind']]}：{m['unit_name']} {what} → {'、'.join(m['recipients'])}", markup=False)
    if not data["mails"] and not data["note"]:
        con.print(f"{data['day']}：没有到期的提醒。")


def print_calendar(data: dict) -> None:
    table = Table(title=f"{data['year']}年度报送日程")
    for col in ("日期", "星期", "类型", "事项"):
        table.add_column(col)
    for r in data["rows"]:
        table.add_row(*(escape(str(r.get(k, ""))) for k in ("date", "weekday", "day_kind", "event")))
    con = _console()
    con.print(table)
    for w in data["warnings"]:
        con.print(f"[yellow]提示：[/yellow]{escape(w)}")


def print_draft(result: Any) -> None:
    con = _console()
    con.print(f"报告初稿{'已生成' if result.new else '无变化（沿用上一稿）'}（第 {result.draft_id} 稿）：")
    labels = {"docx": "Word 文稿", "md": "Markdown", "html": "网页", "xlsx": "数据附表"}
    for fmt, path in result.paths.items():
        con.print(f"  {labels.get(fmt, fmt)}：{path}", soft_wrap=True, markup=False)


def print_csv(rows: list[dict]) -> None:
    """CSV with Chinese headers and a UTF-8 byte-order mark, which Excel and WPS need to read UTF-8."""
    if not rows:
        return
    out = sys.stdout
    out.write("\ufeff")
    w = csv.DictWriter(out, fieldnames=list(rows[0]))
    w.writerow({k: EXPORT_HEADERS.get(k, k) for k in rows[0]})
    w.writerows(rows)


def print_history(rows: list[dict]) -> None:
    con = _console()
    if not rows:
        con.print("该单位本年度没有报送记录。")
    for r in rows:
        problems = f"，问题 {r['problems']} 项" if r["problems"] else ""
        con.print(f"#{r['submission_id']} {r['received']} {STATUS_ZH.get(r['status'], r['status'])} "
                  f"{r['filename']}（发件人 {r['sender'] or '管理员导入'}{problems}）", markup=False)
        for c in r["changes"]:
            old = "不涉及" if c["old"] is None else f"{c['old']:g}"
            new = "不涉及" if c["new"] is None else f"{c['new']:g}"
            con.print(f"    {c['name']}：{old} → {new}", markup=False)
