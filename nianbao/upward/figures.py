"""The city's totals as a province gets them: rounded the way a statistics table prints them (counts
whole, amounts and rates to 2 decimals), and for every figure there is none of, why (in Chinese)."""

from __future__ import annotations

from dataclasses import dataclass

from nianbao.cityconfig import CityConfig
from nianbao.report.aggregate import CityAggregate
from nianbao.upward.expression import Expression, Unavailable, evaluate

WHOLE_TYPES = ("count", "flag")


def rounded(value: float, whole: bool) -> int | float:
    # int for a count, so the cell holds 12 and not 12.0 (WPS shows the difference in its formula bar)
    return int(round(value)) if whole else round(value, 2)


@dataclass(frozen=True)
class CityValues:
    values: dict[str, float]  # code → the city's total (unrounded)
    missing: dict[str, str]  # code → why there is none
    types: dict[str, str]  # code → indicator type
    undefined: str  # the reason for a division by 0 in a mapping
    all_na: frozenset[str] = frozenset()  # codes every unit with a figure answered 不涉及

    def lookup(self, code: str) -> float | Unavailable:
        if code in self.values:
            return self.values[code]
        return Unavailable(self.missing.get(code, self.undefined))

    def value_of(self, expr: Expression) -> int | float | Unavailable:
        """An expression's value, rounded: whole when every part is a count and nothing divides."""
        got = evaluate(expr, self.lookup, self.undefined)
        if isinstance(got, Unavailable):
            return got
        whole = (not expr.divides and expr.whole_constants
                 and all(self.types.get(n) in WHOLE_TYPES for n in expr.names))
        return rounded(got, whole)


def city_values(config: CityConfig, agg: CityAggregate) -> CityValues:
    values, missing, all_na = {}, {}, set()
    for code, f in agg.figures.items():
        ind = config.indicator(code)
        if ind.type == "flag":
            # A 是/否 indicator summed over units counts the units that said 是: it is not the city's own
            # 是/否, and a province's 0/1 cell must not get 18. upward.yaml can state the city's answer.
            shown = f"{f.value:g}" if f.value is not None else "—"
            missing[code] = config.text("upward_flag", name=f.name, value=shown)
        elif f.value is not None:
            values[code] = f.value
        elif f.covered == 0 and f.na_units > 0:
            missing[code] = config.text("upward_all_na", name=f.name)
            all_na.add(code)
        elif ind.derived and f.covered > 0:  # units reported both parts, their denominators sum to 0
            missing[code] = config.text("upward_zero_denominator", name=f.name)
        else:
            missing[code] = config.text("upward_no_data", name=f.name)
    return CityValues(values, missing, {i.code: i.type for i in config.indicators}, config.text("upward_undefined"),
                      frozenset(all_na))
