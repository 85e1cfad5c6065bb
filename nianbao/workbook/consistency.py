"""Which rules of config/rules.yaml a unit's figures break: one pure function, used by the workbook
checks at intake, by the disclosure before it publishes and by the sample data that must obey them.

不涉及 counts as 0 in a comparison. A plain rule about nothing but 不涉及 is skipped (no power, nothing to
compare); a conditional rule is not: "罚没金额 > 0 ⇒ 罚款 + 没收 > 0" is broken precisely when both kinds
are 不涉及."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass

from nianbao.config.rules import Rule
from nianbao.workbook.rules import evaluate, names_in


@dataclass(frozen=True)
class Broken:
    rule: Rule
    codes: tuple[str, ...]  # the indicators it cites: the condition's first, then the consequence's


def _ordered(rule: Rule) -> tuple[str, ...]:
    out: list[str] = []
    for part in (sorted(names_in(rule.when)) if rule.when else [],
                 sorted(names_in(rule.expr)) if rule.expr else [], rule.applicable):
        out += [c for c in part if c not in out]
    return tuple(out)


def broken_rules(rules: Iterable[Rule], unit_code: str, kind: str, asked: Set[str],
                 values: Mapping[str, float], na: Set[str]) -> list[Broken]:
    """The rules ``values`` (numbers) and ``na`` (不涉及) break, of those that cover the unit and read only
    indicators it is ``asked``. An indicator neither a number nor 不涉及 (blank, invalid) skips the rule:
    its own finding says so."""
    known = set(values) | set(na)
    numbers = {**{c: 0.0 for c in na}, **values}
    out = []
    for rule in rules:
        names = rule.names
        if not rule.covers(unit_code, kind) or not names <= asked or not names <= known:
            continue
        if rule.when is not None:
            if not evaluate(rule.when, numbers)[0]:
                continue
        elif rule.expr is not None and names_in(rule.expr) <= na and not rule.applicable:
            continue
        ok = not any(c in na for c in rule.applicable)
        if ok and rule.expr is not None:
            ok = evaluate(rule.expr, numbers)[0]
        if not ok:
            out.append(Broken(rule, _ordered(rule)))
    return out
