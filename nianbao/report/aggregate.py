"""City figures from units' figures: counts summed, ratios recomputed from summed numerators and
denominators (never an average of ratios), 不涉及 kept apart from 0, year-on-year, targets, coverage."""

from __future__ import annotations

from dataclasses import dataclass, field

from nianbao.cityconfig import CityConfig, Indicator, Target
from nianbao.report.fmt import with_unit
from nianbao.report.model import UnitReport


@dataclass
class Figure:
    code: str
    name: str
    unit: str
    value: float | None
    last_year: float | None
    change_pct: float | None
    covered: int  # units whose figure went into the value
    expected: int  # units expected to report it
    na_units: int  # units without the power (不涉及)
    target: Target | None
    met: bool | None
    by_unit: dict[str, float | None] = field(default_factory=dict)  # unit code → own value (None = 不涉及)
    sources: list[int] = field(default_factory=list)  # submission ids


@dataclass
class CityAggregate:
    year: int
    city: str
    figures: dict[str, Figure]
    units: list[UnitReport]
    expected: int
    reported: int
    on_time: int
    _names: dict[str, str] = field(default_factory=dict, repr=False)

    def fmt(self, code: str) -> str:
        f = self.figures[code]
        return with_unit(f.value, f.unit)

    def unit_name(self, code: str) -> str:
        if len(self._names) != len(self.units):
            self._names.update({u.unit.code: u.unit.name for u in self.units})
        return self._names[code]


def _unit_value(ind: Indicator, r: UnitReport) -> float | None | str:
    """A unit's own value: a number, None for 不涉及, or '' when it has no figure."""
    if ind.derived:
        num, den = r.values.get(ind.numerator), r.values.get(ind.denominator)
        return num / den * ind.scale if num is not None and den else ""
    if ind.code in r.na:
        return None
    return r.values.get(ind.code, "")


def _combine(ind: Indicator, reports: list[UnitReport]) -> tuple[float | None, list[UnitReport]]:
    if ind.derived:
        both = [r for r in reports if ind.numerator in r.values and ind.denominator in r.values]
        den = sum(r.values[ind.denominator] for r in both)
        num = sum(r.values[ind.numerator] for r in both)
        return (num / den * ind.scale if den else None), both
    have = [r for r in reports if ind.code in r.values]
    if not have:
        return None, []
    xs = [r.values[ind.code] for r in have]
    value = {"sum": sum(xs), "max": max(xs), "min": min(xs)}[ind.aggregate]
    return value, have


def aggregate(config: CityConfig, year: int, current: list[UnitReport], previous: list[UnitReport]) -> CityAggregate:
    reporting = [r for r in current if r.submission_id is not None]
    figures = {}
    for ind in config.indicators:
        applies = [r for r in current if r.unit.kind in ind.applies_to]
        value, used = _combine(ind, [r for r in reporting if r.unit.kind in ind.applies_to])
        last, _ = _combine(ind, [r for r in previous if r.unit.kind in ind.applies_to])
        change = (value - last) / last * 100 if value is not None and last else None
        na_units = sum(1 for r in reporting if ind.code in r.na)
        by_unit = {}
        for r in reporting:
            own = _unit_value(ind, r)
            if own != "":
                by_unit[r.unit.code] = own
        figures[ind.code] = Figure(
            ind.code, ind.name, ind.unit, value, last, change, len(used), len(applies), na_units, ind.target,
            ind.target.met(value) if ind.target and value is not None else None, by_unit,
            sorted(r.submission_id for r in used if r.submission_id is not None))
    return CityAggregate(year, config.city, figures, current, expected=len(current),
                         reported=sum(r.status in ("on_time", "late") for r in current),
                         on_time=sum(r.status == "on_time" for r in current))


def rank(agg: CityAggregate, code: str, *, descending: bool = True) -> list[tuple[str, float]]:
    """(unit name, value) by the unit's own figure; units answering 不涉及 are left out."""
    pairs = [(agg.unit_name(u), v) for u, v in agg.figures[code].by_unit.items() if v is not None]
    return sorted(pairs, key=lambda p: p[1], reverse=descending)
