"""The year's work plan as the draft and next year's plan see it: config/tasks/<year>.yaml and the
units' answers on it (`stages/task_answers.load_task_answers`), as `report.work.Progress`."""

from __future__ import annotations

from pathlib import Path

from nianbao.report.work import Progress, progress
from nianbao.resources import Resources
from nianbao.stages.task_answers import load_task_answers
from nianbao.workplan.taskfile import FOLDER, TaskFile, load_task_file


def task_file_path(res: Resources, year: int) -> Path:
    return Path(res.settings.config_dir) / FOLDER / f"{year}.yaml"


def year_tasks(res: Resources, year: int) -> TaskFile | None:
    """``year``'s tasks (validated against the roster), or None when no plan was imported for it."""
    path = task_file_path(res, year)
    return load_task_file(path, res.config) if path.exists() else None


def plan_progress(res: Resources, year: int) -> Progress | None:
    """How ``year``'s plan stands from the stored answers; None when no plan was imported."""
    tasks = year_tasks(res, year)
    if tasks is None:
        return None
    return progress(res.config, tasks, load_task_answers(res, year, [t.id for t in tasks.tasks]))
