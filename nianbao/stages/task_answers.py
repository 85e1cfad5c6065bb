"""The one seam between the stored answers on the year's work plan and the writers (the city draft,
next year's plan): `load_task_answers`. The intake stores what each unit answered on its tasks (the
workbook's sheet 重点任务落实情况, table task_answer); with none stored the writers leave the plan's
sentences out and say why in the draft's review notes."""

from __future__ import annotations

from collections.abc import Sequence

from nianbao.db.session import unit_of_work
from nianbao.resources import Resources
from nianbao.task_answers import task_answers
from nianbao.workplan.answers import TaskAnswer


def load_task_answers(res: Resources, year: int, order: Sequence[str] = ()) -> list[TaskAnswer]:
    """Every unit's current answers on ``year``'s tasks (its accepted workbook's), each unit's in the
    task file's ``order``; [] without a cycle."""
    with unit_of_work(res.db) as s:
        return task_answers(s, year, order)
