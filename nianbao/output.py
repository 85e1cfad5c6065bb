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
             "failed": "无法处理（已转管理员）", "retry": "处理失败，下次重试",
             "unchanged": "与已接收版本相同，无需重复报送"}
# Why a mail was not written by a person (mail.kinds.automatic_reason): it is archived, never answered.
AUTOMATIC_ZH = {"own": "本系统自己发出的邮件", "report": "投递状态报告（退信）", "mailer_daemon": "邮件系统退信",
                "null_sender": "无发件人的系统邮件", "auto_submitted": "自动发送的邮件", "autoreply_header": "自动回复",
                "precedence": "群发邮件", "list": "邮件列表", "noreply": "不接受回复的系统邮件",
                "autoreply_subject": "自动回复"}
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
            "status": m.status, "failure": m.failure, "notes": m.notes, "automatic": getattr(m, "automatic", None),
            "conversation": getattr(m, "conversation", None),
            "attachments": [_attachment(a) for a in m.attachments]}


def print_ingest(reports: list[dict]) -> None:
    con = _console()
    if not reports:
        con.print("收件箱中没有新邮件。")
    colour = {"accepted": "green", "rejected": "red", "held": "yellow", "superseded": "cyan"}
    for r in reports:
        head = f"[bold]{escape(r.get('sender') or r['source'])}[/bold]  {escape(r.get('subject') or '')}"
        con.print(head + f"（{STATUS_ZH.get(r['status'], r['status'])}）")
        if r.get("conversation") and r["status"] != "duplicate":
            con.print("  （回复本系统发出的邮件，已记录并转管理员，不自动答复）")
        elif r.get("automatic") and r["status"] != "duplicate":
            con.print(f"  （{AUTOMATIC_ZH.get(r['automatic'], '自动发送的邮件')}，已存档，不回复）")
        elif r["status"] == "processed" and not r["attachments"]:
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
    automatic = sum(bool(r.get("automatic")) and r["status"] != "duplicate" for r in reports)
    replies = sum(bool(r.get("conversation")) and r["status"] != "duplicate" for r in reports)
    con.print(f"本次处理邮件 {len(reports)} 封（重复 {sum(r['status'] == 'duplicate' for r in reports)} 封），"
              f"工作簿 {len(books)} 个：接收 {counts['accepted']}，退回 {counts['rejected']}，"
              f"待核实 {counts['held']}，未替换 {counts['superseded']}；无法处理的邮件 {failed} 封；"
              f"自动回复、退信、邮件列表等自动邮件 {automatic} 封（已存档，不回复）；"
              f"对本系统邮件的回复 {replies} 封（已转管理员，见 nianbao review）。"
              f"回执发送成功 {sent.sent} 封，待重试 {sent.pending} 封"
              + (f"，服务器未确认 {sent.unconfirmed} 封（见 nianbao status）" if sent.unconfirmed else "") + "。",
              markup=False)
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


def print_review(data: dict) -> None:
    print_held(data["held"])
    if data["replies"]:
        table = Table(title="对本系统邮件的回复（未附报表，未自动答复）")
        for col in ("收到时间", "单位", "发件人", "所回复的邮件", "内容", "附件保存位置"):
            table.add_column(col)
        for r in data["replies"]:
            table.add_row(r["received"], escape(r["unit"] or ""), escape(r["sender"]), escape(r["answers"]),
                          escape(r["text"][:200]), escape("\n".join(r["files"])))
        _console().print(table)


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
            "warnings": report.plan.warnings, "undelivered": report.returned_rows(),
            "outbox": report.outbox.to_json() if getattr(report, "outbox", None) else None}


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
    if data.get("undelivered"):
        table = Table(title="退信：未能送达的邮件（请在 config/units.yaml 中更正联系人邮箱）")
        for col in ("单位", "邮件", "地址", "原因", "退信时间", "units.yaml"):
            table.add_column(col)
        for u in data["undelivered"]:
            table.add_row(*(escape(str(x)) for x in (u["unit"] or "（非报送单位）", u["what"], u["address"],
                                                   u["diagnostic"] or u["status"], u["received"],
                                                   "仍待更正" if u["still_listed"] else "已更正")))
        con.print(table)
    if data.get("outbox"):
        print_outbox(data["outbox"])


