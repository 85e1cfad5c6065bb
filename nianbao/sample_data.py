"""Plausible figures for any valid configuration: the demo's units, the tests' factories and the
templates' check all use them, so none of them depends on a particular indicator list.

A unit's figure follows its indicator's `typical` (a district's usual year; else a size by type and
measure word), scaled by the unit's kind, with a stable profile per unit and a few percent of noise per
year. Rates are set near their targets (a few units fall short); departments lack some enforcement
powers (不涉及); then the error rules of rules.yaml are solved, so every generated workbook passes them.
Deterministic for a given (unit, year)."""

from __future__ import annotations

import ast
import math
import random

from nianbao.cityconfig import CityConfig, Indicator, Unit
from nianbao.workbook.consistency import broken_rules
from nianbao.workbook.rules import _parse, evaluate, names_in

KIND_SCALE = {"city": 1.5, "district": 1.0, "county_city": 1.1, "county": 0.8, "zone": 0.35, "department": 0.6}
BY_UNIT_WORD = {"件": 60, "次": 6, "人": 30, "项": 40, "万元": 500.0, "学时": 2000, "个": 3, "台": 40, "期": 4,
                "场": 30, "人次": 50}


def _typical(ind: Indicator) -> float:
    if ind.typical is not None:
        return ind.typical
    return BY_UNIT_WORD.get(ind.unit, 10)


def _clip(ind: Indicator, x: float) -> float:
    lo, hi = ind.bounds
    x = max(x, lo) if lo is not None else x
    x = min(x, hi) if hi is not None else x
    return round(x) if ind.type in ("count", "flag") else round(x, 2)


def _expected(config: CityConfig, unit: Unit) -> set[str]:
    """Powers config says a unit of its kind has (the plausibility rules: ``applicable`` without ``when``)."""
    return {c for r in config.rules if r.when is None and r.expr is None and r.covers(unit.code, unit.kind)
            for c in r.applicable}


def unit_values(config: CityConfig, unit: Unit, year: int) -> dict[str, float | None]:
    """Figures ``unit`` could report for ``year``; None = 不涉及."""
    profile, noise = random.Random(f"profile-{unit.code}"), random.Random(f"{unit.code}-{year}")
    scale, growth = KIND_SCALE.get(unit.kind, 1.0), 1 + (year - 2020) * 0.03
    expected = _expected(config, unit)
    values: dict[str, float | None] = {}
    draws: dict[str, float] = {}
    for ind in config.input_indicators(unit):
        size = profile.uniform(0.6, 1.4)  # drawn for every indicator: a unit's profile never shifts
        lacks_power = ind.na_allowed and unit.kind == "department" and profile.random() < 0.35
        if lacks_power and ind.code not in expected:
            values[ind.code] = None  # the figure it would have, if a rule says it must have the power:
            spare = random.Random(f"{unit.code}-{year}-{ind.code}").uniform(0.94, 1.06)
            draws[ind.code] = _clip(ind, _typical(ind) * scale * size * growth * spare)
        elif ind.type == "flag":
            values[ind.code] = 1.0 if profile.random() < 0.95 else 0.0
        else:
            values[ind.code] = _clip(ind, _typical(ind) * scale * size * growth * noise.uniform(0.94, 1.06))
    _rates_near_targets(config, values, profile, noise)
    solve_rules(config, values, unit, draws)
    return values


def _rates_near_targets(config: CityConfig, values: dict[str, float | None], profile: random.Random,
                        noise: random.Random) -> None:
    """A ratio's numerator set from its denominator, near the target (or a plausible share)."""
    for ind in config.indicators:
        if not ind.derived or values.get(ind.denominator) in (None, 0) or ind.numerator not in values:
            continue
        if values.get(ind.numerator) is None:
            continue
        den = values[ind.denominator]
        goal = ind.target.value / ind.scale if ind.target else None
        if goal is not None and ind.target.op == ">=":
            share = goal * profile.uniform(0.985, 1.06) * noise.uniform(0.995, 1.005)
        elif goal is not None:
            share = goal * profile.uniform(0.3, 1.15)
        else:
            share = profile.uniform(0.05, 0.2) if ind.scale >= 100 else values[ind.numerator] / den
        if ind.scale >= 100:  # a percentage of a count: never above the whole
            share = min(share, 1.0)
        values[ind.numerator] = _clip(config.indicator(ind.numerator), den * share)


