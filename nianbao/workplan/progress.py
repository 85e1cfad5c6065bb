"""How the year's tasks stand: per task its lead units, each unit's answer, and the task's own state
(the least advanced of its lead units' answers: a task is 已完成 only when every lead unit says so).
Pure: the task file, the roster and the stored answers in; plain rows out, for `nianbao tasks`, the
Prefect artifact and the leaders' mail."""

from __future__ import annotations

from dataclasses import dataclass

from nianbao.workplan.answers import STATUSES, TaskAnswer, least_advanced
from nianbao.workplan.assign import ROLE_ZH, task_units
from nianbao.workplan.taskfile import TaskFile

NOT_REPORTED = "未报送"  # no accepted workbook answers the task yet
BLANK = "未填写"  # a shared task the unit left blank


@dataclass(frozen=True)
class UnitState:
    code: str
    name: str
    role: str  # lead | responsible
    status: str  # one of STATUSES, BLANK or NOT_REPORTED
    documents: tuple[str, ...] = ()
    reason: str = ""


@dataclass(frozen=True)
class TaskState:
    id: str
    title: str
    part: str
    lead: tuple[str, ...]  # names: lead units, lead groups, names kept as the plan wrote them
    status: str  # the task's own: least advanced lead answer; NOT_REPORTED while a lead unit has not answered
    units: tuple[UnitState, ...]

    @property
    def done(self) -> bool:
        return self.status == STATUSES[0]

    def by_status(self) -> dict[str, list[str]]:
        """Status → the units in it (lead units marked), in the order statuses advance backwards."""
        out: dict[str, list[str]] = {}
        for u in self.units:
            out.setdefault(u.status, []).append(u.name + (f"（{ROLE_ZH['lead']}）" if u.role == "lead" else ""))
        order = list(STATUSES) + [BLANK, NOT_REPORTED]
        return {s: out[s] for s in order if s in out}


def _task_status(units: list[UnitState]) -> str:
    leads = [u for u in units if u.role == "lead"] or units
    if not leads or any(u.status in (NOT_REPORTED, BLANK) for u in leads):
        return NOT_REPORTED if not leads or any(u.status == NOT_REPORTED for u in leads) else BLANK
    return least_advanced(u.status for u in leads)


def task_progress(config, tasks: TaskFile, answers: list[TaskAnswer], reported: set[str]) -> list[TaskState]:
    """``reported``: codes of units with an accepted workbook this year (an answer left out is BLANK
    for them, NOT_REPORTED for the others)."""
    given = {(a.task_id, a.unit_code): a for a in answers}
    order = {u.code: n for n, u in enumerate(config.units)}
    out = []
    for task in tasks.tasks:
        units = []
        for code, role in sorted(task_units(config, task).items(), key=lambda kv: (kv[1] != "lead", order[kv[0]])):
            unit = config.unit(code)
            if not unit.reports:
                continue
            a = given.get((task.id, code))
            status = a.status if a and a.status else (BLANK if code in reported else NOT_REPORTED)
            units.append(UnitState(code, unit.name, role, status, a.documents if a else (), a.reason if a else ""))
        lead = tuple(config.unit(c).name for c in task.lead) + task.lead_groups + tuple(
            u.name for u in task.unresolved if u.role == "lead")
        out.append(TaskState(task.id, task.title, task.section or task.chapter or "", lead, _task_status(units),
                             tuple(units)))
    return out


def units_line(state: TaskState) -> str:
    """Each unit's status in one line: 已完成：市公安局（牵头）、崇川区；未报送：海门区."""
    return "；".join(f"{status}：{'、'.join(names)}" for status, names in state.by_status().items())


def summary(states: list[TaskState]) -> dict:
    """Counts for a headline: 全年N项重点任务，已完成M项, and the tasks not done."""
    behind = [s for s in states if not s.done]
    return {"total": len(states), "done": len(states) - len(behind),
            "behind": [{"id": s.id, "title": s.title, "lead": list(s.lead), "status": s.status,
                        "awaiting": [u.name for u in s.units if u.role == "lead" and u.status == NOT_REPORTED]}
                       for s in behind]}


def progress_json(year: int, states: list[TaskState]) -> dict:
    return {"year": year, **summary(states), "tasks": [
        {"id": s.id, "title": s.title, "part": s.part, "lead": list(s.lead), "status": s.status,
         "units": [{"code": u.code, "name": u.name, "role": u.role, "status": u.status,
                    "documents": list(u.documents), "reason": u.reason} for u in s.units]} for s in states]}
