"""templates/plans.yaml: next year's plans. First the unfinished tasks carried forward (each named with
its lead units and the next step they wrote), then one plan per theme of the units' problems and per
kind of problem the figures show (in the order the problems are numbered), then the standing ones.
Each plan is a heading and 2–4 concrete measures from the file (or, in a unit's plans, one text)."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, StrictStr, model_validator

from nianbao.config.report import PROBLEM_KINDS
from nianbao.report.mdtext import plain
from nianbao.report.problems import Problem
from nianbao.report.worktext import quoted

SEPARATOR = "、"  # between names of indicators or units listed in a plan


class Plan(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    heading: StrictStr = Field(min_length=1)
    text: StrictStr = ""
    measures: tuple[StrictStr, ...] = ()  # each a sentence of its own
    section: StrictStr = ""  # the （一） heading of next year's work plan its tasks go under (plan draft)

    @model_validator(mode="after")
    def _said(self) -> Plan:
        if self.measures and not 2 <= len(self.measures) <= 4:
            raise ValueError(f"每项打算写 2 至 4 条具体措施，实为 {len(self.measures)} 条")
        if not self.text and not self.measures:
            raise ValueError("text 和 measures 至少写一项")
        return self

    def filled(self, **names: str) -> Plan:
        return Plan(heading=self.heading, text=self.text.format(**names),
                    measures=tuple(m.format(**names) for m in self.measures), section=self.section)


class CarryForward(Plan):
    """The unfinished tasks carried into next year: {year} {next_year} {n} {tasks} in `text`, each task
    worded by `item` ({task} {leads} {next}: the next step its lead unit wrote, after a comma, or "")."""
    item: StrictStr = Field(min_length=1)


class PlansFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    carry_forward: CarryForward | None = None
    by_theme: dict[StrictStr, Plan] = {}
    by_problem: dict[StrictStr, Plan] = {}
    standing: list[Plan] = []

    def model_post_init(self, _context: object) -> None:
        unknown = set(self.by_problem) - set(PROBLEM_KINDS)
        if unknown:
            raise ValueError(f"by_problem 中不认识的问题类型：{'、'.join(sorted(unknown))}")


def load_plans(path: Path, area: str) -> PlansFile:
    """templates/plans.yaml (or a unit plans file), ``{area}`` named as city.yaml names the area."""
    from nianbao.cityconfig import expand_area

    return PlansFile.model_validate(expand_area(yaml.safe_load(path.read_text(encoding="utf-8")) or {}, area))


def carried(plans: PlansFile, unfinished: list, year: int) -> Plan | None:
    """The carry-forward plan for ``unfinished`` (report.work.TaskState), or None."""
    from nianbao.report.work import split_reason

    cf = plans.carry_forward
    if cf is None or not unfinished:
        return None
    items = []
    for t in unfinished:
        steps = [split_reason(a.reason)[1] for a in t.answers if not a.done]
        step = next((s.rstrip("。；;，, ") for s in steps if s), "")
        items.append(cf.item.format(task=quoted(t.task.title), leads=plain(SEPARATOR.join(t.lead_names) or "有关单位"),
                                    next=f"，{plain(step)}" if step else ""))
    names = {"year": str(year), "next_year": str(year + 1), "n": str(len(items)), "tasks": "；".join(items)}
    return Plan(heading=cf.heading, text=cf.text.format(**names), measures=tuple(m.format(**names) for m in cf.measures),
                section=cf.section)


def choose_plans(plans: PlansFile, problems: list[Problem], next_year: int, count: int,
                 names_max: int = 4, *, carry: Plan | None = None, themes: tuple[str, ...] = ()) -> list[Plan]:
    """The carried tasks, the plans answering the themes and problems found (filled with what they
    named), then standing ones, up to ``count`` (the carried tasks always)."""
    out = [carry] if carry else []
    out += [plans.by_theme[t].filled(next_year=next_year, indicators="", units="") for t in themes
            if t in plans.by_theme]
    for p in problems:
        plan = plans.by_problem.get(p.kind)
        if plan is None:
            continue
        indicators = SEPARATOR.join(dict.fromkeys(f.name for f in p.findings if f.name))
        units = SEPARATOR.join(list(dict.fromkeys([u for f in p.findings for u in f.units] + list(p.late[0])
                                                  + list(p.missing[0])))[:names_max])
        out.append(plan.filled(next_year=next_year, indicators=indicators, units=units))
    headings = {p.heading for p in out}
    for plan in plans.standing:
        if len(out) >= count:
            break
        if plan.heading not in headings:
            out.append(plan.filled(next_year=next_year, indicators="", units=""))
    return out[:max(count, 1 if carry else 0)]