def print_outbox(box: dict) -> None:
    """The outbox in one line, and each mail the server never acknowledged (perhaps delivered)."""
    n = box["counts"]
    con = _console()
    con.print(f"邮件：已发送 {n.get('sent', 0)} 封，待发送 {n.get('queued', 0) + n.get('sending', 0)} 封，"
              f"未确认 {n.get('uncertain', 0)} 封，发送失败 {n.get('failed', 0)} 封。", markup=False)
    for m in box["uncertain"]:
        then = f"，将于 {m['next_try']} 再发一次" if m["next_try"] else "，不再重发，请向收件人核实"
        con.print(f"  [yellow]未确认：[/yellow]{escape(m['subject'])} → {escape('、'.join(m['recipients']))}"
                  f"（邮件服务器已收下全文但未答复，已发送 {m['sends']} 次{then}）")
    more = n.get("uncertain", 0) - len(box["uncertain"])
    if more > 0:
        con.print(f"  另有 {more} 封未确认的邮件未列出。", markup=False)


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
    labels = {"docx": "Word 文稿", "md": "Markdown", "html": "网页", "xlsx": "数据附表", "notes": "审阅说明", "pdf": "PDF"}
    for fmt, path in result.paths.items():
        con.print(f"  {labels.get(fmt, fmt)}：{path}", soft_wrap=True, markup=False)
    for note in getattr(result.doc, "notes", ()):
        con.print(f"  请注意：{note}", soft_wrap=True, markup=False)


def print_csv(rows: list[dict]) -> None:
    """CSV with Chinese headers and a UTF-8 byte-order mark, which Excel and WPS need to read UTF-8."""
    if not rows:
        return
    out = sys.stdout
    out.write("\ufeff")
    w = csv.DictWriter(out, fieldnames=list(rows[0]))
    w.writerow({k: EXPORT_HEADERS.get(k, k) for k in rows[0]})
    w.writerows(rows)


def _cut(text: str, n: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n] + "…"


def print_history(rows: list[dict]) -> None:
    con = _console()
    if not rows:
        con.print("该单位本年度没有报送记录。")
    for r in rows:
        problems = f"，问题 {r['problems']} 项" if r["problems"] else ""
        con.print(f"#{r['submission_id']} {r['received']} {STATUS_ZH.get(r['status'], r['status'])} "
                  f"{r['filename']}（发件人 {r['sender'] or '管理员导入'}{problems}）", markup=False)
        for d in r.get("decisions", []):
            con.print(f"    {d['at']} {d['by']} {d['label']}" + (f"：{d['reason']}" if d["reason"] else ""),
                      markup=False)
        for c in r["changes"]:
            old = "不涉及" if c["old"] is None else f"{c['old']:g}"
            new = "不涉及" if c["new"] is None else f"{c['new']:g}"
            con.print(f"    {c['name']}：{old} → {new}", markup=False)
        if r.get("tasks") and r["status"] in ("accepted", "superseded"):
            done = sum(1 for status in r["tasks"].values() if status == "已完成")
            con.print(f"    重点任务：填报 {len(r['tasks'])} 项，已完成 {done} 项", markup=False)
        for c in r.get("task_changes", ()):
            old, new = (_cut(c[k]) if c[k] is not None else "（空）" for k in ("old", "new"))
            con.print(f"    任务{c['task']} {c['field']}：{old} → {new}", markup=False)


def print_decisions(rows: list[dict]) -> None:
    con = _console()
    if not rows:
        con.print("本年度还没有审批记录。")
    for d in rows:
        what = f"第 {d['subject_id']} 稿" if d["subject"] == "draft" else f"报送编号 {d['subject_id']}"
        con.print(f"{d['at']} {d['by']} {d['label']} {what}" + (f"：{d['reason']}" if d["reason"] else ""),
                  markup=False)
