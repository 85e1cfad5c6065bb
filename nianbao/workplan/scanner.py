"""Headings, numbered tasks and unit clauses in running text, line by line, in one pass.

Recognised: chapters "一、", sections "（一）" (and "(-)", a capture's 一), tasks "1." "1、" "1 ." "1，"
"（1）" (one style per plan: with "1." tasks, "（1）" is a point inside a task), and unit clauses: at the
end in brackets "（牵头单位：…，责任单位：…）", or a label anywhere "牵头单位：… 参加单位：…" running to
the next label, number, heading, 。 or line end — also on a line of its own after the task's text.

A number or heading counts at a line's start, right after a unit clause or a heading's title, or after
a 。, and only where the plan's numbering expects it (the next number; 1 again after a heading; a small
gap), so that "5个工作日", "110、120" or "（二）" inside a sentence stay text. Text that follows a task's
units and then has units of its own is a task whose number was lost (seed 001 lost its 11); text that
follows a task's units and has none is reported and not imported."""

from __future__ import annotations

import re

from nianbao.workplan.clauses import LABEL_PATTERN, LABELS, Vocabulary, clause_names, closing
from nianbao.workplan.lines import Logical
from nianbao.workplan.raw import Heading, Name, RawTask
from nianbao.workplan.textnorm import NUMERALS, STOPS, short_title, zh_number

PROSE, HEADING, TASK, CLAUSE, AFTER = range(5)
TOKEN = re.compile(
    rf"(?P<plabel>\(\s*(?:{LABEL_PATTERN})\s*:)"
    rf"|(?P<label>(?:{LABEL_PATTERN})\s*:)"
    rf"|(?P<chap>[{NUMERALS}]{{1,3}})、"
    rf"|\((?P<sub>[{NUMERALS}]{{1,3}}|[-—])\)"
    r"|\((?P<ptask>\d{1,3})\)"
    r"|(?<![\d.])(?P<task>\d{1,3})(?:\s*[.、,](?!\d)|\s+(?=[\u4e00-\u9fff]))"
    r"|(?P<stop>[。!?])")
_LABEL = re.compile(rf"({LABEL_PATTERN})\s*:")
_NONSPACE = re.compile(r"\S")


