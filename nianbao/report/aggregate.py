"""City figures from the tallies of this year and last (`report.tally`): year-on-year change, targets,
coverage, and the units' statuses for the draft."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from nianbao.cityconfig import CityConfig, Target
from nianbao.report.fmt import with_unit
from nianbao.report.model import UnitReport
from nianbao.report.comparable import Comparable, comparable
from nianbao.report.tally import Tally, tally_reports


@dataclass
class Figure:
    code: str
    name: str
    unit: str
    value: float | None
    last_year: float | None  # last year's figure over whoever reported then (the appendix shows it)
    change_pct: float | None  # year on year, like for like (the units that reported both years)
    covered: int  # units whose figure went into the value
    expected: int  # units expected to report it
    na_units: int  # units without the power (不涉及)
    target: Target | None
    met: bool | None
    by_unit: dict[str, float | None] | None  # unit code → own value (None = 不涉及); None = not loaded
    sources: list[int] | None  # submission ids; None = not loaded
    change_pp: float | None = None  # a rate's change in percentage points, like for like
    comparable_units: int = 0  # units behind the change
    compared: tuple[float | None, float | None] = (None, None)  # (this year, last year) over those units
    full_coverage: bool = True  # the change is over the same units as this year's and last year's figures

    @property
    def is_rate(self) -> bool:
        return self.unit == "%"


@dataclass
class CityAggregate:
    year: int
    city: str
    figures: dict[str, Figure]
    units: list[UnitReport]
    expected: int
    reported: int
    on_time: int
    reported_last: int = 0  # units behind last year's figures
    comparable_units: int = 0  # units behind most year-on-year changes (those that reported both years)
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
             before: dict[str, Tally], sums: dict[str, Comparable] | None = None) -> CityAggregate:
    """Figures from this year's and last year's tallies: like-for-like change, targets, coverage.
    ``sums``: a province's like-for-like sums from the database (a city's come from its units)."""
    kinds = Counter(r.unit.kind for r in units)
    figures = {}
    for ind in config.indicators:
        t, last = now[ind.code], before[ind.code]
        value = round(t.value, 9) if t.value is not None else None  # the same figure whichever way it was summed
        comp = comparable(ind, t, last, sums)
        figures[ind.code] = Figure(
            ind.code, ind.name, ind.unit, value, last.value, comp.change_pct() if comp else None, t.covered,
            sum(kinds[k] for k in ind.applies_to), t.na_units, ind.target,
            ind.target.met(value) if ind.target and value is not None else None, t.by_unit, t.sources,
            change_pp=comp.change_pp() if comp and ind.unit == "%" else None,
            comparable_units=comp.units if comp else 0, compared=(comp.now, comp.before) if comp else (None, None),
            full_coverage=bool(comp) and comp.units == t.covered == last.covered)
    bases = Counter(f.comparable_units for f in figures.values() if f.comparable_units)
    return CityAggregate(year, config.city, figures, units, expected=len(units),
                         reported=sum(r.status in ("on_time", "late") for r in units),
                         on_time=sum(r.status == "on_time" for r in units),
                         reported_last=max((t.covered for t in before.values()), default=0),
                         comparable_units=bases.most_common(1)[0][0] if bases else 0)


def rank(agg: CityAggregate, code: str, *, descending: bool = True) -> list[tuple[str, float]]:
    """(unit name, value) by the unit's own figure; units answering 不涉及 are left out."""
    by_unit = agg.figures[code].by_unit
    if by_unit is None:
        raise ValueError(f"per-unit figures of {code} were not loaded (see report.tally.ranked_codes)")
    names = agg.unit_names()
    pairs = [(names[u], v) for u, v in by_unit.items() if v is not None]
    return sorted(pairs, key=lambda p: p[1], reverse=descending)
