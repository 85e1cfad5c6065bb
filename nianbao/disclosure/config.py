"""config/disclosure.yaml: which indicators the enforcement disclosure shows, in which groups and order,
and its fixed words. Validated like every config file (strict, no unknown keys, every problem at once as
`文件: 键路径: 原因`), then against indicators.yaml and calendar.yaml: a code the catalogue does not know,
or one that cannot be summed over units, is named here and not found in January."""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, ValidationError, model_validator

from nianbao.cityconfig import CityConfig, area_of, expand_area, read_yaml
from nianbao.config.base import Model, Text, check_code, raise_problems
from nianbao.config.calendar import CalendarFile
from nianbao.config.errors import translate
from nianbao.config.indicators import Indicator, IndicatorsFile
from nianbao.config.units import UnitKind
from nianbao.errors import ConfigError, ConfigProblem

FILE = "disclosure.yaml"
SUMMABLE = ("count", "amount")  # a rate or a yes/no flag added over units means nothing to the public


def _names(allowed: set[str], must_contain: str | None = None) -> Callable[[str], str]:
    """A check that a format string only uses ``allowed`` {names} (and, for a file name, contains a word)."""
    def check(value: str) -> str:
        try:
            used = {f for _, f, _, _ in string.Formatter().parse(value) if f is not None}
        except ValueError:
            raise ValueError(f"花括号不成对：“{value}”") from None
        if used - allowed:
            names = "、".join("{" + n + "}" for n in sorted(allowed))
            raise ValueError(f"不认识 {{{sorted(used - allowed)[0]}}}，可用：{names}")
        if must_contain and must_contain not in value:
            raise ValueError(f"也是文件名，须含“{must_contain}”二字，实为 “{value}”")
        if "/" in value or "\\" in value:
            raise ValueError(f"也是文件名，不能含 / 或 \\，实为 “{value}”")
        return value
    return check


def _bare_code(value: Any) -> Any:
    return {"code": value} if isinstance(value, str) else value  # `E_XK` is short for {code: E_XK}


class Column(Model):
    code: Annotated[Text, AfterValidator(check_code)]
    label: Text | None = Field(default=None, min_length=1)  # the sub-header; default: the indicator's name


class Group(Model):
    heading: Text = Field(min_length=1)
    columns: tuple[Annotated[Column, BeforeValidator(_bare_code)], ...] = Field(min_length=1)


class Words(Model):
    unit: Text = Field(min_length=1)
    category: Text = Field(min_length=1)
    item: Text = Field(min_length=1)
    measure: Text = Field(min_length=1)
    value: Text = Field(min_length=1)
    na: Text = Field(min_length=1)
    not_reported: Text = Field(min_length=1)
    blank: Text = Field(min_length=1)
    total: Text = Field(min_length=1)
    sheet: Text = Field(default="行政执法数据公开", min_length=1, max_length=31)  # Excel's limit
    column: Annotated[Text, AfterValidator(_names({"group", "column"}))]
    with_measure: Annotated[Text, AfterValidator(_names({"name", "measure"}))]
    coverage: Annotated[Text, AfterValidator(_names({"expected", "reported", "missing"}))]

    @model_validator(mode="after")
    def _sheet(self) -> Words:
        if any(c in self.sheet for c in "[]:*?/\\"):
            raise_problems([("sheet", f"工作表名称不能含 [ ] : * ? / \\，实为 “{self.sheet}”")])
        return self


class DisclosureFile(Model):
    title: Annotated[Text, AfterValidator(_names({"city", "year"}, "公开"))]
    unit_title: Annotated[Text, AfterValidator(_names({"city", "year", "unit"}, "公开"))]
    deadline: Text
    groups: tuple[Group, ...] = Field(min_length=1)
    words: Words
    note: Text = ""
    unit_pages: tuple[UnitKind, ...] = ()

    @model_validator(mode="after")
    def _once(self) -> DisclosureFile:
        first: dict[str, str] = {}
        problems = []
        for g, group in enumerate(self.groups):
            for c, col in enumerate(group.columns):
                where = f"groups[{g}].columns[{c}]"
                if col.code in first:
                    problems.append((f"{where}.code", f"指标 {col.code} 已列在 {first[col.code]}，同一指标只能公开一次"))
                first.setdefault(col.code, where)
        raise_problems(problems)
        return self

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(c.code for g in self.groups for c in g.columns)


