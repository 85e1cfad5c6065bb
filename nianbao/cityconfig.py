"""The city configuration (config/*.yaml) as one typed object, validated as a whole.

Each file has its pydantic model in `nianbao.config` (strict types, no unknown keys); this module reads
the files, validates each, then checks what one file says about another (an indicator's section exists
in report.yaml, its deadline in calendar.yaml, a rule names existing indicators…). Every problem of
every file is collected and raised at once as a ConfigError (`文件: 键路径: 原因`, in Chinese); loading
never raises anything else."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from nianbao.config.calendar import CalendarFile, Deadline, YearOverride
from nianbao.config.city import CityFile
from nianbao.config.errors import translate
from nianbao.config.groups import Group, GroupsFile, group_problems
from nianbao.config.indicators import Indicator, IndicatorsFile, Target
from nianbao.config.mail import MailFile
from nianbao.config.messages import check_messages
from nianbao.config.report import ReportFile, Section
from nianbao.config.rules import Rule, RulesFile, YoyOutlier
from nianbao.config.units import UNIT_KINDS, Unit, UnitsFile
from nianbao.errors import ConfigError, ConfigProblem

__all__ = ["UNIT_KINDS", "CalendarFile", "CityConfig", "Deadline", "Group", "Indicator", "ReportFile", "Rule",
           "Section", "Target", "Unit", "YearOverride", "load_city_config"]

FILES: dict[str, type[BaseModel]] = {"city": CityFile, "units": UnitsFile, "indicators": IndicatorsFile,
                                     "rules": RulesFile, "calendar": CalendarFile, "report": ReportFile}


@dataclass(frozen=True)
class CityConfig:
    city: str
    bureau: str
    office: str
    timezone: str
    admin_emails: tuple[str, ...]
    intake_address: str
    sender_name: str
    units: tuple[Unit, ...]
    indicators: tuple[Indicator, ...]
    rules: tuple[Rule, ...]
    yoy_outlier: YoyOutlier
    calendar: CalendarFile
    report: ReportFile
    messages: dict[str, str] = field(default_factory=dict)  # config/messages.yaml: wording with {names}
    groups: tuple[Group, ...] = ()  # config/groups.yaml (optional): names a work plan gives several units
    area: str = "全市"  # how the texts name the whole area ({area} in config/ and templates/): 全区, 全县 …
    root: Path = field(compare=False, default=Path("."))

    def text(self, key: str, **names: object) -> str:
        """A message of config/messages.yaml with its {names} filled in."""
        return self.messages[key].format(**names)

    # Lookups are indexed once per config: a province asks them for every one of thousands of workbooks.
    @cached_property
    def reporting_units(self) -> tuple[Unit, ...]:
        return tuple(u for u in self.units if u.reports)

    @cached_property
    def _units_by_code(self) -> dict[str, Unit]:
        return {u.code: u for u in self.units}

    @cached_property
    def _indicators_by_code(self) -> dict[str, Indicator]:
        return {i.code: i for i in self.indicators}

    @cached_property
    def _inputs_by_kind(self) -> dict[str | None, tuple[Indicator, ...]]:
        kinds = {u.kind for u in self.units}
        out = {k: tuple(i for i in self.indicators if not i.derived and k in i.applies_to) for k in kinds}
        out[None] = tuple(i for i in self.indicators if not i.derived)
        return out

    @cached_property
    def input_codes(self) -> frozenset[str]:
        return frozenset(i.code for i in self.indicators if not i.derived)

    def unit(self, code: str) -> Unit:
        return self._units_by_code[code]

    def unit_or_none(self, code: str) -> Unit | None:
        return self._units_by_code.get(code)

    def indicator(self, code: str) -> Indicator:
        return self._indicators_by_code[code]

    def input_indicators(self, unit: Unit | None = None) -> tuple[Indicator, ...]:
        """Indicators a unit types in (derived ratios excluded), in catalogue order."""
        kind = unit.kind if unit is not None else None
        found = self._inputs_by_kind.get(kind)
        if found is None:  # a unit object not from this config
            found = tuple(i for i in self.indicators if not i.derived and kind in i.applies_to)
        return found

    def section_indicators(self, section: str) -> tuple[Indicator, ...]:
        """A section's indicators in the order its text names them (``order``, then catalogue order)."""
        found = [(i.order if i.order is not None else n, n, i) for n, i in enumerate(self.indicators)
                 if i.section == section]
        return tuple(i for _, _, i in sorted(found, key=lambda t: (t[0], t[1])))


