"""The city configuration (config/*.yaml) as typed, validated objects.

Loading collects every problem (file, key, reason) before failing, so an administrator fixes a
config in one pass instead of one error per run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from nianbao.errors import ConfigError, ConfigProblem

UNIT_KINDS = ("city", "district", "county_city", "county", "zone", "department")
INDICATOR_TYPES = ("count", "amount", "percent", "flag", "ratio")
AGGREGATES = ("sum", "max", "min", "ratio")
TARGET_OPS = (">=", "<=", "=")


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    kind: str
    parent: str | None
    contacts: tuple[str, ...]
    leaders: tuple[str, ...]
    reports: bool = True


@dataclass(frozen=True)
class Target:
    op: str
    value: float

    def met(self, value: float) -> bool:
        # Half a unit of the last printed decimal: 99.996% prints as 100.00% and counts as met.
        eps = 1e-6
        if self.op == ">=":
            return value >= self.value - eps
        if self.op == "<=":
            return value <= self.value + eps
        return abs(value - self.value) <= eps


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    unit: str
    type: str
    section: str
    deadline: str
    bounds: tuple[float | None, float | None]
    aggregate: str
    na_allowed: bool
    applies_to: tuple[str, ...]
    target: Target | None = None
    numerator: str | None = None
    denominator: str | None = None
    scale: float = 1.0
    yoy: bool = False

    @property
    def derived(self) -> bool:
        return self.type == "ratio"


@dataclass(frozen=True)
class Rule:
    code: str
    expr: str
    severity: str
    message: str


@dataclass(frozen=True)
class Deadline:
    code: str
    name: str
    month: int
    day: int


@dataclass(frozen=True)
class YearOverride:
    year: int
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]
    provisional: bool
    source: str


@dataclass(frozen=True)
class CalendarConfig:
    open_month: int
    open_day: int
    deadlines: tuple[Deadline, ...]
    deadline_on_holiday: str
    reminders_before: tuple[int, ...]
    overdue_every: int
    overdue_max: int
    draft_after: int
    send_hour: int
    overrides: dict[int, YearOverride]


@dataclass(frozen=True)
class Section:
    code: str
    heading: str
    sheet: str


@dataclass(frozen=True)
class ReportConfig:
    title: str
    issuer: str
    template: str
    sections: tuple[Section, ...]
    raw: dict[str, Any]


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
    yoy_outlier: dict[str, float]
    calendar: CalendarConfig
    report: ReportConfig
    messages: dict[str, str] = field(default_factory=dict)  # config/messages.yaml: wording with {names}
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

    def units_for_email(self, address: str) -> tuple[Unit, ...]:
        a = address.strip().lower()
        return tuple(u for u in self.units if a in (c.lower() for c in u.contacts))


class _Collector:
    """Accumulates problems while reading one file."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[ConfigProblem] = []

    def add(self, key: str, reason: str) -> None:
        self.problems.append(ConfigProblem(self.file, key, reason))

    def req(self, d: dict, key: str, where: str, typ: type | tuple = str) -> Any:
        if not isinstance(d, dict) or key not in d or d[key] is None:
            self.add(f"{where}.{key}", "missing")
            return None
        if not isinstance(d[key], typ):
            self.add(f"{where}.{key}", f"expected {getattr(typ, '__name__', typ)}, got {d[key]!r}")
            return None
        return d[key]


def _read_yaml(path: Path, problems: list[ConfigProblem]) -> dict:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except FileNotFoundError:
        problems.append(ConfigProblem(path.name, "-", "file not found"))
        return {}
    except yaml.YAMLError as exc:
        problems.append(ConfigProblem(path.name, "-", f"not valid YAML: {exc}"))
        return {}
    if not isinstance(data, dict):
        problems.append(ConfigProblem(path.name, "-", "top level must be a mapping"))
        return {}
    return data


def load_city_config(root: Path | str) -> CityConfig:
    """Read and validate config/ under ``root``; raise ConfigError listing every problem."""
    from nianbao.cityconfig_parse import parse_all

    root = Path(root)
    problems: list[ConfigProblem] = []
    docs = {name: _read_yaml(root / f"{name}.yaml", problems) for name in
            ("city", "units", "indicators", "rules", "calendar", "report", "messages")}
    if problems:
        raise ConfigError(problems)
    config, more = parse_all(docs, _Collector)
    if more:
        raise ConfigError(more)
    assert config is not None
    return CityConfig(**{**config.__dict__, "root": root})
