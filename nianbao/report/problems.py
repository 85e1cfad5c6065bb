"""Problems found in the data by the rules of report.yaml: missed targets, late or missing reports,
imbalance between units, weak capacity, year-on-year declines (like for like, so a change that
coverage explains is never a problem). Each kind found is one point of the draft (一是…二是…), with at
most `DETAILS` findings; the findings are data — figures, units, targets — and the template words them."""

from __future__ import annotations

from dataclasses import dataclass, field

from nianbao.cityconfig import CityConfig
from nianbao.report.aggregate import CityAggregate, Figure, rank
from nianbao.report.change import pct as change_pct
from nianbao.report.change import reading
from nianbao.report.fmt import number, percent, with_unit

DETAILS = 2  # findings a point leads with; the rest follow after 此外, their units still named


@dataclass(frozen=True)
class Finding:
    name: str = ""  # the indicator's name
    value: str = ""  # its figure, formatted with its unit
    target: str = ""  # the target, formatted ("98%")
    op: str = ""  # >= | <= | =
    units: tuple[str, ...] = ()  # units named (at most names_max)
    more: int = 0  # units beyond those named
    high: tuple[str, str] = ("", "")  # (unit, figure)
    low: tuple[str, str] = ("", "")
    spread: str = ""  # percentage points between them
    before: str = ""  # last year's figure (like for like)
    pct: str = ""  # the fall, in percent
    comparable: int = 0  # units behind a like-for-like change (0: all)
    code: str = ""


@dataclass(frozen=True)
class Problem:
    kind: str
    weight: float
    findings: tuple[Finding, ...]
    extra: tuple[tuple[str, ...], int] = ((), 0)  # further findings' indicators: named, and how many more
    late: tuple[tuple[str, ...], int] = ((), 0)  # late units named, and how many more
    missing: tuple[tuple[str, ...], int] = ((), 0)
    figures: tuple[str, ...] = field(default=())  # indicator codes the point rests on
    more: tuple[Finding, ...] = ()  # findings beyond the first `DETAILS`: said briefly, units still named


def _named(names: list[str], limit: int) -> tuple[tuple[str, ...], int]:
    return tuple(names[:limit]), max(0, len(names) - limit)


def _target(f: Figure) -> str:
    return with_unit(f.target.value, f.unit)


def missed_targets(agg: CityAggregate, limit: int) -> list[Finding]:
    out = []
    for f in agg.figures.values():
        if f.met is False:
            below = [n for n, v in (rank(agg, f.code, descending=False) if f.by_unit is not None else [])
                     if not f.target.met(v)]
            units, more = _named(below, limit)
            out.append(Finding(f.name, with_unit(f.value, f.unit), _target(f), f.target.op, units, more, code=f.code))
    return out


def imbalance(agg: CityAggregate, codes: tuple[str, ...], spread_pp: float) -> list[tuple[float, Finding]]:
    out = []
    for code in codes:
        ranked = rank(agg, code)
        if len(ranked) < 2:
            continue
        (hi_name, hi), (lo_name, lo) = ranked[0], ranked[-1]
        if hi - lo > spread_pp:
            f = agg.figures[code]
            out.append((hi - lo, Finding(f.name, high=(hi_name, with_unit(hi, f.unit)), low=(lo_name, with_unit(lo, f.unit)),
                                         spread=number(hi - lo, f.unit), code=code)))
    return out


def weak_capacity(agg: CityAggregate, codes: tuple[str, ...], limit: int) -> list[tuple[float, Finding]]:
    out = []
    for code in codes:
        f = agg.figures[code]
        if f.target is None:
            continue
        below = [name for name, v in rank(agg, code, descending=False) if not f.target.met(v)]
        if below:
            units, more = _named(below, limit)
            out.append((len(below), Finding(f.name, target=_target(f), op=f.target.op, units=units, more=more,
                                            code=code)))
    return out


def yoy_declines(config: CityConfig, agg: CityAggregate, threshold_pct: float) -> list[tuple[float, Finding]]:
    out = []
    for ind in config.indicators:
        f = agg.figures[ind.code]
        if (ind.yoy and not f.is_rate and reading(config.report.materiality, f) == "down"
                and (fall := change_pct(f)) is not None and fall < -threshold_pct):
            now, before = f.compared
            out.append((-fall, Finding(
                f.name, with_unit(now, f.unit), before=with_unit(before, f.unit),
                pct=percent(fall), comparable=0 if f.full_coverage else f.comparable_units, code=f.code)))
    return out


ALL_KINDS = ("missed_target", "imbalance", "weak_capacity", "yoy_decline", "late_missing")


def find_problems(config: CityConfig, agg: CityAggregate, kinds: tuple[str, ...] = ALL_KINDS) -> list[Problem]:
    """The problems of ``kinds`` the figures show (a unit's own draft looks only at its own shortfalls)."""
    rules = config.report.problems
    limit = rules.names_max
    found: dict[str, list[Finding]] = {}
    finders = {"missed_target": lambda: [(0.0, f) for f in missed_targets(agg, limit)],
               "imbalance": lambda: imbalance(agg, rules.imbalance_indicators, rules.imbalance_spread_pp),
               "weak_capacity": lambda: weak_capacity(agg, rules.weak_capacity, limit),
               "yoy_decline": lambda: yoy_declines(config, agg, rules.yoy_decline_pct)}
    for kind, finder in finders.items():
        if kind in kinds and (items := finder()):
            found[kind] = [f for _, f in sorted(items, key=lambda p: p[0], reverse=True)]
    late_kind = "late_missing" in kinds
    late = [u.unit.name for u in agg.units if u.status == "late"] if late_kind else []
    missing = [u.unit.name for u in agg.units if u.status in ("missing", "rejected", "held")] if late_kind else []
    problems = []
    for kind, findings in found.items():
        problems.append(Problem(kind, getattr(rules.weights, kind) * 100 + len(findings), tuple(findings[:DETAILS]),
                                extra=_named(list(dict.fromkeys(f.name for f in findings[DETAILS:])), limit),
                                figures=tuple(f.code for f in findings[:DETAILS]),
                                more=tuple(findings[DETAILS:])))
    if late or missing:
        problems.append(Problem("late_missing", rules.weights.late_missing * 100 + len(late) + len(missing), (),
                                late=_named(late, limit), missing=_named(missing, limit)))
    problems.sort(key=lambda p: p.weight, reverse=True)
    return problems[:rules.max]
