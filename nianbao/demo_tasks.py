"""The demo's work plan: the sample plan (config/demo_plan.txt) imported for the demo year, and what each
simulated unit answers about its tasks, drawn from config/demo.yaml and its own figures. Deterministic
for a given (unit, year)."""

from __future__ import annotations

import random
import re

from pydantic import BaseModel, ConfigDict

from nianbao.cityconfig import CityConfig, Unit
from nianbao.workplan.assign import task_file_path, unit_tasks, year_tasks

PLAN_FILE = "demo_plan.txt"
_FIGURE = re.compile(r"\{(\w+)\}")


class DemoTask(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    measures: list[str] = []
    documents: list[str] = []
    reasons: list[str] = []


class DemoShared(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    measures: list[str] = []
    reasons: list[str] = []


def import_demo_plan(config: CityConfig, year: int) -> int:
    """config/demo_plan.txt → config/tasks/<year>.yaml (once; never over a plan already there). The
    number of tasks the year has (0: no sample plan in this config)."""
    from nianbao.workplan import UnresolvedUnitsError, import_plan, write_task_file

    source, target = config.root / PLAN_FILE, task_file_path(config, year)
    if not target.exists() and source.exists():
        plan = import_plan(source, year, config)
        if plan.unresolved:
            raise UnresolvedUnitsError(plan.unresolved_lines())
        write_task_file(plan, target)
    tasks = year_tasks(config, year)
    return len(tasks.tasks) if tasks else 0


def _number(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def _fill(text: str, unit: Unit, values: dict[str, float | None]) -> str | None:
    """``text`` with {unit} and each {code} filled in; None when it names a figure the unit lacks."""
    if any(values.get(c) is None for c in _FIGURE.findall(text) if c != "unit"):
        return None
    return _FIGURE.sub(lambda m: unit.name if m.group(1) == "unit" else _number(values[m.group(1)]), text)


def _pick(rng: random.Random, texts: list[str], unit: Unit, values: dict[str, float | None],
          lead: tuple[str, int] | None = None) -> str:
    """One of ``texts`` the unit's figures can fill; co-leads of a task (``lead``: the task's seed and the
    unit's place among its leads) take different ones in turn, as two units do not write alike."""
    usable = [t for t in (_fill(x, unit, values) for x in texts) if t]
    if not usable:
        return ""
    n = rng.randrange(len(usable))  # drawn either way: the rest of the unit's answers stay as they were
    if lead is not None:
        seed, k = lead
        n = (random.Random(seed).randrange(len(usable)) + k) % len(usable)
    return usable[n]


def task_answers_typed(config: CityConfig, unit: Unit, year: int, values: dict[str, float | None],
                       content: dict[str, DemoTask], shared: DemoShared) -> dict[str, dict[str, str]]:
    """Task id → what the unit's clerk types in the sheet 重点任务落实情况 (fill_workbook's ``tasks``)."""
    out: dict[str, dict[str, str]] = {}
    for task, role in unit_tasks(config, year_tasks(config, year), unit.code):
        rng = random.Random(f"task-{unit.code}-{task.id}-{year}")
        item = content.get(task.id, DemoTask())
        if role == "lead":
            roll = rng.random()
            status = "已完成" if not item.reasons or roll < 0.7 else \
                "基本完成" if roll < 0.85 else "正在推进" if roll < 0.96 else "未启动"
            lead = (f"task-{task.id}-{year}", task.lead.index(unit.code)) if unit.code in task.lead else None
            measures = _pick(rng, item.measures, unit, values, lead) or _pick(rng, shared.measures, unit, values)
            answer = {"status": status, "measures": measures if status != "未启动" else ""}
            if status != "未启动":
                docs = [d for d in (_fill(x, unit, values) for x in item.documents) if d]
                if docs and status != "已完成":
                    docs = docs[:1]
                if docs:
                    answer["documents"] = "\n".join(f"《{d}》" if rng.random() < 0.7 else d for d in docs)
            if status != "已完成":
                answer["reason"] = rng.choice(item.reasons)
        else:
            roll = rng.random()
            if roll < 0.3 or not shared.measures:
                continue  # a shared task the clerk leaves blank
            status = "已完成" if roll < 0.8 or not shared.reasons else "正在推进"
            answer = {"status": status, "measures": rng.choice(shared.measures)}
            if status != "已完成":
                answer["reason"] = rng.choice(shared.reasons)
        out[task.id] = answer
    return out
