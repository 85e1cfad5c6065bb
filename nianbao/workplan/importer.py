"""`import_plan`: a plan file → its tasks with their units resolved, what could not be resolved (each
name with where it stands), and what an administrator should look at (warnings). `write_task_file`
writes the result as config/tasks/<year>.yaml — never while a name is unresolved, unless the import was
asked to keep such names as text.

Task ids: the plan's own numbers when they are unique across the plan ("12"); else the number within
its heading ("3-2": task 2 under （三）, or under 三、 where there is no （三）); else with both headings
("2-3-2"). A task whose number was lost gets the number its neighbours leave free (10, ?, 12 → 11) or,
failing that, the number before it with a letter ("10a"). The same plan always gives the same ids."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from nianbao.cityconfig import CityConfig
from nianbao.errors import BadInput
from nianbao.workplan.deadline import deadline_in_text, parse_deadline
from nianbao.workplan.errors import PlanFormatError, UnresolvedUnitsError
from nianbao.workplan.raw import RawTask
from nianbao.workplan.reading import read_source
from nianbao.workplan.resolve import Resolver
from nianbao.workplan.structure import parse
from nianbao.workplan.taskfile import Task, TaskFile, UnresolvedName, save_task_file
from nianbao.workplan.textnorm import short_title

ROLE_ZH = {"lead": "牵头单位", "responsible": "责任单位"}


@dataclass(frozen=True)
class Unresolved:
    name: str
    role: str  # "lead" or "responsible"
    where: str
    task: str  # the task's id
    reason: str  # in Chinese


@dataclass(frozen=True)
class PlanImport:
    year: int
    source: str  # the plan's file name
    tasks: tuple[Task, ...]
    unresolved: tuple[Unresolved, ...]
    warnings: tuple[str, ...]
    keep_unresolved: bool = False

    def task_file(self) -> TaskFile:
        return TaskFile(year=self.year, source=self.source, tasks=self.tasks)

    def unresolved_lines(self) -> list[str]:
        """One Chinese line per distinct name: where it stands and why it is not resolved."""
        by_name: dict[tuple[str, str], list[str]] = {}
        for u in self.unresolved:
            by_name.setdefault((u.name, u.reason), []).append(u.where)
        out = []
        for (name, reason), wheres in by_name.items():
            places = list(dict.fromkeys(wheres))
            where = "、".join(places[:3]) + (f"等 {len(wheres)} 处" if len(places) > 3 else "")
            out.append(f"{where}：“{name}” {reason}")
        return out


def import_plan(path: Path, year: int, config: CityConfig, *, keep_unresolved: bool = False) -> PlanImport:
    """Read the plan at ``path`` (.docx, .txt, .md) as ``year``'s tasks; PlanFormatError when it cannot."""
    if not 2000 <= year <= 2100:
        raise BadInput(f"年度应在 2000 至 2100 之间，实为 {year}")
    source = read_source(Path(path))
    resolver = Resolver(config)
    parsed = parse(source, resolver.vocabulary)
    warnings = list(parsed.warnings)
    raw = []
    for t in parsed.tasks:
        if _text(t):
            raw.append(t)
        else:
            warnings.append(f"{t.where}：第 {t.number} 项任务没有内容，未导入")
    if not raw:
        raise PlanFormatError(f"{source.name} 中没有找到任务：应有带“牵头单位”或“责任单位”的编号条目，"
                              "或表头含“重点任务”“牵头单位”等的分工表格")
    ids = assign_ids(raw, warnings)
    tasks, unresolved = [], []
    for t, task_id in zip(raw, ids, strict=True):
        task, missing = _task(t, task_id, year, resolver, keep_unresolved)
        tasks.append(task)
        unresolved += missing
        if not t.lead:
            what = "牵头单位" if t.responsible else "牵头单位和责任单位"
            warnings.append(f"{t.where}：任务 {task_id}（{task.title}）未写明{what}")
    return PlanImport(year, source.name, tuple(tasks), tuple(unresolved), tuple(warnings), keep_unresolved)


def write_task_file(plan: PlanImport, path: Path) -> Path:
    """Write ``plan`` to ``path``; UnresolvedUnitsError (nothing written) while a name is unresolved and
    the import was not asked to keep such names."""
    if plan.unresolved and not plan.keep_unresolved:
        raise UnresolvedUnitsError(plan.unresolved_lines())
    return save_task_file(plan.task_file(), path)


def _text(t: RawTask) -> str:
    return "".join(t.text).strip()


def _task(t: RawTask, task_id: str, year: int, resolver: Resolver, keep: bool) -> tuple[Task, list[Unresolved]]:
    found: dict[str, dict[str, list[str]]] = {r: {"unit": [], "group": []} for r in ROLE_ZH}
    missing, kept = [], []
    for role, names in (("lead", t.lead), ("responsible", t.responsible)):
        for name in names:
            result = resolver.resolve(name.text)
            for target in result.targets:
                found[role][target.kind].append(target.key)
            if not result.targets:
                missing.append(Unresolved(name.text, role, name.where, task_id, result.reason))
                kept.append(UnresolvedName(name=name.text, role=role))
    text = _text(t)
    deadline_text = t.deadline_text or deadline_in_text(text)
    task = Task(id=task_id, chapter=t.chapter.title or None if t.chapter else None,
                section=t.section.title or None if t.section else None, title=short_title(text) or text[:30],
                text=text, lead=_once(found["lead"]["unit"]), lead_groups=_once(found["lead"]["group"]),
                responsible=_once(found["responsible"]["unit"]),
                responsible_groups=_once(found["responsible"]["group"]),
                unresolved=tuple(dict.fromkeys(kept)) if keep else (),
                deadline=parse_deadline(deadline_text, year) if deadline_text else None,
                deadline_text=deadline_text, source=t.where)
    return task, missing


def _once(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def assign_ids(tasks: list[RawTask], warnings: list[str]) -> list[str]:
    numbers = _infer(tasks, warnings)

    def scope(t: RawTask) -> tuple[int, int]:
        return ((t.chapter.number or 0) if t.chapter else 0, (t.section.number or 0) if t.section else 0)

    plain = numbers
    within = [f"{s or c}-{n}" for (c, s), n in zip(map(scope, tasks), numbers, strict=True)]
    both = [f"{c}-{s}-{n}" for (c, s), n in zip(map(scope, tasks), numbers, strict=True)]
    for ids in (plain, within, both):
        if len(set(ids)) == len(ids):
            return ids
    seen: Counter[str] = Counter()
    out = []
    for i in both:
        seen[i] += 1
        out.append(i if seen[i] == 1 else f"{i}-{seen[i]}")
    return out


def _infer(tasks: list[RawTask], warnings: list[str]) -> list[str]:
    """Each task's number as text; a lost number inferred from its neighbours (see the module's doc)."""
    used = {t.number for t in tasks if t.number is not None}
    out, previous, letters = [], 0, 0
    for t in tasks:
        if t.number is not None:
            out.append(str(t.number))
            previous, letters = t.number, 0
            continue
        if previous + 1 not in used and not letters:
            previous += 1
            used.add(previous)
            out.append(str(previous))
            if not t.table or any(x.number is not None for x in tasks):
                warnings.append(f"{t.where}：此处一项任务缺少序号（“{short_title(_text(t))}”），按前后序号推定为 {previous}")
            continue
        letters += 1
        out.append(f"{previous}{'abcdefghijklmnopqrstuvwxyz'[min(letters, 26) - 1]}")
        warnings.append(f"{t.where}：此处一项任务缺少序号（“{short_title(_text(t))}”），编号为 {out[-1]}")
    return out
