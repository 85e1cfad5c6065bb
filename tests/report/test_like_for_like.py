"""Year on year compares the same units: when units stop reporting, every change in the draft is the
change over the units that reported both years, and rates change in percentage points."""

from __future__ import annotations

import re

import pytest

from nianbao.report.aggregate import aggregate
from nianbao.report.change import reading
from nianbao.report.draft import render_markdown
from nianbao.report.fmt import percent, points
from nianbao.report.problems import find_problems
from nianbao.settings import REPO_ROOT
from tests.report.conftest import report


@pytest.fixture
def two_stopped(city, current, previous):
    """This year two units did not report; last year everybody did."""
    stopped = {r.unit.code for r in current[-2:]}
    now = [report(r.unit, {}, status="missing", sid=None) if r.unit.code in stopped else r for r in current]
    return aggregate(city, 2026, now, previous), now, previous, stopped


def test_every_change_is_the_like_for_like_change(city, two_stopped):
    agg, now, previous, stopped = two_stopped
    for ind in city.indicators:
        f = agg.figures[ind.code]
        if f.change_pct is None or ind.derived or ind.aggregate != "sum":
            continue
        both = [r.unit.code for r in now if r.submission_id and ind.code in r.values]
        before = {r.unit.code: r.values[ind.code] for r in previous if ind.code in r.values}
        common = [u for u in both if u in before]
        now_sum = sum(next(r.values[ind.code] for r in now if r.unit.code == u) for u in common)
        before_sum = sum(before[u] for u in common)
        assert f.change_pct == pytest.approx((now_sum - before_sum) / before_sum * 100), ind.code
        assert f.comparable_units == len(common) and not set(common) & stopped


def test_the_all_units_comparison_is_not_what_the_draft_says(city, two_stopped):
    """The naive change (this year's 20 against last year's 22) is a fall the draft must not report."""
    agg, *_ = two_stopped
    f = agg.figures["E_CF_HJ"]
    naive = (f.value - f.last_year) / f.last_year * 100
    assert naive < 0 < f.change_pct or abs(naive - f.change_pct) > 1


def test_a_rate_changes_in_percentage_points(city, two_stopped):
    agg, *_ = two_stopped
    md = render_markdown(city, REPO_ROOT / "templates", agg, find_problems(city, agg))
    f = agg.figures["E_CZL"]
    assert f.change_pp is not None and f.change_pp == pytest.approx(f.compared[0] - f.compared[1])
    if abs(f.change_pp) >= city.report.materiality.min_pp:  # below it: 基本持平 (test_changes_reproducible)
        word = "提高" if f.change_pp > 0 else "下降"
        assert f"持证率{agg.fmt('E_CZL')}，同比{word}{points(f.change_pp)}个百分点" in md
    assert not re.search(r"率[\d.]+%，同比(增长|下降)[\d.]+%", md)  # no rate compared in percent


def test_the_draft_states_the_comparable_basis_once(city, two_stopped):
    agg, *_ = two_stopped
    md = render_markdown(city, REPO_ROOT / "templates", agg, find_problems(city, agg))
    assert f"同比数据按两年均有报送的{agg.comparable_units}家单位可比口径计算" in md
    f = agg.figures["E_CF_HJ"]
    if reading(city.report.materiality, f) == "flat":
        assert f"行政处罚{agg.fmt('E_CF_HJ')}，与上年基本持平" in md
    else:
        assert f"行政处罚{agg.fmt('E_CF_HJ')}，同比{'增长' if f.change_pct > 0 else '下降'}{percent(f.change_pct)}" in md


def test_a_decline_that_coverage_explains_is_not_a_problem(city, current, previous):
    """Half the units stop reporting: every total falls, none of the like-for-like changes does."""
    half = len(current) // 2
    now = [report(r.unit, {}, status="missing", sid=None) if n >= half else r for n, r in enumerate(current)]
    agg = aggregate(city, 2026, now, previous)
    assert all(p.kind != "yoy_decline" for p in find_problems(city, agg))
