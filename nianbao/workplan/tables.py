"""The 分工方案 table: 序号 | 重点任务 | 牵头单位 | 责任单位 | 完成时限, columns found by their headers.

A table is read as tasks when one of its first three rows names a task column (重点任务, 工作任务,
任务内容, 具体措施…) and a unit column (牵头单位/牵头部门, or 责任单位/配合单位/参加单位…). Below it, a
row is a heading when all its cells hold the same text (Word repeats a merged cell for each column it
spans), when its 序号 is "一、" or "（一）", or when its one filled cell starts so; a row starting 注 is
a note. Every other row with text is a task: its 序号 its number, several task columns (重点任务 and
具体措施) joined, a cell merged down over several rows read for each of them."""

from __future__ import annotations

import re

from nianbao.config.units import name_key
from nianbao.workplan.clauses import LABEL_PATTERN, Vocabulary, clause_names
from nianbao.workplan.raw import Name, RawTask
from nianbao.workplan.reading import Row, Table
from nianbao.workplan.scanner import Scanner
from nianbao.workplan.textnorm import NUMERALS, Text, short_title, zh_number

# A column's role by the words of its header, tried in this order (牵头 before 责任, both before 任务).
ROLES = (("number", ("序号", "编号")), ("lead", ("牵头",)),
         ("responsible", ("责任单位", "责任部门", "责任主体", "配合", "参加", "参与", "协办")),
         ("deadline", ("时限", "时间", "节点", "期限")), ("text", ("任务", "措施", "内容", "事项", "工作", "举措")))
_HEADING = re.compile(rf"^\s*(?:(?P<chap>[{NUMERALS}]{{1,3}})(?:、|(?=\s*$))|\((?P<sub>[{NUMERALS}]{{1,3}})\))"
                      r"\s*(?P<rest>.*)$", re.S)
_NUMBER = re.compile(r"^\s*\(?(\d{1,3})[).、,]?\s*$")
_LABEL = re.compile(rf"^\s*(?:{LABEL_PATTERN})\s*:\s*")


def columns(cells: tuple[str, ...]) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for i, cell in enumerate(cells):
        key = name_key(cell)
        role = next((r for r, words in ROLES if key and any(w in key for w in words)), None)
        if role and (role == "text" or role not in found):
            found.setdefault(role, []).append(i)
    return found


def read_table(table: Table, scanner: Scanner, vocab: Vocabulary) -> bool:
    """Read ``table``'s tasks into ``scanner``; False when it is not a task table."""
    found = next(((h, cols) for h, header in enumerate(table.rows[:3]) if "text" in (cols := columns(header.cells))
                  and ("lead" in cols or "responsible" in cols)), None)
    if found is None:
        return False
    h, cols = found
    for row in table.rows[h + 1:]:
        _row(row, cols, scanner, vocab)
    return True


def _cell(row: Row, cols: dict[str, list[int]], role: str) -> str:
    return "\n".join(dict.fromkeys(row.cells[i] for i in cols.get(role, ()) if i < len(row.cells) and row.cells[i]))


def _row(row: Row, cols: dict[str, list[int]], scanner: Scanner, vocab: Vocabulary) -> None:
    filled = [c for c in row.cells if c.strip()]
    if not filled or filled[0].lstrip().startswith("注"):
        return
    number, text = _cell(row, cols, "number"), _cell(row, cols, "text")
    merged = len(row.cells) > 1 and len(set(row.cells)) == 1
    alone = merged or len(filled) == 1
    t = Text.of(filled[0] if alone else number)
    m = _HEADING.match(t.norm)
    if merged or m:
        rest = t.orig[t.index[m.start("rest")]:].strip() if m else t.orig.strip()
        digits = m and (m.group("chap") or m.group("sub"))
        h = scanner.heading("section" if m and m.group("sub") else "chapter", zh_number(digits) if digits else None,
                            row.where)
        h.title = short_title(rest if alone else rest or text)
        return
    if not text.strip():
        return
    n = _NUMBER.match(Text.of(number).norm)
    task = RawTask(int(n.group(1)) if n else None, row.where, scanner.chapter, scanner.section, [text], table=True)
    for role, names in (("lead", task.lead), ("responsible", task.responsible)):
        cell = Text.of(_cell(row, cols, role))
        label = _LABEL.match(cell.norm)
        spans, _ = clause_names(cell, label.end() if label else 0, len(cell.norm), vocab, check=False)
        names.extend(Name(cell.cut(x, y), row.where) for x, y in spans)
    task.clause = bool(task.lead or task.responsible)
    task.deadline_text = _cell(row, cols, "deadline").strip() or None
    scanner.add(task)
