"""How the year's work plan stands: each task of config/tasks/<year>.yaml with its focus section, its lead
units and what they answered (`TaskAnswer`), and the counts the draft states (全年N项重点任务，已完成M项).

A task's status is its least advanced lead answer (a task two units lead is done when both are); a task
whose lead units have not all answered has no status and is counted apart, never as done or undone (as
`nianbao tasks` and the leaders' mail count it), though what the other lead units did is still told. Pure data: the
wording is `report/worktext.py`'s and config/report.yaml's."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from nianbao.cityconfig import CityConfig
from nianbao.config.report_tasks import TaskPlace
from nianbao.workplan.answers import STATUSES, TaskAnswer, least_advanced
from nianbao.workplan.taskfile import Task, TaskFile


@dataclass(frozen=True)
class TaskState:
    task: Task
    section: str | None  # the focus section's code; None when no place takes it
    lead_names: tuple[str, ...]  # as the draft names them: units, groups, names kept as written
    answers: tuple[TaskAnswer, ...]  # the lead units' answers that give a status, in roster order
    status: str | None  # the least advanced lead answer; None: a lead unit has not answered
    missing: tuple[str, ...] = ()  # the reporting lead units that have not answered, by name

    @property
    def done(self) -> bool:
        return self.status == "已完成"

    @property
    def unfinished(self) -> bool:
        return self.status is not None and not self.done


@dataclass(frozen=True)
class Counts:
    n: int = 0
    done: int = 0
    basic: int = 0
    behind: int = 0
    not_started: int = 0
    unanswered: int = 0


@dataclass
class Progress:
    year: int
    plan: str  # the plan's file name
    tasks: list[TaskState] = field(default_factory=list)
    answered: bool = False  # any answer at all

    def of(self, section: str) -> list[TaskState]:
        return [t for t in self.tasks if t.section == section]

    @property
    def unfinished(self) -> list[TaskState]:
        return [t for t in self.tasks if t.unfinished]


def counts(states: list[TaskState]) -> Counts:
    by = [t.status for t in states]
    return Counts(n=len(states), done=by.count("已完成"), basic=by.count("基本完成"), behind=by.count("正在推进"),
                  not_started=by.count("未启动"), unanswered=by.count(None))


def place(task: Task, places: tuple[TaskPlace, ...]) -> str | None:
    """The focus section a task goes to: by its id, then by a word of its title, then by its heading."""
    for p in places:
        if task.id in p.tasks:
            return p.section
    for p in places:
        if any(w in task.title for w in p.words):
            return p.section
    headings = " ".join(h for h in (task.chapter, task.section) if h)
    for p in places:
        if any(h in headings for h in p.headings):
            return p.section
    return None


def lead_codes(config: CityConfig, task: Task) -> list[str]:
    """The task's lead units: those it names and the reporting members of the groups it names."""
    groups = {g.name: g for g in config.groups}
    out = list(task.lead)
    for name in task.lead_groups:
        g = groups.get(name)
        if g is not None:
            out += [u.code for u in config.reporting_units if u.kind in g.kinds or u.code in g.codes]
    return list(dict.fromkeys(out))


def lead_names(config: CityConfig, task: Task) -> tuple[str, ...]:
    units = [u.name for code in task.lead if (u := config.unit_or_none(code))]
    kept = [u.name for u in task.unresolved if u.role == "lead"]
    return tuple(dict.fromkeys(units + list(task.lead_groups) + kept))


def progress(config: CityConfig, tasks: TaskFile, answers: list[TaskAnswer]) -> Progress:
    places = config.report.tasks.places if config.report.tasks else ()
    by_task: dict[str, dict[str, TaskAnswer]] = {}
    for a in answers:
        by_task.setdefault(a.task_id, {})[a.unit_code] = a
    out = Progress(tasks.year, Path(tasks.source).name, answered=bool(answers))
    for task in tasks.tasks:
        given = by_task.get(task.id, {})
        codes = lead_codes(config, task)
        leads = [given[c] for c in codes if c in given and given[c].status in STATUSES]
        missing = tuple(u.name for c in codes if (u := config.unit(c)).reports
                        and (c not in given or given[c].status not in STATUSES))
        status = least_advanced(a.status for a in leads) if leads and not missing else None
        out.tasks.append(TaskState(task, place(task, places), lead_names(config, task), tuple(leads), status,
                                   missing))
    return out


def split_reason(text: str) -> tuple[str, str]:
    """(the reason, the next step) of a 未完成原因和下一步打算 text, split at 下一步."""
    text = (text or "").strip()
    at = text.find("下一步")
    if at < 0:
        return text, ""
    reason, rest = text[:at], text[at + 3:]
    return reason.strip().rstrip("。；;，,、 "), rest.lstrip("，,：:、 ").strip()