class Scanner:
    def __init__(self, vocab: Vocabulary):
        self.vocab = vocab
        self.tasks: list[RawTask] = []
        self.warnings: list[str] = []
        self.chapter: Heading | None = None
        self.section: Heading | None = None
        self.last_chap = self.last_sub = self.last_task = 0
        self.fresh = True  # a heading since the last task: numbering may start again at 1
        self.chapter_since_sub = True
        self.style: str | None = None  # "dot" (1. 1、) or "paren" ((1)), from the plan's first task
        self.mode = PROSE
        self.task: RawTask | None = None  # where task text and clauses go
        self.title: list[str] = []  # the open heading's title, as read so far
        self.open_heading: Heading | None = None
        self.clause: tuple[str, int, RawTask | None] | None = None  # (role, value start, task) of the open clause
        self.buffer: list[str] = []  # text not yet anyone's (prose, or text after a task's units)
        self.buffer_where = ""

    # -- headings and tasks, from text or from a table ------------------------------------------------
    def heading(self, level: str, number: int | None, where: str) -> Heading:
        h = Heading(level, number, "", where)
        if level == "chapter":
            self.chapter, self.section, self.chapter_since_sub = h, None, True
            self.last_chap = number or self.last_chap
        else:
            self.section, self.chapter_since_sub = h, False
            self.last_sub = number or self.last_sub
        self.fresh, self.buffer = True, []
        return h

    def add(self, task: RawTask) -> None:
        self.tasks.append(task)
        self.task, self.fresh = task, False
        self.last_task = task.number or self.last_task

    # -- running text ---------------------------------------------------------------------------------
    def scan(self, line: Logical) -> None:
        norm = line.text.norm
        start = len(norm) - len(norm.lstrip())
        seg = resume = start
        first: dict[int, int] = {}  # segment start → its first non-space position (each looked up once)
        for m in TOKEN.finditer(norm, start):
            if m.start() < resume:
                continue
            kind = next(k for k in ("plabel", "label", "chap", "sub", "ptask", "task", "stop") if m.group(k) is not None)
            if kind == "stop":
                if self.mode in (CLAUSE, HEADING):
                    self._flush(line, seg, m.start())
                    self._close(line, m.start(), stop=m.end())
                    seg = m.end()
                continue
            if kind in ("plabel", "label"):
                self._flush(line, seg, m.start())
                self._close(line, m.start())
                target = self._clause_target(line, m.start())
                if kind == "label":
                    self.clause = (LABELS[_LABEL.match(norm, m.start()).group(1)], m.end(), target)
                    self.mode, seg = CLAUSE, m.end()
                    continue
                end = closing(norm, m.start())
                self._bracketed(line, m.start() + 1, end, target)
                self.mode = AFTER
                seg = resume = min(end + 1, len(norm))
                continue
            at_start = m.start() == start
            number = zh_number(m.group(kind)) if kind in ("chap", "sub") else int(m.group(kind))
            if seg not in first:
                found = _NONSPACE.search(norm, seg)
                first[seg] = found.start() if found else len(norm)
            boundary = self._boundary(norm, first[seg] >= m.start(), m.start(), at_start)
            if not self._expected(kind, number, at_start, boundary) \
                    or (kind == "task" and not m.group(0)[len(m.group(kind)):].strip() and number != self.last_task + 1):
                continue  # "7 实行" (no mark after the number) only as the very next number
            self._flush(line, seg, m.start())
            self._close(line, m.start())
            self._drop_orphan()
            where = line.where(m.start())
            if kind in ("chap", "sub"):
                self.open_heading = self.heading("chapter" if kind == "chap" else "section", number, where)
                self.mode, self.title = HEADING, []
            else:
                self.style = self.style or ("paren" if kind == "ptask" else "dot")
                self.add(RawTask(number, where, self.chapter, self.section))
                self.mode = TASK
            seg = m.end()
        self._flush(line, seg, len(norm))
        self._close(line, len(norm))
        if self.mode == TASK and self.task:
            self.task.text.append("\n")

    def finish(self) -> None:
        self._drop_orphan()

    def _boundary(self, norm: str, blank: bool, pos: int, at_start: bool) -> bool:
        """Whether a number or heading at ``pos`` may start something (``blank``: nothing read since the
        last thing that did)."""
        if at_start or self.mode in (HEADING, CLAUSE) or (self.mode == AFTER and not self.buffer and blank):
            return True
        j = pos - 1
        while j >= 0 and norm[j].isspace():
            j -= 1
        return j >= 0 and norm[j] in STOPS

    def _expected(self, kind: str, n: int, at_start: bool, boundary: bool) -> bool:
        if not boundary or n < 1:
            return False
        if kind == "chap":
            return n == self.last_chap + 1 or (at_start and (n == 1 or n > self.last_chap))
        if kind == "sub":
            return n == self.last_sub + 1 or (n == 1 and (self.chapter_since_sub or at_start)) \
                or (at_start and n > self.last_sub)
        if self.style not in (None, "paren" if kind == "ptask" else "dot"):
            return False
        last = self.last_task
        return n == last + 1 or (n == 1 and self.fresh) or (at_start and n > last) \
            or (last < n <= last + 3 and self.mode in (CLAUSE, AFTER, HEADING))

    def _flush(self, line: Logical, a: int, b: int) -> None:
        text = line.text.cut(a, b)
        if not text or (self.mode == AFTER and not any(ch.isalnum() for ch in text)):
            return  # nothing, or only the 。 or ； after a task's bracketed units
        if self.mode == TASK and self.task:
            self.task.text.append(text)
        elif self.mode == HEADING:
            self.title.append(text)
        elif self.mode in (PROSE, AFTER):
            if not self.buffer:
                self.buffer_where = line.where(a)
            self.buffer.append(text)

    def _close(self, line: Logical, end: int, stop: int | None = None) -> None:
        """End the open heading title or clause at ``end`` (``stop``: just after the 。 that ended it)."""
        if self.mode == HEADING:
            if self.open_heading is not None:
                self.open_heading.title = short_title("".join(self.title))
            self.title, self.mode, self.open_heading = [], PROSE, None
        elif self.mode == CLAUSE and self.clause:
            role, start, target = self.clause
            self.clause, self.mode = None, AFTER
            tail = self._values(line, role, start, end, target, check=True)
            if tail is not None:
                self.buffer = [line.text.orig[line.text.index[tail]:line.text.index[stop or end]].strip()]
                self.buffer_where = line.where(tail)

    def _values(self, line: Logical, role: str, a: int, b: int, task: RawTask | None, *, check: bool) -> int | None:
        if task is None:
            return None
        task.clause = True
        if role == "deadline":
            task.deadline_text = line.text.cut(a, b).strip(",;，；、") or task.deadline_text
            return None
        spans, tail = clause_names(line.text, a, b, self.vocab, check=check)
        (task.lead if role == "lead" else task.responsible).extend(
            Name(line.text.cut(x, y), line.where(x)) for x, y in spans)
        return tail

    def _bracketed(self, line: Logical, a: int, b: int, task: RawTask | None) -> None:
        labels = list(_LABEL.finditer(line.text.norm, a, b))
        for k, m in enumerate(labels):
            end = labels[k + 1].start() if k + 1 < len(labels) else b
            self._values(line, LABELS[m.group(1)], m.end(), end, task, check=False)

    def _clause_target(self, line: Logical, pos: int) -> RawTask | None:
        """The task a clause starting here belongs to: the open task; text waiting after a task's units
        (a task whose number was lost); else, right after a clause, the same task again."""
        if self.mode == TASK:
            return self.task
        if self.buffer and self.mode in (PROSE, AFTER):
            task = RawTask(None, self.buffer_where, self.chapter, self.section, list(self.buffer))
            self.tasks.append(task)
            self.task, self.buffer, self.fresh = task, [], False
            return task
        if self.mode == AFTER and self.task:
            return self.task
        self.warnings.append(f"{line.where(pos)}：此处的单位不属于任何任务，未导入")
        return None

    def _drop_orphan(self) -> None:
        if self.mode == AFTER and self.buffer:
            text = "".join(self.buffer)
            self.warnings.append(f"{self.buffer_where}：“{short_title(text, 20)}”在上一项任务的单位之后、又没有单位，"
                                 "不属于任何任务，未导入")
        self.buffer = []
        if self.mode == AFTER:
            self.mode = PROSE