def cross_references(spec: DisclosureFile, indicators: Iterable[Indicator] | None,
                     deadlines: Iterable[str] | None) -> list[ConfigProblem]:
    """What disclosure.yaml says about the catalogue and the calendar (each compared only when given)."""
    out: list[ConfigProblem] = []
    if indicators is not None:
        known = {i.code: i for i in indicators}
        for g, group in enumerate(spec.groups):
            for c, col in enumerate(group.columns):
                key, ind = f"groups[{g}].columns[{c}].code", known.get(col.code)
                if ind is None:
                    out.append(ConfigProblem(FILE, key, f"没有指标 {col.code}（指标代码见 indicators.yaml）"))
                elif ind.type not in SUMMABLE:
                    out.append(ConfigProblem(FILE, key, f"指标 {col.code}（{ind.name}）是{ind.unit}类指标，"
                                                        "不能逐单位相加公开；只能公开件数、次数或金额"))
    if deadlines is not None:
        codes = sorted(deadlines)
        if spec.deadline not in codes:
            out.append(ConfigProblem(FILE, "deadline", f"日程中没有截止事项 {spec.deadline}"
                                                       f"（见 calendar.yaml 的 deadlines：{'、'.join(codes)}）"))
    return out


def _read(config_dir: Path) -> tuple[DisclosureFile | None, list[ConfigProblem]]:
    data, problem = read_yaml(Path(config_dir) / FILE)
    if problem:
        return None, [problem]
    try:
        return DisclosureFile.model_validate(data), []
    except ValidationError as exc:
        return None, translate(FILE, exc, DisclosureFile)


def _validated(config_dir: Path, name: str, model: type[Model]) -> Any:
    """Another config file if it validates on its own (its own problems are `nianbao check`'s to report)."""
    data, problem = read_yaml(Path(config_dir) / name)
    if problem:
        return None
    try:
        return model.model_validate(expand_area(data, area_of(Path(config_dir))))
    except ValidationError:
        return None


def disclosure_problems(config_dir: Path | str, templates_dir: Path | str | None = None) -> list[str]:
    """`config_problems` as `文件: 键路径: 原因` lines."""
    return [str(p) for p in config_problems(config_dir, templates_dir)]


def config_problems(config_dir: Path | str, templates_dir: Path | str | None = None) -> list[ConfigProblem]:
    """Every problem of config/disclosure.yaml (and, given ``templates_dir``, of its HTML template), for
    `nianbao check`. Reads indicators.yaml and calendar.yaml on its own, so it answers even when another
    file is broken."""
    from nianbao.disclosure.render_html import template_problems  # it imports this module

    spec, problems = _read(Path(config_dir))
    if spec is not None:
        inds = _validated(Path(config_dir), "indicators.yaml", IndicatorsFile)
        cal = _validated(Path(config_dir), "calendar.yaml", CalendarFile)
        problems = cross_references(spec, inds.indicators if inds else None,
                                    [d.code for d in cal.deadlines] if cal else None)
    if templates_dir is not None:
        problems += template_problems(Path(templates_dir))
    return problems


def load_disclosure(config_dir: Path | str, config: CityConfig) -> DisclosureFile:
    """config/disclosure.yaml checked against the loaded city config; ConfigError listing every problem."""
    spec, problems = _read(Path(config_dir))
    if spec is not None:
        problems = cross_references(spec, config.indicators, [d.code for d in config.calendar.deadlines])
    if problems:
        raise ConfigError(problems)
    return spec
