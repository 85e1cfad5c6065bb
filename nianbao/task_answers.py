"""Stored answers to the year's work plan tasks (table task_answer) as `TaskAnswer`s: the current accepted
version of each unit, for the writers and `nianbao tasks`; any submissions' answers, for `history`."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from nianbao import repo
from nianbao.db.models import Cycle, Submission, TaskAnswerRow
from nianbao.workplan.answers import TaskAnswer

COLUMNS = (Submission.id, Submission.unit_code, TaskAnswerRow.task_id, TaskAnswerRow.role, TaskAnswerRow.status,
           TaskAnswerRow.measures, TaskAnswerRow.documents, TaskAnswerRow.reason)


def _answer(unit_code, task_id, role, status, measures, documents, reason) -> TaskAnswer:
    return TaskAnswer(task_id, unit_code, role, status, measures or "",
                      tuple(d for d in (documents or "").split("\n") if d), reason or "")


def task_order(order: Sequence[str] = ()):
    """A sort key for task ids: their place in ``order`` (the task file's), then numbers as numbers
    (2 before 10, 3.1 before 3.2), then as text."""
    rank = {t: n for n, t in enumerate(order)}

    def key(task_id: str):
        natural = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.findall(r"\d+|\D+", task_id))
        return rank.get(task_id, len(rank)), natural

    return key


def task_answers(session: Session, cycle: Cycle | int, order: Sequence[str] = ()) -> list[TaskAnswer]:
    """Every unit's answers in its current accepted submission of ``cycle`` (a Cycle or a year), ordered by
    unit code, then task as in ``order`` (the task file's ids; numbers as numbers beyond it); [] when
    there is no such cycle."""
    if isinstance(cycle, int):
        cycle = repo.find_cycle(session, cycle)
        if cycle is None:
            return []
    rows = session.execute(select(*COLUMNS).join(TaskAnswerRow, TaskAnswerRow.submission_id == Submission.id)
                           .where(Submission.cycle_id == cycle.id, Submission.status == "accepted"))
    key = task_order(order)
    answers = [_answer(*row[1:]) for row in rows]
    return sorted(answers, key=lambda a: (a.unit_code, key(a.task_id)))


def answers_by_submission(session: Session, ids: Iterable[int]) -> dict[int, dict[str, TaskAnswer]]:
    """Submission id → task id → answer, for the given submissions (every version, not only current)."""
    ids = list(ids)
    out: dict[int, dict[str, TaskAnswer]] = {sid: {} for sid in ids}
    if not ids:
        return out
    for row in session.execute(select(*COLUMNS).join(TaskAnswerRow, TaskAnswerRow.submission_id == Submission.id)
                               .where(Submission.id.in_(ids))):
        out[row[0]][row[2]] = _answer(*row[1:])
    return out
