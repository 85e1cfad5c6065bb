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
    parts: dict[str, tuple[float, float]] | None = None  # a ratio's (numerator, denominator) per unit


def ratio(ind: Indicator, num: float | None, den: float | None) -> float | None:
    return num / den * ind.scale if num is not None and den else None


def ranked_codes(config: CityConfig) -> set[str]:
    """Indicators whose per-unit figures the draft needs even at province scale: every ratio (charts,
    imbalance), whatever config/report.yaml's problem rules name and the highlights' claims read."""
    rules = config.report.problems
    named = set(rules.imbalance_indicators) | set(rules.weak_capacity)
    named |= {c.indicator for c in config.report.highlights.claims}
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
    if ind.derived:  # one pass: a province ranks thousands of units by every ratio
        top, bottom = ind.numerator, ind.denominator
        num = den = 0.0
        covered, own, parts = 0, {}, {}
        for u, v in per_unit.items():
            if top in v and bottom in v:
                covered += 1
                num += v[top]
                den += v[bottom]
                parts[u] = (v[top], v[bottom])
                if (x := ratio(ind, v[top], v[bottom])) is not None:
                    own[u] = x
        return Tally(ratio(ind, num, den), covered, 0, own, parts=parts)
    code, na = ind.code, na or {}
    by_unit: dict[str, float | None] = {}
    for u, v in per_unit.items():  # in the units' order: ties rank stably
        if code in v:
            by_unit[u] = v[code]
        elif code in na.get(u, ()):
            by_unit[u] = None
    for u, flagged in na.items():
        if u not in per_unit and code in flagged:
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
