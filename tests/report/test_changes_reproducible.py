"""Year-on-year changes: every change in the appendix is recomputed from its own row (like for like on
both sides), last year's all-unit figure apart; a change on a small base or below the threshold is not
news (never "增长50%" from 2 to 3), in the city's draft, a unit's draft and the leaders' mail alike."""

from __future__ import annotations

import io

import openpyxl

from nianbao.report.aggregate import aggregate
from nianbao.report.draft import leaders_figures, render_draft, render_markdown
from nianbao.report.problems import find_problems
from nianbao.report.text import change_text
from nianbao.report.unit_draft import unit_markdown
from nianbao.sample_data import unit_values
from nianbao.settings import REPO_ROOT
from tests.report.conftest import AT, report

TEMPLATES = REPO_ROOT / "templates"


def test_each_appendix_rows_change_is_recomputed_from_the_row(city, current, previous):
    agg = aggregate(city, 2026, current[2:], previous)  # two units reported last year, not this year
    doc = render_draft(city, TEMPLATES, agg, find_problems(city, agg), generated_at=AT)
    ws = openpyxl.load_workbook(io.BytesIO(doc.appendix_xlsx))["全市指标"]
    header = [c.value for c in ws[1]]
    col = {name: header.index(name) for name in header}
    now, before = col["2026年（可比口径）"], col["2025年（可比口径）"]
    pct, pp = col["同比（可比口径，%）"], col["同比（可比口径，百分点）"]
    all_last = col["2025年（全部报送单位，与可比口径不同时列出）"]
    checked = differing = 0
    for row in ws.iter_rows(min_row=2, values_only=True):
        if row[pct] is not None:
            assert row[pct] == round((row[now] - row[before]) / row[before] * 100, 1), row
            checked += 1
        if row[pp] is not None:
            assert row[pp] == round(row[now] - row[before], 2), row
            checked += 1
        if row[all_last] is not None:
            assert row[all_last] != row[before]
            differing += 1
    assert checked > 30 and differing > 10


def with_issues(city, units, year, issues):
    return [report(u, {**unit_values(city, u, year), "F5_01": issues}, sid=n + (100 if year == 2025 else 0))
            for n, u in enumerate(units, 1)]


def test_two_to_three_is_not_reported_as_a_fifty_percent_rise(city):
    units = city.reporting_units
    unit = units[0]
    now = report(unit, {**unit_values(city, unit, 2026), "F5_01": 3})
    before = report(unit, {**unit_values(city, unit, 2025), "F5_01": 2}, sid=100)
    agg = aggregate(city, 2026, [now], [before])
    assert change_text(city, agg.figures["F5_01"]) == ""
    city_agg = aggregate(city, 2026, with_issues(city, units, 2026, 3), with_issues(city, units, 2025, 2))
    assert city_agg.figures["F5_01"].value == 3 * len(units)  # 66 against 44: a real rise, said as one
    assert "增长50%" in change_text(city, city_agg.figures["F5_01"])
    md = unit_markdown(city, TEMPLATES, now, before, city_agg)
    assert "50%" not in md and "举办领导干部法治专题培训3期" in md


def test_a_change_below_the_threshold_reads_flat(city, current, previous):
    agg = aggregate(city, 2026, current, previous)
    f = agg.figures["E_CF_HJ"]
    small = type(f)(**{**f.__dict__, "compared": (97.0, 96.0)})
    assert change_text(city, small) == "，与上年基本持平"
    rate = agg.figures["F2_03"]
    tiny = type(rate)(**{**rate.__dict__, "compared": (99.5, 99.51)})
    assert change_text(city, tiny) == "，与上年基本持平"
    key, _ = leaders_figures(city, agg)
    md = render_markdown(city, TEMPLATES, agg, find_problems(city, agg))
    assert "0.01个百分点" not in md and all("0.01个百分点" not in k.change for k in key)


def test_a_small_percentage_of_a_large_total_is_news_and_one_more_case_is_not(city, current, previous):
    """+1.7 % of 行政处罚 (12,000 → 12,204) is said; 96 → 97 (+1.0 %, one case) and 500 → 503 (+0.6 %) are not."""
    f = aggregate(city, 2026, current, previous).figures["E_CF_HJ"]
    said = {pair: change_text(city, type(f)(**{**f.__dict__, "compared": pair}))
            for pair in [(12204.0, 12000.0), (97.0, 96.0), (503.0, 500.0)]}
    assert said == {(12204.0, 12000.0): "，同比增长1.7%", (97.0, 96.0): "，与上年基本持平",
                    (503.0, 500.0): "，与上年基本持平"}
