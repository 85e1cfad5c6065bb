"""One indicator's figure over a set of units, before targets and year-on-year: what SUM/COUNT/MAX/MIN
would give in SQL. Counts are summed, ratios recomputed from summed numerators and denominators (never
an average of ratios), 不涉及 kept apart from 0.

Two ways to the same tallies: `tally_reports` from every unit's values in memory (a city: every
per-unit figure is kept for the appendix), and `nianbao.db.tallies` in the database (a province: only
the per-unit figures the draft ranks units by are loaded). Tests hold the two equal."""

from __future__ import annotations

from dataclasses import dataclass

from nianbao.cityconfig import CityConfig, Indicator
from nianbao.report.model import UnitReport

COMBINE = {"sum": sum, "max": max, "min": min}


@dataclass
class Tally:
    value: float | None  # None: no unit has a figure (or the summed denominator is 0)
    covered: int  # units whose figure went into the value
    na_units: int  # units without the power (不涉及)
    by_unit: dict[str, float | None] | None  # unit code → own figure (None = 不涉及); None = not loaded
    sources: list[int] | None = None  # submission ids behind the value; None = not loaded


def ratio(ind: Indicator, num: float | None, den: float | None) -> float | None:
    return num / den * ind.scale if num is not None and den else None


def ranked_codes(config: CityConfig) -> set[str]:
    """Indicators whose per-unit figures the draft needs even at province scale: every ratio (charts,
    imbalance) and whatever config/report.yaml's problem rules name."""
    rules = config.report.raw.get("problems") or {}
    named = set(rules.get("imbalance_indicators") or []) | set(rules.get("weak_capacity") or [])
    return {i.code for i in config.indicators if i.derived} | named


def parts_of(config: CityConfig, codes: set[str]) -> set[str]:
    """The typed-in indicators the given ones are computed from."""
    out = set()
    for ind in config.indicators:
        if ind.code in codes:
            out |= {ind.numerator, ind.denominator} if ind.derived else {ind.code}
    return out


def from_unit_values(ind: Indicator, per_unit: dict[str, dict[str, float]],
                     na: dict[str, set[str]] | None = None) -> Tally:
    """A tally from each unit's typed-in numbers (and its 不涉及 codes, for typed-in indicators)."""
    if ind.derived:
        both = {u: v for u, v in per_unit.items() if ind.numerator in v and ind.denominator in v}
        num = sum(v[ind.numerator] for v in both.values())
        den = sum(v[ind.denominator] for v in both.values())
        own = {u: ratio(ind, v[ind.numerator], v[ind.denominator]) for u, v in both.items()}
        return Tally(ratio(ind, num, den), len(both), 0, {u: x for u, x in own.items() if x is not None})
    na = na or {}
    by_unit: dict[str, float | None] = {}
    for u in [*per_unit, *(u for u in na if u not in per_unit)]:  # in the units' order: ties rank stably
        if ind.code in per_unit.get(u, ()):
            by_unit[u] = per_unit[u][ind.code]
        elif ind.code in na.get(u, ()):
            by_unit[u] = None
    have = [x for x in by_unit.values() if x is not None]
    value = COMBINE[ind.aggregate](have) if have else None
    return Tally(value, len(have), len(by_unit) - len(have), by_unit)


def tally_reports(config: CityConfig, reports: list[UnitReport]) -> dict[str, Tally]:
    """Every indicator's tally over the units that have an accepted workbook."""
    reporting = [r for r in reports if r.submission_id is not None]
    values = {r.unit.code: r.values for r in reporting}
    na = {r.unit.code: set(r.na) for r in reporting}
    sid = {r.unit.code: r.submission_id for r in reporting}
    out = {}
    for ind in config.indicators:
        t = from_unit_values(ind, values, na)
        used = [u for u, v in values.items() if (ind.numerator in v and ind.denominator in v if ind.derived
                                                 else ind.code in v)]
        t.sources = sorted(sid[u] for u in used)
        out[ind.code] = t
    return out
