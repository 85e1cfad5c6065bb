"""Targets at city level and at unit level, as the leaders' mail states them: what the city's figure
misses, and which units fall short on which indicators and where the draft says so — so the mail can
never say "all targets met" while the draft names units below their targets."""

from __future__ import annotations

from dataclasses import dataclass

from nianbao.report.aggregate import CityAggregate, rank
from nianbao.report.fmt import with_unit
from nianbao.report.problems import Problem


@dataclass(frozen=True)
class UnitShortfall:
    code: str
    name: str  # the indicator's name
    target: str  # "5%"
    op: str  # >= | <= | =
    units: tuple[str, ...]  # units below it (at most ``limit`` named)
    more: int  # units beyond those named
    point: int  # the draft's problem point (1-based) that names them; 0: the draft does not


def _point(problems: list[Problem], code: str, name: str) -> int:
    for n, p in enumerate(problems, 1):
        if p.kind in ("missed_target", "weak_capacity") and (
                any(f.code == code and f.units for f in p.findings) or name in p.extra[0]):
            return n
    return 0


def unit_shortfalls(agg: CityAggregate, problems: list[Problem], limit: int) -> list[UnitShortfall]:
    """Every indicator with a target that some unit's own figure misses, with those units."""
    out = []
    for code, f in agg.figures.items():
        if f.target is None or f.by_unit is None:
            continue
        below = [name for name, v in rank(agg, code, descending=False) if not f.target.met(v)]
        if below:
            out.append(UnitShortfall(code, f.name, with_unit(f.target.value, f.unit), f.target.op,
                                     tuple(below[:limit]), max(0, len(below) - limit), _point(problems, code, f.name)))
    return out


def units_short(agg: CityAggregate) -> int:
    """How many units miss at least one target with their own figure."""
    names = set()
    for code, f in agg.figures.items():
        if f.target is not None and f.by_unit is not None:
            names |= {name for name, v in rank(agg, code) if not f.target.met(v)}
    return len(names)


def targets_count(agg: CityAggregate) -> int:
    """Indicators with a target and a city figure."""
    return sum(1 for f in agg.figures.values() if f.target is not None and f.value is not None)
