"""City figures from the tallies of this year and last (`report.tally`): year-on-year change, targets,
coverage, and the units' statuses for the draft."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from nianbao.cityconfig import CityConfig, Target
from nianbao.report.fmt import with_unit
from nianbao.report.model import UnitReport
from nianbao.report.tally import Tally, tally_reports


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
    by_unit: dict[str, float | None] | None  # unit code → own value (None = 不涉及); None = not loaded
    sources: list[int] | None  # submission ids; None = not loaded


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
        return self.unit_names()[code]

    def unit_names(self) -> dict[str, str]:
        """Unit code → name, built once (the draft names thousands of units of a province)."""
        if len(self._names) != len(self.units):
            self._names.update({u.unit.code: u.unit.name for u in self.units})
        return self._names


def aggregate(config: CityConfig, year: int, current: list[UnitReport], previous: list[UnitReport]) -> CityAggregate:
    """From every unit's figures in memory (a city: every per-unit figure is kept)."""
    return assemble(config, year, current, tally_reports(config, current), tally_reports(config, previous))


def assemble(config: CityConfig, year: int, units: list[UnitReport], now: dict[str, Tally],
             before: dict[str, Tally]) -> CityAggregate:
    """Figures from this year's and last year's tallies: year-on-year change, targets, coverage."""
    kinds = Counter(r.unit.kind for r in units)
    figures = {}
    for ind in config.indicators:
        t, last = now[ind.code], before[ind.code].value
        value = t.value
        change = (value - last) / last * 100 if value is not None and last else None
        figures[ind.code] = Figure(
            ind.code, ind.name, ind.unit, value, last, change, t.covered, sum(kinds[k] for k in ind.applies_to),
            t.na_units, ind.target, ind.target.met(value) if ind.target and value is not None else None,
            t.by_unit, t.sources)
    return CityAggregate(year, config.city, figures, units, expected=len(units),
                         reported=sum(r.status in ("on_time", "late") for r in units),
                         on_time=sum(r.status == "on_time" for r in units))


def rank(agg: CityAggregate, code: str, *, descending: bool = True) -> list[tuple[str, float]]:
    """(unit name, value) by the unit's own figure; units answering 不涉及 are left out."""
    by_unit = agg.figures[code].by_unit
    if by_unit is None:
        raise ValueError(f"per-unit figures of {code} were not loaded (see report.tally.ranked_codes)")
    names = agg.unit_names()
    pairs = [(names[u], v) for u, v in by_unit.items() if v is not None]
    return sorted(pairs, key=lambda p: p[1], reverse=descending)
