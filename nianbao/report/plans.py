"""templates/plans.yaml: next year's plans, one per kind of problem found, then the standing ones."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, StrictStr

from nianbao.config.report import PROBLEM_KINDS
from nianbao.report.problems import Problem

SEPARATOR = "、"  # between names of indicators or units listed in a plan


class Plan(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    heading: StrictStr = Field(min_length=1)
    text: StrictStr = Field(min_length=1)


class PlansFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    by_problem: dict[StrictStr, Plan] = {}
    standing: list[Plan] = []

    def model_post_init(self, _context: object) -> None:
        unknown = set(self.by_problem) - set(PROBLEM_KINDS)
        if unknown:
            raise ValueError(f"by_problem 中不认识的问题类型：{'、'.join(sorted(unknown))}")


def load_plans(path: Path) -> PlansFile:
    return PlansFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {})


def choose_plans(plans: PlansFile, problems: list[Problem], next_year: int, count: int,
                 names_max: int = 4) -> list[Plan]:
    """The plans answering the problems found (filled with what they named), then standing ones, up
    to ``count``."""
    out = []
    for p in problems:
        plan = plans.by_problem.get(p.kind)
        if plan is None:
            continue
        indicators = SEPARATOR.join(dict.fromkeys(f.name for f in p.findings if f.name))
        units = SEPARATOR.join(list(dict.fromkeys([u for f in p.findings for u in f.units] + list(p.late[0])
                                                  + list(p.missing[0])))[:names_max])
        out.append(Plan(heading=plan.heading, text=plan.text.format(next_year=next_year, indicators=indicators,
                                                                    units=units)))
    for plan in plans.standing:
        if len(out) >= count:
            break
        out.append(Plan(heading=plan.heading, text=plan.text.format(next_year=next_year, indicators="", units="")))
    return out[:count]
