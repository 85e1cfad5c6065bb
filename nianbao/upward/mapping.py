"""config/upward.yaml: how a province's workbook is read (its header words) and which of its rows are
which of our figures when neither code nor name says so (``rows``: their label → our code or an
expression over our codes). Validated like every config file: strict, no unknown keys, every problem
at once as `upward.yaml: 键路径: 原因`. The file is optional; without it the defaults apply."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, Field, ValidationError, field_validator

from nianbao.config.base import Int, Model, Num, Text, raise_problems
from nianbao.config.errors import translate
from nianbao.errors import ConfigError, ConfigProblem
from nianbao.upward.expression import Expression, ExpressionError, parse_expression
from nianbao.upward.normalise import label_key, normalise

FILE = "upward.yaml"


def _headers(values: tuple[str, ...]) -> tuple[str, ...]:
    if any(not normalise(v) for v in values):
        raise ValueError("表头文字不能为空")
    return values


Headers = Annotated[tuple[Text, ...], Field(min_length=1), AfterValidator(_headers)]


class UpwardFile(Model):
    # In order of preference: a sheet with both 本年数值 and 数值 columns is filled in 本年数值.
    value_headers: Headers = ("本年数值", "数值", "本年", "本年度")
    code_headers: Headers = ("指标代码", "代码", "编码")
    name_headers: Headers = ("指标名称", "指标", "项目")
    header_rows: Int = Field(default=20, ge=1, le=200)  # how far down a sheet its header row is looked for
    # Written for a figure every unit answered 不涉及 (a nianbao province accepts it where its indicator
    # allows 不涉及); None: such rows are left blank and reported.
    na_text: Text | None = Field(default=None, min_length=1)
    rows: dict[Text, Text | Int | Num] = {}  # a bare number is allowed: "是否按时公开: 1"

    @field_validator("rows")
    @classmethod
    def _rows(cls, rows: dict[str, str | int | float]) -> dict[str, str | int | float]:
        # A field validator, not a model one: it runs (and reports) even when another key is wrong.
        problems, seen = [], {}
        for label, expr in rows.items():
            key = label_key(label)
            if not key:
                problems.append((label, "行名称不能为空"))
            elif key in seen:
                problems.append((label, f"与 “{seen[key]}” 是同一行（空格、全半角、括号不计）"))
            seen.setdefault(key, label)
            try:
                parse_expression(str(expr))
            except ExpressionError as exc:
                problems.append((label, str(exc)))
        raise_problems(problems)
        return rows


@dataclass(frozen=True)
class Upward:
    """upward.yaml ready to use: header words and row labels normalised, expressions parsed."""
    value_headers: tuple[str, ...]
    code_headers: tuple[str, ...]
    name_headers: tuple[str, ...]
    header_rows: int
    rows: dict[str, Expression]  # label_key(their label) → expression over our codes
    na_text: str | None = None


def _file(config_dir: Path) -> tuple[UpwardFile | None, list[ConfigProblem]]:
    from nianbao.cityconfig import read_yaml

    path = Path(config_dir) / FILE
    if not path.exists():
        return UpwardFile(), []
    data, problem = read_yaml(path)
    if problem:
        return None, [problem]
    try:
        return UpwardFile.model_validate(data), []
    except ValidationError as exc:
        return None, translate(FILE, exc, UpwardFile)


def _compile(f: UpwardFile, known: frozenset[str]) -> tuple[Upward, list[ConfigProblem]]:
    rows, problems = {}, []
    for label, text in f.rows.items():
        try:
            rows[label_key(label)] = parse_expression(str(text), known)
        except ExpressionError as exc:
            problems.append(ConfigProblem(FILE, f"rows.{label}", str(exc)))
    up = Upward(tuple(normalise(h) for h in f.value_headers), tuple(normalise(h) for h in f.code_headers),
                tuple(normalise(h) for h in f.name_headers), f.header_rows, rows, f.na_text)
    return up, problems


def load_upward(config_dir: Path, known: frozenset[str]) -> Upward:
    """upward.yaml under ``config_dir`` checked against our indicator codes ``known``; ConfigError
    listing every problem."""
    f, problems = _file(config_dir)
    if f is None:
        raise ConfigError(problems)
    up, problems = _compile(f, known)
    if problems:
        raise ConfigError(problems)
    return up


def upward_config_problems(config_dir: Path) -> list[ConfigProblem]:
    """Every problem of upward.yaml (for `check_setup`, which lists ConfigProblems). Codes are checked
    against indicators.yaml when the city's config loads (its own problems are reported apart)."""
    from nianbao.cityconfig import load_city_config

    f, problems = _file(config_dir)
    if f is None:
        return problems
    try:
        known = frozenset(i.code for i in load_city_config(config_dir).indicators)
    except ConfigError:
        return []
    return _compile(f, known)[1]


def upward_problems(config_dir: Path) -> list[str]:
    """For `nianbao check`: every problem of upward.yaml, as `upward.yaml: 键路径: 原因`."""
    return [str(p) for p in upward_config_problems(config_dir)]
