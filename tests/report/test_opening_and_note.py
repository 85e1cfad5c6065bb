"""The draft opens as a report opens (what guided the year's work, in the city's own slogans); how the
figures were made — coverage, units not reported, the comparable basis — is a 说明 at the end and in the
appendix; a problem names its units (or counts them), never "类似情况" without names."""

from __future__ import annotations

import io

import openpyxl

from nianbao.report.aggregate import aggregate
from nianbao.report.draft import render_draft
from nianbao.report.problems import find_problems
from nianbao.settings import REPO_ROOT
from tests.report.conftest import AT, report

TEMPLATES = REPO_ROOT / "templates"


def draft(city, current, previous):
    now = [*current[:-1], report(current[-1].unit, {}, status="missing", sid=None)]
    agg = aggregate(city, 2026, now, previous)
    return agg, render_draft(city, TEMPLATES, agg, find_problems(city, agg), generated_at=AT)


def test_the_opening_says_what_guided_the_work_not_how_the_figures_were_made(city, current, previous):
    agg, doc = draft(city, current, previous)
    opening = doc.markdown.split("\n\n")[1]
    assert opening.startswith("2026年，我市法治政府建设工作坚持以习近平新时代中国特色社会主义思想为指导")
    assert "“法治南通”建设" in opening
    assert "本报告依据" not in opening and "可比口径" not in opening and "家单位" not in opening
    assert "五个聚焦" not in doc.markdown  # another city's slogan


def test_coverage_and_the_comparable_basis_are_a_note_at_the_end_and_in_the_appendix(city, current, previous):
    agg, doc = draft(city, current, previous)
    last = doc.markdown.rstrip().split("\n\n")[-1]
    missing = current[-1].unit.name
    assert last.startswith("说明：") and f"应报的{agg.expected}家单位中{agg.reported}家" in last and missing in last
    assert f"{agg.comparable_units}家单位可比口径" in last
    note = [r[0] for r in openpyxl.load_workbook(io.BytesIO(doc.appendix_xlsx))["说明"].iter_rows(values_only=True)]
    assert note[0] == last and "两位小数" in note[1]


def test_every_further_problem_names_its_units(city, current, previous):
    units = city.reporting_units
    low = {units[0].code: {"F5_04": 10}, units[1].code: {"E_FZSH": 1}, units[2].code: {"E_CZRS": 10}}
    now = [report(r.unit, {**r.values, **low.get(r.unit.code, {}),
                           **{c: None for c in r.na}}, sid=r.submission_id) for r in current]
    agg, doc = draft(city, now, previous)
    problems = doc.markdown.split("## 二、")[1].split("## 三、")[0]
    assert "类似情况" not in problems
    for unit in units[:3]:
        assert unit.name in problems