DEFAULT_AREA = "全市"


def expand_area(data: Any, area: str) -> Any:
    """``{area}`` in every text of a config file, as city.yaml names the whole area (全市, 全区, 全县):
    a district or county running the cycle says 全区/全县 wherever the shipped texts say 全市."""
    if isinstance(data, str):
        return data.replace("{area}", area)
    if isinstance(data, dict):
        return {k: expand_area(v, area) for k, v in data.items()}
    if isinstance(data, list):
        return [expand_area(v, area) for v in data]
    return data


def area_of(root: Path) -> str:
    """city.yaml's `area` (全市 where it gives none, or none that is text: city.yaml's own check says so)."""
    data, _ = read_yaml(Path(root) / "city.yaml")
    area = data.get("area") if isinstance(data, dict) else None
    return area if isinstance(area, str) and area else DEFAULT_AREA


def read_yaml(path: Path) -> tuple[Any, ConfigProblem | None]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except FileNotFoundError:
        return None, ConfigProblem(path.name, "-", "文件不存在")
    except UnicodeDecodeError:
        return None, ConfigProblem(path.name, "-", "不是 UTF-8 编码的文本，请用 UTF-8 保存")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark else "-"
        return None, ConfigProblem(path.name, where, f"不是有效的 YAML：{getattr(exc, 'problem', exc)}")
    if not isinstance(data, dict):
        return None, ConfigProblem(path.name, "-", "顶层应为键值映射")
    return data, None


def load_mail(path: Path) -> MailFile:
    """config/mail.yaml (the embedded default when the file is absent); ConfigError on any problem."""
    problems = mail_problems(path)
    if problems:
        raise ConfigError(problems)
    data, _ = read_yaml(path) if path.exists() else ({}, None)
    return MailFile.model_validate(data or {})


def mail_problems(path: Path) -> list[ConfigProblem]:
    if not path.exists():
        return []
    data, problem = read_yaml(path)
    if problem:
        return [problem]
    try:
        MailFile.model_validate(data)
    except ValidationError as exc:
        return translate("mail.yaml", exc, MailFile)
    return []


def _groups(root: Path, units: BaseModel | None) -> tuple[GroupsFile, list[ConfigProblem]]:
    """config/groups.yaml (optional: absent, there are no groups), checked against units.yaml."""
    if not (root / "groups.yaml").exists():
        return GroupsFile(), []
    data, problem = read_yaml(root / "groups.yaml")
    if problem:
        return GroupsFile(), [problem]
    try:
        groups = GroupsFile.model_validate(data)
    except ValidationError as exc:
        return GroupsFile(), translate("groups.yaml", exc, GroupsFile)
    return groups, (group_problems(groups, units) if isinstance(units, UnitsFile) else [])


