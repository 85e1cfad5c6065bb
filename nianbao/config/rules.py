"""config/rules.yaml: cross-field checks run on every workbook, and the year-on-year outlier rule."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from nianbao.config.base import Model, Num, Text


class Rule(Model):
    code: Text
    expr: Text
    severity: Literal["error", "warning"]
    message: Text = Field(min_length=1)

    @field_validator("expr")
    @classmethod
    def _parses(cls, value: str) -> str:
        from nianbao.workbook.rules import RuleSyntaxError, names_in

        try:
            names_in(value)
        except RuleSyntaxError as exc:
            raise ValueError(f"无法解析的表达式：{exc}") from None
        return value


class YoyOutlier(Model):
    ratio: Num = Field(default=3, gt=1)  # more than ratio × last year (or less than 1/ratio) is a warning
    min_base: Num = Field(default=10, ge=0)  # ... unless both years are below this


class RulesFile(Model):
    rules: tuple[Rule, ...] = ()
    yoy_outlier: YoyOutlier = YoyOutlier()
