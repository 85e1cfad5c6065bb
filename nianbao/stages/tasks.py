"""How the year's work plan tasks stand, from the task file and the accepted workbooks' answers."""

from __future__ import annotations

from sqlalchemy import select

from nianbao import repo
from nianbao.db.models import Submission
from nianbao.db.session import unit_of_work
from nianbao.resources import Resources
from nianbao.task_answers import task_answers
from nianbao.workplan.assign import year_tasks
from nianbao.workplan.errors import NoTaskFileError
from nianbao.workplan.progress import TaskState, task_progress


def tasks_progress(res: Resources, year: int, required: bool = True) -> list[TaskState]:
    """Every task's state; NoTaskFileError when the year has no task file (or [] unless ``required``)."""
    tasks = year_tasks(res.config, year)
    if tasks is None:
        if required:
            raise NoTaskFileError(year)
        return []
    with unit_of_work(res.db) as s:
        cycle = repo.find_cycle(s, year)
        answers = task_answers(s, cycle, [t.id for t in tasks.tasks]) if cycle else []
        reported = set(s.scalars(select(Submission.unit_code).where(
            Submission.cycle_id == cycle.id, Submission.status == "accepted"))) if cycle else set()
    return task_progress(res.config, tasks, answers, reported)