def _cross_references(m: dict[str, BaseModel], root: Path) -> list[ConfigProblem]:
    """What one file says about another. Only files that validated on their own are compared."""
    from nianbao.workbook.rules import names_in

    out: list[ConfigProblem] = []
    inds = m.get("indicators")
    report, calendar, rules, units = m.get("report"), m.get("calendar"), m.get("rules"), m.get("units")
    codes = {i.code for i in inds.indicators} if inds else set()
    inputs = {i.code for i in inds.indicators if not i.derived} if inds else set()
    if inds and report:
        sections = {s.code for s in report.sections}
        out += [ConfigProblem("indicators.yaml", f"indicators[{n}].section",
                              f"报告中没有板块 {i.section}（板块见 report.yaml 的 sections）")
                for n, i in enumerate(inds.indicators) if i.section not in sections]
        p = report.problems
        for key in ("imbalance_indicators", "weak_capacity"):
            out += [ConfigProblem("report.yaml", f"problems.{key}[{n}]", f"没有指标 {code}")
                    for n, code in enumerate(getattr(p, key)) if code not in codes]
        out += [ConfigProblem("report.yaml", f"leaders_figures[{n}]", f"没有指标 {code}")
                for n, code in enumerate(report.leaders_figures) if code not in codes]
        out += [ConfigProblem("report.yaml", f"duty.figures.{code}", f"没有指标 {code}")
                for code in report.duty.figures if code not in codes]
        out += [ConfigProblem("report.yaml", f"highlights.claims[{n}].indicator", f"没有指标 {c.indicator}")
                for n, c in enumerate(report.highlights.claims) if c.indicator not in codes]
        if report.unit_drafts:
            out += [ConfigProblem("report.yaml", f"unit_drafts.compare[{n}]", f"没有指标 {code}")
                    for n, code in enumerate(report.unit_drafts.compare) if code not in codes]
    if report and report.tasks:
        sections = {s.code for s in report.sections}
        out += [ConfigProblem("report.yaml", f"tasks.places[{n}].section", f"报告中没有板块 {p.section}")
                for n, p in enumerate(report.tasks.places) if p.section not in sections]
    if report and (root_docx := report.docx_template) and not (root / root_docx).exists():
        out.append(ConfigProblem("report.yaml", "docx_template", f"找不到 {root_docx}（相对于 config/）"))
    if inds and calendar:
        deadlines = {d.code for d in calendar.deadlines}
        out += [ConfigProblem("indicators.yaml", f"indicators[{n}].deadline",
                              f"日程中没有截止事项 {i.deadline}（见 calendar.yaml 的 deadlines：{'、'.join(sorted(deadlines))}）")
                for n, i in enumerate(inds.indicators) if i.deadline not in deadlines]
    if inds and rules:
        kinds = set(UNIT_KINDS)  # a kind the roster has no unit of yet (a province without counties) is fine
        codes = {u.code for u in units.units} if units else set()
        for n, r in enumerate(rules.rules):
            for key, read in (("when", names_in(r.when) if r.when else set()),
                              ("expr", names_in(r.expr) if r.expr else set()), ("applicable", set(r.applicable))):
                if unknown := sorted(read - inputs):
                    out.append(ConfigProblem("rules.yaml", f"rules[{n}].{key}", f"没有填报类指标 {'、'.join(unknown)}"))
            if units and (odd := sorted(set(r.kinds) - kinds) + sorted(set(r.units) - codes)):
                out.append(ConfigProblem("rules.yaml", f"rules[{n}]", f"没有这些单位类型或单位：{'、'.join(odd)}"))
    return out


def load_city_config(root: Path | str) -> CityConfig:
    """Read and validate config/ under ``root``; raise ConfigError listing every problem."""
    root = Path(root)
    problems: list[ConfigProblem] = []
    models: dict[str, BaseModel] = {}
    area = area_of(root)
    for name, model in FILES.items():
        data, problem = read_yaml(root / f"{name}.yaml")
        if problem:
            problems.append(problem)
            continue
        data = data if name == "city" else expand_area(data, area)
        try:
            models[name] = model.model_validate(data)
        except ValidationError as exc:
            problems += translate(f"{name}.yaml", exc, model)
    data, problem = read_yaml(root / "messages.yaml")
    messages, more = check_messages(expand_area(data, area)) if problem is None else ({}, [problem])
    problems += mail_problems(root / "mail.yaml")
    groups, more_groups = _groups(root, models.get("units"))
    problems += more_groups
    problems += more + _cross_references(models, root)
    if problems:
        raise ConfigError(problems)
    city, units, inds, rules = models["city"], models["units"], models["indicators"], models["rules"]
    return CityConfig(
        city=city.city, bureau=city.bureau, office=city.office, timezone=city.timezone,
        admin_emails=city.admin_emails, intake_address=city.intake_address,
        sender_name=city.sender_name or city.bureau, units=units.units, indicators=inds.indicators,
        rules=rules.rules, yoy_outlier=rules.yoy_outlier, calendar=models["calendar"], report=models["report"],
        messages=messages, groups=groups.groups, area=city.area, root=root)

