"""The sheet 重点任务落实情况 read back and checked: each row's answer (完成情况, 主要举措和成效, 出台的制度文件,
未完成原因和下一步打算) against the unit's role in the year's plan, in the same cell-precise wording as the
figures. Pure: runs in the sandbox beside `checks.check_values`."""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from nianbao.errors import ConfigError
from nianbao.textsafe import multi_line_checked, one_line
from nianbao.workbook import layout as L
from nianbao.workplan.answers import STATUSES, TaskAnswer
from nianbao.workplan.assign import unit_tasks, year_tasks

READ_LIMIT = 4 * L.MAX_MEASURES  # read this much of a cell; over its own limit is told, not silently cut


class TaskRow(NamedTuple):
    """A task's row as typed (control characters dropped): plain values, cheap to send from the sandbox."""
    row: int
    status: str
    measures: str
    documents: str
    reason: str


def read_task_rows(cells: dict[str, object] | None) -> tuple[dict[str, TaskRow], int]:
    """Task id → its row, and how many cells lost control characters or were cut."""
    out: dict[str, TaskRow] = {}
    altered = 0
    if not cells:
        return out, 0
    for row in range(L.TASK_FIRST_ROW, L.TASK_FIRST_ROW + L.MAX_TASKS):
        task_id = one_line(cells.get(f"{L.TASK_ID}{row}"), 40)
        if not task_id or task_id in out:
            continue
        texts = []
        for col in (L.TASK_MEASURES, L.TASK_DOCUMENTS, L.TASK_REASON):
            text, cut = multi_line_checked(cells.get(f"{col}{row}"), READ_LIMIT)
            texts.append(text)
            altered += cut
        out[task_id] = TaskRow(row, one_line(cells.get(f"{L.TASK_STATUS}{row}"), 40), *texts)
    return out, altered


# 《…》, and the forms clerks type for it: <<…>>, 〈…〉, “…”.
_QUOTED = re.compile(r"(?:《|<<|〈|«)\s*(.+?)\s*(?:》|>>|〉|»)")
_SPLIT = re.compile(r"[\n；;]+")
_NUMBERING = re.compile(r"^\s*(?:[（(]?\d{1,2}[)）.、．]|[①-⑳]|[一二三四五六七八九十]{1,2}、)\s*")


def document_titles(text: str) -> list[str]:
    """出台的制度文件 as titles, each once, each in 《…》: the titles in book-title marks when the clerk
    used them on a line, else the line (lines split also at ；), numbering and end punctuation dropped."""
    pieces = [title for line in _SPLIT.split(text) for title in (_QUOTED.findall(line) or [line])]
    out: list[str] = []
    for piece in pieces:
        title = _NUMBERING.sub("", piece).strip().strip("。，,.；;、 \u3000")
        if _wrapped(title):
            title = title[1:-1].strip()  # “…” around the whole title stands for 《…》; a quote inside it stays
        title = title.replace("《", "〈").replace("》", "〉")  # a title quoted inside a title
        if title and f"《{title}》" not in out:
            out.append(f"《{title}》")
    return out


def _wrapped(title: str) -> bool:
    """The whole title in one pair of quotation marks (“关于…的意见” or "…"), none inside."""
    return (title.startswith("“") and title.endswith("”") and title.count("“") == 1) or \
        (len(title) > 1 and title.startswith('"') and title.endswith('"') and title.count('"') == 2)


def _status(text: str) -> str | None:
    return unicodedata.normalize("NFKC", text).replace(" ", "") or None


class TaskCheck(NamedTuple):
    answers: list[TaskAnswer]
    errors: list  # Finding
    notices: list  # Finding, warnings that do not hold the workbook back (told in the receipt)


def check_tasks(config, unit, raw, finding) -> TaskCheck:
    """``finding(code, severity, sheet, ref, task, what)`` makes a checks.Finding."""
    year = raw.identity.year if raw.identity else None
    try:
        tasks = unit_tasks(config, year_tasks(config, year), unit.code)
    except ConfigError:  # a broken task file is told by `nianbao check` and at opening, not to each clerk
        tasks = ()
    answers, errors, notices = [], [], []
    for task, role in tasks:
        row = raw.task_rows.get(task.id)
        if row is None:
            if role == "lead":
                errors.append(finding("task_missing_row", "error", None, None, task, config.text("task_missing_row")))
            continue

        def err(col: str, key: str, **names) -> None:
            errors.append(finding(key, "error", L.TASK_SHEET, f"{col}{row.row}", task, config.text(key, **names)))

        status = _status(row.status)
        if status is not None and status not in STATUSES:
            err(L.TASK_STATUS, "task_bad_status", text=row.status)
            status = None
        elif status is None and role == "lead":
            err(L.TASK_STATUS, "task_no_status")
        if role == "lead" and status not in (None, "未启动") and not row.measures:
            err(L.TASK_MEASURES, "task_no_measures")
        elif status == "已完成" and not row.measures:
            notices.append(finding("task_done_no_measures", "warning", L.TASK_SHEET, f"{L.TASK_MEASURES}{row.row}",
                                   task, config.text("task_done_no_measures")))
        if status is not None and status != "已完成" and not row.reason:
            err(L.TASK_REASON, "task_no_reason", status=status)
        for col, text, limit in ((L.TASK_MEASURES, row.measures, L.MAX_MEASURES), (L.TASK_REASON, row.reason, L.MAX_REASON),
                                 (L.TASK_DOCUMENTS, row.documents, L.MAX_DOCUMENTS)):
            if len(text) > limit:
                err(col, "task_too_long", limit=limit)
        titles = document_titles(row.documents[:L.MAX_DOCUMENTS])
        if len(titles) > L.MAX_TITLES:
            err(L.TASK_DOCUMENTS, "task_too_many_titles", count=len(titles), limit=L.MAX_TITLES)
        for title in titles:
            if len(title) > L.MAX_TITLE + 2:
                err(L.TASK_DOCUMENTS, "task_title_too_long", text=title[:20] + "…", limit=L.MAX_TITLE)
                break
        if role == "lead" or status or row.measures or titles or row.reason:
            answers.append(TaskAnswer(task.id, unit.code, role, status, row.measures[:L.MAX_MEASURES],
                                      tuple(titles[:L.MAX_TITLES]), row.reason[:L.MAX_REASON]))
    return TaskCheck(answers, errors, notices)
