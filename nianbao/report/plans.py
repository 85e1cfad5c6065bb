"""templates/plans.yaml: next year's plans, one per kind of problem found, then the standing ones."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, StrictStr

from nianbao.config.report import PROBLEM_KINDS


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