def _side_name(node: ast.AST) -> str | None:
    return node.id if isinstance(node, ast.Name) else None


def _solve_conditional(config: CityConfig, values: dict[str, float | None], unit: Unit,
                       draws: dict[str, float]) -> bool:
    """An amount or a kind reported makes its category applicable: a unit that has the consequence's
    powers as 不涉及 is given them (its drawn figure, at least 1). True if anything changed."""
    na = {c for c, v in values.items() if v is None}
    numbers = {c: v for c, v in values.items() if v is not None}
    asked = set(values)
    changed = False
    for b in broken_rules([r for r in config.rules if r.when and r.severity == "error"], unit.code, unit.kind,
                          asked, numbers, na):
        wanted = [c for c in b.rule.applicable if c in na]
        if not wanted and b.rule.expr:  # the consequence fails: give a power to the first 不涉及 or 0 it reads
            wanted = [next((c for c in sorted(names_in(b.rule.expr)) if not values.get(c)), None)]
        for code in filter(None, wanted[:1] if not b.rule.applicable else wanted):
            values[code] = max(draws.get(code) or 1.0, 1.0)
            changed = True
    return changed


def solve_rules(config: CityConfig, values: dict[str, float | None], unit: Unit,
                draws: dict[str, float] | None = None, passes: int = 5) -> None:
    """Make every error rule hold: a conditional rule by giving the unit the power it implies; a plain
    one by setting the one indicator that stands alone on a side of it."""
    rules = [r for r in config.rules if r.severity == "error" and r.when is None and r.expr]
    for _ in range(passes):
        changed = _solve_conditional(config, values, unit, draws or {})
        for rule in rules:
            if not rule.covers(unit.code, unit.kind):
                continue
            names = names_in(rule.expr)
            if not names <= set(values) or all(values[n] is None for n in names):
                continue
            numbers = {n: (v if v is not None else 0.0) for n, v in values.items()}
            holds, left, right = evaluate(rule.expr, numbers)
            if holds:
                continue
            node = _parse(rule.expr)
            op = type(node.ops[0]).__name__
            target, value = (_side_name(node.left), right) if _side_name(node.left) else (_side_name(node.comparators[0]), left)
            if target is None:
                continue  # nothing stands alone: a rule the generator cannot solve is left to fail
            if target == _side_name(node.comparators[0]):
                op = {"LtE": "GtE", "GtE": "LtE", "Lt": "Gt", "Gt": "Lt"}.get(op, op)
            ind = config.indicator(target)
            if op in ("LtE", "Lt"):
                new = math.floor(value) if ind.type == "count" else value
            elif op in ("GtE", "Gt"):
                new = math.ceil(value) if ind.type == "count" else value
            else:
                new = value
            values[target] = _clip(ind, new)
            changed = True
        if not changed:
            return


def warning_notes(config: CityConfig, values: dict[str, float | None], note: str,
                  unit: Unit | None = None) -> dict[str, str]:
    """The 上报说明 a careful clerk writes where a warning rule fires (so the workbook is accepted).
    Without ``unit``, every unit's warning rules are tried (a note too many does no harm)."""
    notes = {}
    na = {c for c, v in values.items() if v is None}
    numbers = {c: float(v) for c, v in values.items() if isinstance(v, (int, float))}
    rules = [r for r in config.rules if r.severity == "warning"]
    if unit is None:
        rules = [r.model_copy(update={"kinds": (), "units": ()}) for r in rules]
    for b in broken_rules(rules, unit.code if unit else "", unit.kind if unit else "", set(values), numbers, na):
        notes[b.codes[0]] = note
    return notes
