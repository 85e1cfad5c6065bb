"""A highlight the unit's own figures contradict ("人均培训学时达到规定要求" at 59.3 学时 against a target
of 60) is not used, in the city's draft or the unit's own, and the review notes beside the draft say
which and why; one the figures bear out is used."""

from __future__ import annotations

from nianbao.report.aggregate import aggregate
from nianbao.report.draft import render_draft
from nianbao.report.problems import find_problems
from nianbao.report.unit_draft import render_unit_draft
from nianbao.sample_data import unit_values
from nianbao.settings import REPO_ROOT
from tests.report.conftest import AT, report

TEMPLATES = REPO_ROOT / "templates"
CLAIM = "开发行政执法人员在线培训平台，执法人员人均培训学时达到规定要求"


def units_with_claim(city, hours_of_first):
    """Every unit claims it; the first unit's own figure is ``hours_of_first`` 学时 a head."""
    out = []
    for n, u in enumerate(city.reporting_units, 1):
        v = unit_values(city, u, 2026)
        v["F5_04"] = round(v["E_ZFRY"] * (hours_of_first if n == 1 else 70))
        out.append(report(u, v, sid=n, narratives=[("F5", "highlight", CLAIM)]))
    return out


def test_a_highlight_the_units_figures_contradict_is_left_out_and_listed(city):
    current = units_with_claim(city, 59.3)
    first = current[0].unit.name
    agg = aggregate(city, 2026, current, [])
    doc = render_draft(city, TEMPLATES, agg, find_problems(city, agg), generated_at=AT)
    assert f"{first}开发行政执法人员在线培训平台" not in doc.markdown
    assert "在线培训平台" in doc.markdown  # another unit's, its figures bear it out
    assert first in doc.review_notes and "人均培训学时达到规定要求" in doc.review_notes
    assert "行政执法人员人均培训学时为59.3学时" in doc.review_notes and "60学时" in doc.review_notes


def test_the_units_own_draft_leaves_it_out_too_and_says_why(city):
    current = units_with_claim(city, 59.3)
    city_agg = aggregate(city, 2026, current, [])
    doc = render_unit_draft(city, TEMPLATES, current[0], None, city_agg, generated_at=AT)
    assert "在线培训平台" not in doc.markdown and "59.3学时" in doc.review_notes


def test_a_highlight_the_figures_bear_out_is_used_and_the_notes_say_nothing_is_left_out(city):
    current = units_with_claim(city, 61)
    city_agg = aggregate(city, 2026, current, [])
    doc = render_unit_draft(city, TEMPLATES, current[0], None, city_agg, generated_at=AT)
    assert "在线培训平台" in doc.markdown and "无需说明" in doc.review_notes


def test_a_claimed_count_the_unit_falls_short_of_is_worded_in_the_notes(city):
    units = city.reporting_units
    claim = "建立党政主要负责人每季度听取法治建设工作汇报制度"
    current = [report(u, {**unit_values(city, u, 2026), **({"F1_01": 2} if n == 1 else {})}, sid=n,
                      narratives=[("F1", "highlight", claim)]) for n, u in enumerate(units, 1)]
    agg = aggregate(city, 2026, current, [])
    doc = render_draft(city, TEMPLATES, agg, find_problems(city, agg), generated_at=AT)
    assert f"未采用{units[0].name}的亮点" in doc.review_notes and "为2次，与“不少于4次”不符" in doc.review_notes
