"""Problems found in the data by the rules in config/report.yaml: missed targets, late or missing
reports, imbalance between units, weak capacity, year-on-year declines. Each is one sentence with its
figures; the draft numbers them 一是…二是… by weight."""

from __future__ import annotations

from dataclasses import dataclass

from nianbao.cityconfig import CityConfig
from nianbao.report.aggregate import CityAggregate, rank
from nianbao.report.fmt import number, with_unit

OPS = {">=": "不低于", "<=": "不高于", "=": "达到"}


def goal(f) -> str:
    return f"{OPS[f.target.op]}{f.target.value:g}{f.unit}"


LEAD = {"weak_capacity": "基层法治力量仍显薄弱,", "imbalance": "发展水平不够均衡,"}


@dataclass(frozen=True)
class Problem:
    kind: str
    weight: float
    text: str
    figures: tuple[str, ...]


def _names(names: list[str], limit: int = 4) -> str:
    shown = "、".join(names[:limit])
    return shown + (f"等{len(names)}家单位" if len(names) > limit else "")


def missed_targets(agg: CityAggregate) -> list[Problem]:
    out = []
    for f in agg.figures.values():
        if f.met is False:
            out.append(Problem("missed_target", 0, f"{f.name}为{agg.fmt(f.code)},未达到{goal(f)}的目标要求", (f.code,)))
    return out


def late_missing(agg: CityAggregate) -> list[Problem]:
    late = [u.unit.name for u in agg.units if u.status == "late"]
    missing = [u.unit.name for u in agg.units if u.status in ("missing", "rejected", "held")]
    parts = []
    if late:
        parts.append(f"{_names(late)}未按期报送统计数据")
    if missing:
        parts.append(f"{_names(missing)}至今未有效报送")
    if not parts:
        return []
    text = f"报送工作还不够及时规范,应报{agg.expected}家单位中," + ",".join(parts)
    return [Problem("late_missing", 0, text, ())]


def imbalance(agg: CityAggregate, codes: list[str], spread_pp: float) -> list[Problem]:
    out = []
    for code in codes:
        ranked = rank(agg, code)
        if len(ranked) < 2:
            continue
        (hi_name, hi), (lo_name, lo) = ranked[0], ranked[-1]
        if hi - lo > spread_pp:
            unit = agg.figures[code].unit
            out.append(Problem("imbalance", hi - lo, (
                f"{agg.figures[code].name}最高的{hi_name}为{with_unit(hi, unit)},"
                f"最低的{lo_name}仅为{with_unit(lo, unit)},相差{number(hi - lo, unit)}个百分点"), (code,)))
    return out


def weak_capacity(agg: CityAggregate, codes: list[str]) -> list[Problem]:
    out = []
    for code in codes:
        f = agg.figures[code]
        if f.target is None:
            continue
        below = [name for name, v in rank(agg, code, descending=False) if not f.target.met(v)]
        if below:
            out.append(Problem("weak_capacity", len(below), (
                f"{_names(below)}的{f.name}未达到{goal(f)}的要求"), (code,)))
    return out


def yoy_declines(config: CityConfig, agg: CityAggregate, threshold_pct: float = 5) -> list[Problem]:
    out = []
    for ind in config.indicators:
        f = agg.figures[ind.code]
        if ind.yoy and f.change_pct is not None and f.change_pct < -threshold_pct:
            out.append(Problem("yoy_decline", -f.change_pct, (
                f"{f.name}由上年的{with_unit(f.last_year, f.unit)}降至{agg.fmt(f.code)},"
                f"同比下降{abs(f.change_pct):.1f}%"), (f.code,)))
    return out


def find_problems(config: CityConfig, agg: CityAggregate) -> list[Problem]:
    rules = config.report.problems
    found = (missed_targets(agg) + late_missing(agg)
             + imbalance(agg, list(rules.imbalance_indicators), rules.imbalance_spread_pp)
             + weak_capacity(agg, list(rules.weak_capacity)) + yoy_declines(config, agg, rules.yoy_decline_pct))
    # One sentence per kind reads like the 舟山 report; within a kind the weightiest findings lead.
    by_kind: dict[str, list[Problem]] = {}
    for p in found:
        by_kind.setdefault(p.kind, []).append(p)
    merged = []
    for kind, items in by_kind.items():
        items.sort(key=lambda p: p.weight, reverse=True)
        text = LEAD.get(kind, "") + ";".join(p.text for p in items[:3])
        figs = tuple(c for p in items[:3] for c in p.figures)
        merged.append(Problem(kind, getattr(rules.weights, kind) * 100 + len(items), text, figs))
    merged.sort(key=lambda p: p.weight, reverse=True)
    return merged[:rules.max]
