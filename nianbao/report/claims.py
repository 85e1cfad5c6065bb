"""Highlights checked against the unit's own figures: a highlight containing a configured phrase
(report.yaml ``highlights.claims``) claims something of one indicator — "人均培训学时达到规定要求" that
the unit meets its target. Where the unit's own figure says otherwise (or it answered 不涉及), the
highlight is not used, and the writer is told which and why in the review notes beside the draft."""

from __future__ import annotations

import operator
from dataclasses import dataclass

from nianbao.cityconfig import CityConfig
from nianbao.config.report import Claim
from nianbao.report.aggregate import CityAggregate
from nianbao.report.fmt import with_unit

_OPS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt,
        "=": lambda a, b: abs(a - b) < 1e-9}


@dataclass(frozen=True)
class LeftOut:
    unit: str  # the unit's name
    text: str  # what it wrote
    note: str  # why it is not used, in the city's wording


def own_figure(agg: CityAggregate, unit_code: str, code: str) -> tuple[bool, float | None]:
    """(known, value): the unit's own figure of ``code``; value None = 不涉及. Unknown when the unit's
    figures were not loaded (a province) or it has none."""
    by_unit = agg.figures[code].by_unit
    if by_unit is None or unit_code not in by_unit:
        return False, None
    return True, by_unit[unit_code]


def _holds(config: CityConfig, claim: Claim, value: float | None) -> bool | None:
    """Whether the figure bears the claim out; None when the claim cannot be judged (no target)."""
    ind = config.indicator(claim.indicator)
    if claim.op is None:
        if ind.target is None:
            return None
        return value is not None and ind.target.met(value)
    return value is not None and _OPS[claim.op](value, claim.value or 0)


def contradicted(config: CityConfig, agg: CityAggregate, unit_code: str, text: str) -> str | None:
    """Why ``text`` (a highlight of that unit) is contradicted by the unit's own figures, or None."""
    words = config.report.highlights
    for claim in words.claims:
        if claim.phrase not in text:
            continue
        known, value = own_figure(agg, unit_code, claim.indicator)
        if not known or _holds(config, claim, value) is not False:
            continue
        ind = config.indicator(claim.indicator)
        expected = (words.expected_target.format(target=with_unit(ind.target.value, ind.unit)) if claim.op is None
                    else words.expected_value.format(op=words.op_words.get(claim.op, claim.op), value=with_unit(claim.value or 0, ind.unit)))
        shown = with_unit(value, ind.unit) if value is not None else config.text("na_value")
        return words.left_out.format(unit=agg.unit_name(unit_code), text=text, name=ind.name, value=shown,
                                     expected=expected)
    return None


def left_out(config: CityConfig, agg: CityAggregate) -> list[LeftOut]:
    """Every highlight of every unit its own figures contradict."""
    out = []
    for u in agg.units:
        for _, kind, text in u.narratives:
            if kind == "highlight" and (note := contradicted(config, agg, u.unit.code, text.rstrip("。；;，,"))):
                out.append(LeftOut(u.unit.name, text, note))
    return out
