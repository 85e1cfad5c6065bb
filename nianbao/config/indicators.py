"""config/indicators.yaml: the indicator catalogue (what units report and the city derives)."""

from __future__ import annotations

import string
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, model_validator

from nianbao.config.base import Flag, Int, Model, Num, Text, check_code, raise_problems
from nianbao.config.units import UNIT_KINDS, UnitKind

IndicatorType = Literal["count", "amount", "percent", "flag", "ratio"]
Aggregate = Literal["sum", "max", "min", "ratio"]
PHRASE_NAMES = {"value", "number", "change", "name", "unit"}
REPORTING_KINDS = tuple(k for k in UNIT_KINDS if k != "city")


class Target(Model):
    op: Literal[">=", "<=", "="]
    value: Num

    def met(self, value: float) -> bool:
        # Half a unit of the last printed decimal: 99.996% prints as 100% and counts as met.
        eps = 1e-6
        if self.op == ">=":
            return value >= self.value - eps
        if self.op == "<=":
            return value <= self.value + eps
        return abs(value - self.value) <= eps


def _phrase(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        names = {f for _, f, _, _ in string.Formatter().parse(value) if f is not None}
    except ValueError:
        raise ValueError(f"措辞中的花括号不成对：“{value}”") from None
    unknown = names - PHRASE_NAMES
    if unknown:
        raise ValueError(f"措辞中只能用 {{value}} {{number}} {{change}} {{name}} {{unit}}，不认识 {{{sorted(unknown)[0]}}}")
    return value


class Indicator(Model):
    code: Annotated[Text, AfterValidator(check_code)]
    name: Text = Field(min_length=1)
    unit: Text
    type: IndicatorType = "count"
    section: Text
    deadline: Text = "report"
    bounds: tuple[Num | None, Num | None] = (0, None)
    aggregate: Aggregate = "sum"
    na_allowed: Flag = False
    applies_to: tuple[UnitKind, ...] = REPORTING_KINDS
    target: Target | None = None
    numerator: Text | None = None
    denominator: Text | None = None
    scale: Num = Field(default=1.0, gt=0)
    yoy: Flag = False  # watch a year-on-year decline in the draft's problems
    phrase: Annotated[Text | None, AfterValidator(_phrase)] = None  # how the draft says it: 制定规范性文件{value}
    unit_phrase: Annotated[Text | None, AfterValidator(_phrase)] = None  # in a unit's own draft (default: phrase)
    # in the own draft of a unit of this kind ("" = not said): a department has no 政府常务会议
    kind_phrases: dict[UnitKind, Annotated[Text, AfterValidator(_phrase)]] = {}
    kind_names: dict[UnitKind, Text] = {}  # its name in the own draft of a unit of this kind
    order: Int | None = None  # place in its section's text (default: catalogue order)
    sentence: Text | None = None  # phrases with the same key form one sentence (openers in report.yaml)
    typical: Num | None = Field(default=None, ge=0)  # a district's usual yearly figure (the demo's data)

    @property
    def derived(self) -> bool:
        return self.type == "ratio"

    @model_validator(mode="after")
    def _shape(self) -> Indicator:
        problems = []
        if (self.type == "ratio") != (self.aggregate == "ratio"):
            problems.append(("aggregate", "type: ratio 与 aggregate: ratio 必须同时使用"))
        if self.derived and (self.numerator is None or self.denominator is None):
            problems.append(("numerator", "比率类指标需要 numerator 和 denominator"))
        lo, hi = self.bounds
        if lo is not None and hi is not None and lo > hi:
            problems.append(("bounds", f"下限 {lo:g} 大于上限 {hi:g}"))
        raise_problems(problems)
        return self


class IndicatorsFile(Model):
    aliases: dict[Text, Any] = {}  # YAML anchors for reuse (e.g. a list of unit kinds); not read otherwise
    defaults: dict[Text, Any] = {}  # keys every indicator gets unless it sets them
    indicators: tuple[Indicator, ...] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("defaults"), dict) and isinstance(data.get("indicators"), list):
            data = {**data, "indicators": [{**data["defaults"], **i} if isinstance(i, dict) else i
                                           for i in data["indicators"]]}
        return data

    @model_validator(mode="after")
    def _references(self) -> IndicatorsFile:
        first: dict[str, int] = {}
        problems = []
        for n, ind in enumerate(self.indicators):
            if ind.code in first:
                problems.append((f"indicators[{n}].code", f"指标代码 {ind.code} 与 indicators[{first[ind.code]}] 重复"))
            first.setdefault(ind.code, n)
        inputs = {i.code for i in self.indicators if not i.derived}
        for n, ind in enumerate(self.indicators):
            for key in ("numerator", "denominator"):
                ref = getattr(ind, key)
                if ind.derived and ref is not None and ref not in inputs:
                    problems.append((f"indicators[{n}].{key}", f"应为填报类指标的代码，实为 “{ref}”"))
        raise_problems(problems)
        return self
