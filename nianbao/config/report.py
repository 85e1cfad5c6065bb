"""config/report.yaml: the annual report's shape and every sentence of it that is not data."""

from __future__ import annotations

import re

from pydantic import Field, model_validator

from nianbao.config.base import Day, Flag, Int, Model, Num, Text, raise_problems

PROBLEM_KINDS = ("missed_target", "late_missing", "imbalance", "weak_capacity", "yoy_decline")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


class Section(Model):
    code: Text
    heading: Text = Field(min_length=1)
    sheet: Text = Field(min_length=1, max_length=31)  # the workbook sheet (Excel: at most 31 characters)
    sentences: dict[Text, str] = {}  # openers of the section's sentences, by the indicators' `sentence` key

    @model_validator(mode="after")
    def _sheet(self) -> Section:
        if _SHEET_FORBIDDEN.search(self.sheet):
            raise ValueError(f"工作表名称不能含有 []:*?/\\ ，实为 “{self.sheet}”")
        return self


class ProblemWeights(Model):
    missed_target: Num = Field(ge=0)
    late_missing: Num = Field(ge=0)
    imbalance: Num = Field(ge=0)
    weak_capacity: Num = Field(ge=0)
    yoy_decline: Num = Field(ge=0)


class ProblemRules(Model):
    max: Int = Field(default=5, ge=1, le=10)
    imbalance_spread_pp: Num = Field(default=20, gt=0)  # a rate whose spread across units exceeds this
    imbalance_indicators: tuple[Text, ...] = ()
    weak_capacity: tuple[Text, ...] = ()  # units below target on these are named
    yoy_decline_pct: Num = Field(default=5, ge=0)  # a watched figure falling more than this (like for like)
    weights: ProblemWeights


class ReportFile(Model):
    title: Text = Field(min_length=1)
    issuer: Text = "{city}人民政府"
    template: Text = "report.md.j2"
    sections: tuple[Section, ...] = Field(min_length=1)
    problems: ProblemRules
    intro_focus: Text = ""
    problems_cause: Text = ""
    leaders_duty: Text = ""
    plans_intro: Text = ""
    other: Text = ""
    plans_file: Text = "plans.yaml"
    leaders_summary_top: Int = Field(default=6, ge=1)
    unit_table_max: Int = Field(default=500, ge=0)

    @model_validator(mode="after")
    def _unique(self) -> ReportFile:
        problems = []
        for key in ("code", "sheet"):
            values = [getattr(s, key) for s in self.sections]
            for n, v in enumerate(values):
                if values.index(v) != n:
                    problems.append((f"sections[{n}].{key}", f"“{v}” 与 sections[{values.index(v)}] 重复"))
        raise_problems(problems)
        return self
