"""Next year's work plan, drafted: this year's unfinished tasks carried with their own text and units,
the draft's plans as tasks (the heading, then its measures), and the standing tasks of report.yaml
`next_plan`, under （一） sections in the configured order, numbered 1…N across the plan, each closing
with （牵头单位：…，责任单位：…） — the shape `plan import` reads (and seed 000 has), so the administrator
edits the .docx in Word and imports it. Pure: the .docx is `report.docx_writer`'s GB/T 9704 layout."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pendulum

from nianbao.cityconfig import CityConfig
from nianbao.config.report_tasks import NextPlan
from nianbao.report.docx_writer import build_docx
from nianbao.report.fmt import ordinal
from nianbao.report.mdtext import plain
from nianbao.report.plans import Plan
from nianbao.report.work import Progress
from nianbao.workplan.taskfile import Task

SEP = "、"
_ORDINAL = re.compile(r"^\s*[（(][一二三四五六七八九十]+[）)]\s*|^\s*[一二三四五六七八九十]+、\s*")


@dataclass(frozen=True)
class PlannedTask:
    section: str
    text: str  # without the unit clause, ending with 。
    lead: tuple[str, ...]  # names as the plan writes them
    responsible: tuple[str, ...]
    origin: str  # carried | plan | standing

    def clause(self) -> str:
        parts = ([f"牵头单位：{SEP.join(self.lead)}"] if self.lead else []) + \
                ([f"责任单位：{SEP.join(self.responsible)}"] if self.responsible else [])
        return f"（{'，'.join(parts)}）" if parts else ""


@dataclass
class PlanDraft:
    year: int
    title: str
    sections: list[tuple[str, list[PlannedTask]]] = field(default_factory=list)

    @property
    def tasks(self) -> list[PlannedTask]:
        return [t for _, tasks in self.sections for t in tasks]


def names(config: CityConfig, task: Task, role: str) -> tuple[str, ...]:
    units = [u.name for code in getattr(task, role) if (u := config.unit_or_none(code))]
    kept = [u.name for u in task.unresolved if u.role == role]
    return tuple(dict.fromkeys(units + list(getattr(task, f"{role}_groups")) + kept))


def _sentence(text: str) -> str:
    text = text.strip().rstrip("；;，,、 ")
    return text if text.endswith(("。", "！", "？")) else text + "。"


def draft_plan(config: CityConfig, year: int, progress: Progress | None, plans: list[Plan],
               skip: frozenset[str] = frozenset()) -> PlanDraft:
    """``year``'s plan from last year's ``progress`` (its unfinished tasks), the draft's ``plans``
    (those headed in ``skip`` left out: the carried tasks are listed one by one) and the standing tasks."""
    shape = config.report.next_plan
    if shape is None:
        raise ValueError("report.yaml has no next_plan")
    found: list[PlannedTask] = []
    for t in progress.unfinished if progress is not None else []:
        section = _ORDINAL.sub("", t.task.section or t.task.chapter or "") or shape.plans_section
        found.append(PlannedTask(section, _sentence(t.task.text),
                                 names(config, t.task, "lead"), names(config, t.task, "responsible"), "carried"))
    for p in plans:
        if p.heading in skip or not p.measures:
            continue
        text = _sentence(p.heading) + "".join(_sentence(m) for m in p.measures)
        found.append(PlannedTask(p.section or shape.plans_section, text, shape.plans_lead, shape.plans_responsible,
                                 "plan"))
    said = {t.text for t in found}
    for s in shape.standing:
        if _sentence(s.text) not in said:
            found.append(PlannedTask(s.section, _sentence(s.text), s.lead, s.responsible, "standing"))
    order = list(dict.fromkeys([*shape.sections, *(t.section for t in found)]))
    draft = PlanDraft(year, shape.title.format(city=config.city, year=year))
    for section in order:
        tasks = [t for t in found if t.section == section]
        if tasks:
            draft.sections.append((section, tasks))
    return draft


def plan_markdown(config: CityConfig, draft: PlanDraft) -> str:
    shape: NextPlan = config.report.next_plan
    fill = {"city": config.city, "year": draft.year}
    lines = [f"# {plain(draft.title)}", "", plain(shape.intro.format(**fill)), ""]
    part = 0
    if shape.guiding:
        part += 1
        lines += [f"## {ordinal(part)}、{plain(shape.guiding_heading)}", "", plain(shape.guiding.format(**fill)), ""]
    part += 1
    lines += [f"## {ordinal(part)}、{plain(shape.tasks_heading)}", ""]
    n = 0
    for s, (section, tasks) in enumerate(draft.sections, 1):
        lines += [f"### （{ordinal(s)}）{plain(section)}", ""]
        for t in tasks:
            n += 1
            lines += [f"{n}．{plain(t.text)}{plain(t.clause())}", ""]
    if shape.requirements:
        part += 1
        lines += [f"## {ordinal(part)}、{plain(shape.requirements_heading)}", ""]
        lines += [line for k, text in enumerate(shape.requirements, 1) for line in (f"（{ordinal(k)}）{plain(text)}", "")]
    return "\n".join(lines)


def plan_docx(config: CityConfig, draft: PlanDraft, at: pendulum.DateTime) -> bytes:
    shape = config.report.next_plan
    return build_docx(plan_markdown(config, draft), issuer=shape.issuer.format(city=config.city, office=config.office),
                      date=at, latin_font=config.report.latin_font)
