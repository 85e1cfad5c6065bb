"""What the CLI prints: Chinese tables for people (rich), plain JSON for scripts."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from rich.console import Console
from rich.markup import escape
from rich.progress import track
from rich.table import Table

T = TypeVar("T")
STATUS_ZH = {"accepted": "已接收", "rejected": "退回", "held": "待核实", "duplicate": "重复邮件(已处理过)",
             "processed": "已处理"}


def _console(err: bool = False) -> Console:
    return Console(stderr=err, highlight=False, soft_wrap=True)


def say(text: str) -> None:
    _console().print(text, markup=False)


def fail(text: str) -> None:
    _console(err=True).print(f"[red]错误:[/red]{escape(text)}")


@contextmanager
def spinner(text: str) -> Iterator[None]:
    with _console(err=True).status(text):
        yield


def progress(items: list[T], text: str) -> Iterable[T]:
    if len(items) < 2 or not sys.stderr.isatty():
        return items
    return track(items, description=text, console=_console(err=True))


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
            "status": m.status, "notes": m.notes, "attachments": [_attachment(a) for a in m.attachments]}


def print_ingest(reports: list[dict]) -> None:
    con = _console()
    if not reports:
        con.print("收件箱中没有新邮件。")
    for r in reports:
        head = f"[bold]{escape(r['source'])}[/bold]"
        if r.get("sender"):
            head += f"  发件人 {escape(r['sender'])}"
        con.print(head + f"  ({STATUS_ZH.get(r['status'], r['status'])})")
        if r["status"] == "processed" and not r["attachments"]:
            con.print("  (没有报表附件,已回复发件人)")
        for a in r["attachments"]:
            colour = {"accepted": "green", "rejected": "red", "held": "yellow"}[a["status"]]
            con.print(f"  {escape(a['filename'])} → {escape(a['unit'] or '未识别单位')}:"
                      f"[{colour}]{STATUS_ZH[a['status']]}[/{colour}]")
            for reason in a["reasons"]:
                con.print(f"      - {reason}", markup=False)
            for w in a["warnings"]:
                con.print(f"      提示:{w}", markup=False)
        for n in r["notes"]:
            con.print(f"  说明:{n}", markup=False)


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
    con.print(f"应报 {data['expected']} 家,已报 {data['actual']} 家(报送率 {data['rate']:.1f}%),"
              f"按时 {data['on_time']} 家(及时率 {data['on_time_rate']:.1f}%)")
    for w in data["warnings"]:
        con.print(f"[yellow]提示:[/yellow]{escape(w)}")


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
        con.print(f"{verb}{kinds[m['kind']]}:{m['unit_name']} {what} → {','.join(m['recipients'])}", markup=False)
    if not data["mails"] and not data["note"]:
        con.print(f"{data['day']}:没有到期的提醒。")


def print_calendar(data: dict) -> None:
    table = Table(title=f"{data['year']}年度报送日程(上海时间)")
    for col in ("日期", "星期", "类型", "事项"):
        table.add_column(col)
    for r in data["rows"]:
        table.add_row(*(escape(str(r.get(k, ""))) for k in ("date", "weekday", "day_kind", "event")))
    con = _console()
    con.print(table)
    for w in data["warnings"]:
        con.print(f"[yellow]提示:[/yellow]{escape(w)}")


def print_draft(result: Any) -> None:
    con = _console()
    con.print(f"报告初稿{'已生成' if result.new else '无变化(沿用上一稿)'}:")
    for fmt, path in result.paths.items():
        con.print(f"  {fmt}: {path}", soft_wrap=True, markup=False)


def print_csv(rows: list[dict]) -> None:
    if not rows:
        return
    w = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerows(rows)


def print_history(rows: list[dict]) -> None:
    con = _console()
    if not rows:
        con.print("该单位本年度没有报送记录。")
    labels = {**STATUS_ZH, "superseded": "已被新版本替代"}
    for r in rows:
        con.print(markup=False, *[f"#{r['submission_id']} {r['received']} {labels.get(r['status'], r['status'])} {r['filename']}"
                  f"(发件人 {r['sender'] or '管理员导入'}" + (f",问题 {r['problems']} 项" if r["problems"] else "") + ")"])
        for c in r["changes"]:
            old = "不涉及" if c["old"] is None else f"{c['old']:g}"
            new = "不涉及" if c["new"] is None else f"{c['new']:g}"
            con.print(f"    {c['name']}:{old} → {new}", markup=False)
