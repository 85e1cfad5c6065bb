"""config/rules.yaml: cross-field checks run on every workbook (and again before the disclosure is
written), and the year-on-year outlier rule.

A rule is one of:
- ``expr``: a comparison that must hold (不涉及 counts as 0; a rule over nothing but 不涉及 is skipped);
- ``when`` + ``expr`` and/or ``applicable``: when the condition holds (an amount or a kind reported), the
  consequence must hold and the ``applicable`` indicators must not be 不涉及;
- ``applicable`` alone, limited by ``kinds``/``units``: plausibility (a department of this kind must have
  this power) — usually a warning the unit confirms with 上报说明."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from nianbao.config.base import Model, Num, Text


def _parses(value: str | None) -> str | None:
    from nianbao.workbook.rules import RuleSyntaxError, names_in

    if value is None:
        return None
    try:
        names_in(value)
    except RuleSyntaxError as exc:
        raise ValueError(f"无法解析的表达式：{exc}") from None
    return value


class Rule(Model):
    code: Text
    expr: Text | None = None
    when: Text | None = None  # the rule applies only when this holds (不涉及 counts as 0)
    applicable: tuple[Text, ...] = ()  # must not be 不涉及 (when ``when`` holds, or always)
    kinds: tuple[Text, ...] = ()  # unit kinds the rule applies to (default: every kind)
    units: tuple[Text, ...] = ()  # unit codes the rule applies to (default: every unit of ``kinds``)
    severity: Literal["error", "warning"]
    message: Text = Field(min_length=1)

    @field_validator("expr", "when")
    @classmethod
    def _parses(cls, value: str | None) -> str | None:
        return _parses(value)

    @model_validator(mode="after")
    def _says_something(self) -> Rule:
        if self.expr is None and not self.applicable:
            raise ValueError("规则须有 expr（比较式）或 applicable（不得填“不涉及”的指标）")
        return self

    @property
    def names(self) -> frozenset[str]:
        """Every indicator the rule reads."""
        from nianbao.workbook.rules import names_in

        out = set(self.applicable)
        for e in (self.expr, self.when):
            if e:
                out |= names_in(e)
        return frozenset(out)

    def covers(self, unit_code: str, kind: str) -> bool:
        """Whether the rule applies to this unit."""
        return (not self.kinds or kind in self.kinds) and (not self.units or unit_code in self.units)


class YoyOutlier(Model):
    ratio: Num = Field(default=3, gt=1)  # more than ratio × last year (or less than 1/ratio) is a warning
    min_base: Num = Field(default=10, ge=0)  # ... unless both years are below this


class RulesFile(Model):
    rules: tuple[Rule, ...] = ()
    yoy_outlier: YoyOutlier = YoyOutlier()
