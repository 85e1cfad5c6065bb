"""A plan's tasks, in document order, from its blocks: text through the scanner, 分工 tables through
`tables`, other tables cell by cell as text.

Which numbered items are tasks: an item with a unit clause is one (the clause is what makes a plan's
item a task for someone). An item without one is a task only when its chapter (一、…, or its （一）
section when there is no chapter) has other items with clauses — a task whose units the plan forgot
(reported); otherwise it is prose: "一、指导思想" or "三、工作要求" may number their paragraphs, but
give nobody a task. Every row of a 分工 table is a task."""

from __future__ import annotations

from dataclasses import dataclass

from nianbao.workplan.clauses import Vocabulary
from nianbao.workplan.lines import logical_lines
from nianbao.workplan.raw import RawTask
from nianbao.workplan.reading import Line, Source, Table
from nianbao.workplan.scanner import Scanner
from nianbao.workplan.tables import read_table


@dataclass(frozen=True)
class Parsed:
    tasks: tuple[RawTask, ...]
    warnings: tuple[str, ...]


def parse(source: Source, vocab: Vocabulary) -> Parsed:
    scanner = Scanner(vocab)
    pending: list[Line] = []

    def scan_pending() -> None:
        for line in logical_lines(pending):
            scanner.scan(line)
        pending.clear()

    for block in source.blocks:
        if isinstance(block, Line):
            pending.append(block)
            continue
        scan_pending()
        if not read_table(block, scanner, vocab):
            pending.extend(_as_lines(block))
    scan_pending()
    scanner.finish()
    return Parsed(tuple(_tasks(scanner.tasks)), (*source.notes, *scanner.warnings))


def _as_lines(table: Table) -> list[Line]:
    return [Line(part, row.where) for row in table.rows for cell in dict.fromkeys(row.cells)
            for part in cell.split("\n")]


def _tasks(raw: list[RawTask]) -> list[RawTask]:
    def scope(t: RawTask) -> int | None:
        h = t.chapter or t.section
        return id(h) if h is not None else None

    with_units = {scope(t) for t in raw if t.clause}
    return [t for t in raw if t.table or t.clause or (scope(t) is not None and scope(t) in with_units)]
