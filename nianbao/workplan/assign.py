"""Who answers which task: a year's task file (config/tasks/<year>.yaml) read once per change, and per
unit the tasks it leads or shares (groups expanded through groups.yaml). Pure; the workbook writer,
the checks in the sandbox and `nianbao tasks` all ask here, so they agree on every unit's list."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from nianbao.config.groups import group_units
from nianbao.workplan.taskfile import FOLDER, Task, TaskFile, load_task_file

Role = Literal["lead", "responsible"]
ROLE_ZH = {"lead": "牵头", "responsible": "责任"}
_CACHE: dict[tuple[str, int], tuple[float, TaskFile]] = {}


def task_file_path(config, year: int) -> Path:
    return Path(config.root) / FOLDER / f"{year}.yaml"


def year_tasks(config, year: int | None) -> TaskFile | None:
    """The year's task file, validated against the roster (a ConfigError if it is broken); None when
    the city has imported no plan for that year. Read again only when the file changed."""
    if not year:
        return None
    path = task_file_path(config, year)
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return None
    key = (str(path.resolve()), id(config))
    hit = _CACHE.get(key)
    if hit is None or hit[0] != mtime:
        hit = (mtime, load_task_file(path, config))
        _CACHE[key] = hit
    return hit[1]


def _members(config, task: Task, role: str) -> set[str]:
    codes = set(getattr(task, role))
    by_name = {g.name: g for g in config.groups}
    for name in getattr(task, f"{role}_groups"):
        group = by_name.get(name)
        if group is not None:
            codes |= {u.code for u in group_units(group, config.units)}
    return codes


def task_units(config, task: Task) -> dict[str, Role]:
    """Every unit of the roster with a role in ``task`` (lead wins over responsible)."""
    out: dict[str, Role] = {code: "responsible" for code in _members(config, task, "responsible")}
    out.update({code: "lead" for code in _members(config, task, "lead")})
    return out


_BY_UNIT: dict[tuple[int, int], tuple[object, TaskFile, dict[str, tuple[tuple[Task, Role], ...]]]] = {}


def assignments(config, tasks: TaskFile) -> dict[str, tuple[tuple[Task, Role], ...]]:
    """Unit code → its tasks with its role, in the plan's order; computed once per (config, task file)."""
    key = (id(config), id(tasks))
    hit = _BY_UNIT.get(key)
    if hit is None or hit[0] is not config or hit[1] is not tasks:
        found: dict[str, list[tuple[Task, Role]]] = {}
        for task in tasks.tasks:
            for code, role in task_units(config, task).items():
                found.setdefault(code, []).append((task, role))
        hit = (config, tasks, {code: tuple(v) for code, v in found.items()})
        _BY_UNIT[key] = hit
    return hit[2]


def unit_tasks(config, tasks: TaskFile | None, unit_code: str) -> tuple[tuple[Task, Role], ...]:
    """The tasks ``unit_code`` leads or is responsible for, in the plan's order."""
    return () if tasks is None else assignments(config, tasks).get(unit_code, ())
