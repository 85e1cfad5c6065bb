"""Aggregation: sums, ratios recomputed from sums, 不涉及 apart from zero, targets, coverage, problems."""

from __future__ import annotations

from nianbao.report.aggregate import aggregate, rank
from nianbao.report.fmt import ordinal
from nianbao.report.problems import find_problems
from tests.report.conftest import report


def test_counts_are_summed_over_the_units_that_reported(city, current):
    agg = aggregate(city, 2026, current, [])
    assert agg.figures["F1_01"].value == sum(r.values["F1_01"] for r in current)
    assert agg.figures["F1_01"].covered == len(current)


def test_a_ratio_is_recomputed_from_summed_parts_not_averaged(city):
    a, b = city.reporting_units[:2]
    base = {"E_ZFRY": 100, "E_CZRS": 50}
    agg = aggregate(city, 2026, [report(a, {"E_ZFRY": 100, "E_CZRS": 50}, sid=1),
                                 report(b, {"E_ZFRY": 900, "E_CZRS": 900}, sid=2)], [])
    assert agg.fmt("E_CZL") == "95%"  # (50 + 900) / (100 + 900); the average of ratios would be 75%
    assert agg.figures["E_CZL"].by_unit == {a.code: 50.0, b.code: 100.0} and base


def test_not_applicable_is_not_zero(city):
    a, b = city.reporting_units[:2]
    agg = aggregate(city, 2026, [report(a, {"E_XK": None}, sid=1), report(b, {"E_XK": 0}, sid=2)], [])
    f = agg.figures["E_XK"]
    assert (f.value, f.covered, f.na_units) == (0, 1, 1) and f.by_unit[a.code] is None


def test_year_on_year_change_and_targets(city, current, previous):
    agg = aggregate(city, 2026, current, previous)
    f = agg.figures["F5_01"]
    assert round(f.change_pct, 6) == round((f.value - f.last_year) / f.last_year * 100, 6)
    assert agg.figures["F4_07"].met == (agg.figures["F4_07"].value <= 8)


def test_missing_units_lower_coverage_not_the_rate(city, current):
    current[0] = report(current[0].unit, {}, status="missing", sid=None)
    agg = aggregate(city, 2026, current, [])
    assert agg.figures["F1_01"].covered == len(current) - 1 and agg.reported == len(current) - 1


def test_rank_orders_units_by_their_own_rate(city, current):
    ranked = rank(aggregate(city, 2026, current, []), "E_CZL")
    assert [v for _, v in ranked] == sorted((v for _, v in ranked), reverse=True)


def test_problems_name_the_late_and_missing_units(city, current):
    current[0] = report(current[0].unit, {}, status="missing", sid=None)
    current[1] = report(current[1].unit, current[1].values, status="late", sid=2)
    problems = find_problems(city, aggregate(city, 2026, current, []))
    late = next(p for p in problems if p.kind == "late_missing")
    assert late.missing == ((current[0].unit.name,), 0) and late.late == ((current[1].unit.name,), 0)
    assert [p.weight for p in problems] == sorted((p.weight for p in problems), reverse=True)


def test_a_missed_target_is_a_problem_with_its_figure_and_target(city):
    a = city.reporting_units[0]
    agg = aggregate(city, 2026, [report(a, {"E_ZFRY": 100, "E_FZSH": 2}, sid=1)], [])
    missed = next(p for p in find_problems(city, agg) if p.kind == "missed_target")
    finding = next(f for f in missed.findings if f.code == "E_FZSHZB")
    assert (finding.value, finding.target, finding.op, finding.units) == ("2%", "5%", ">=", (a.name,))


def test_chinese_ordinals():
    assert [ordinal(n) for n in (1, 4, 10, 11, 20, 23)] == ["一", "四", "十", "十一", "二十", "二十三"]


def test_findings_beyond_those_given_in_full_are_named_not_counted(city):
    from nianbao.report.problems import DETAILS

    a = city.reporting_units[0]
    weak = {"E_ZFRY": 100, "E_CZRS": 50, "E_FZSH": 2, "F4_05": 10, "F4_06": 5, "F4_08": 10, "F4_09": 1,
            "F4_11": 10, "F4_12": 1, "F2_01": 10, "F2_02": 1}
    agg = aggregate(city, 2026, [report(a, weak, sid=1)], [])
    missed = next(p for p in find_problems(city, agg) if p.kind == "missed_target")
    given = {f.name for f in missed.findings}
    named, more = missed.extra
    assert len(missed.findings) == DETAILS and named and not given & set(named)
    assert len(named) <= city.report.problems.names_max and all(isinstance(n, str) and n for n in named)
