"""A unit's own report draft: its own figures and changes, 不涉及 in words, its place against the city's
median, its own shortfalls and what it wrote itself."""

from __future__ import annotations

import re
from io import BytesIO

import pendulum
from docx import Document

from nianbao.report.aggregate import aggregate
from nianbao.report.fmt import with_unit
from nianbao.report.unit_draft import medians, render_unit_draft, unit_markdown
from nianbao.sample_data import unit_values
from tests.report.conftest import report

YEAR = 2026


def _draft(city, templates_dir, current, previous, code, **kw) -> str:
    unit = next(r for r in current if r.unit.code == code)
    before = next((r for r in previous if r.unit.code == code), None)
    return unit_markdown(city, templates_dir, unit, before, aggregate(city, YEAR, current, previous), **kw)


def _department(city):
    return next(u for u in city.reporting_units if u.kind == "department")


def test_a_units_draft_names_it_and_says_its_own_figures(city, settings, current, previous):
    unit = current[0]
    md = _draft(city, settings.templates_dir, current, previous, unit.unit.code)
    assert md.startswith(f"# {unit.unit.name}{YEAR}年度法治政府建设工作情况报告")
    for ind in city.input_indicators(unit.unit):
        wording = ind.unit_phrase if ind.unit_phrase is not None else ind.phrase
        if wording != "" and ind.code in unit.values:
            assert with_unit(unit.values[ind.code], ind.unit) in md, ind.code
    assert "全市梳理" not in md and "全市行政执法人员" not in md  # the city's wording is not the unit's


def test_its_year_on_year_change_is_its_own(city, settings, current, previous):
    code = current[0].unit.code
    now = [report(r.unit, {**r.values, "E_JC": 1100.0}, sid=r.submission_id) if r.unit.code == code else r
           for r in current]
    before = [report(r.unit, {**r.values, "E_JC": 1000.0}, sid=r.submission_id) if r.unit.code == code else r
              for r in previous]
    assert "开展行政检查1100次，同比增长10%" in _draft(city, settings.templates_dir, now, before, code)


def test_a_power_the_unit_lacks_is_said_in_words_never_as_zero(city, settings, current, previous):
    dept = _department(city)
    values = {**unit_values(city, dept, YEAR), "E_QZ": None, "E_XK": None}
    now = [report(dept, values, sid=r.submission_id) if r.unit.code == dept.code else r for r in current]
    md = _draft(city, settings.templates_dir, now, previous, dept.code)
    assert "本局不涉及行政许可决定数、行政强制决定数" in md
    assert not re.search(r"行政强制\d", md) and not re.search(r"行政许可决定\d", md) and not re.search(r"(?<![\d.,])0件", md)


def test_a_rate_is_set_against_the_median_of_the_units(city, settings, current, previous):
    code = current[0].unit.code
    others = [r.values["E_FZSH"] / r.values["E_ZFRY"] * 100 for r in current
              if r.unit.code != code and "E_FZSH" in r.values and "E_ZFRY" in r.values]
    high = {**current[0].values, "E_ZFRY": 100.0, "E_CZRS": 99.0, "E_FZSH": max(others) + 5}
    now = [report(current[0].unit, high, sid=1)] + current[1:]
    md = _draft(city, settings.templates_dir, now, previous, code)
    name = city.indicator("E_FZSHZB").name
    summary = re.split("对照目标和全市情况，|对照目标，|与全市相比，", next(line for line in md.splitlines()
                                                                        if "占执法人员的" in line))[-1]
    assert re.search(rf"{name}[^；]*达到[^；]*5%[^；]*的目标要求", summary), summary
    assert re.search(rf"；[^。]*{name}[^。]*高于全市平均水平", summary), summary
    assert medians(city, aggregate(city, YEAR, now, previous))["E_FZSHZB"] < max(others) + 5


def test_its_missed_targets_and_late_report_are_its_problems(city, settings, current, previous):
    first = current[0]
    weak = report(first.unit, {**first.values, "F1_01": 1.0}, status="late", sid=1)
    md = _draft(city, settings.templates_dir, [weak] + current[1:], previous, first.unit.code,
                received="2027年2月14日")
    problems = md.split("## 二、")[1].split("## 三、")[0]
    assert "党政主要负责人专题研究法治建设次数为1次，低于4次的目标要求" in problems
    assert "于2027年2月14日报送，未在规定时限内完成报送" in problems
    assert "补齐指标短板" in md  # the plan that answers it


def test_its_own_highlights_and_written_problems_are_quoted(city, settings, current, previous):
    first = current[0]
    texts = (("F2", "highlight", "率先推行证明事项告知承诺制"), ("F3", "problem", "执法队伍年龄结构老化"))
    own = report(first.unit, first.values, sid=1, narratives=texts)
    md = _draft(city, settings.templates_dir, [own] + current[1:], previous, first.unit.code)
    assert "本区结合实际积极探索：率先推行证明事项告知承诺制。" in md  # a district calls itself 本区
    assert "执法队伍年龄结构老化。" in md.split("## 二、")[1]


def test_the_docx_carries_the_same_text(city, settings, current, previous):
    agg = aggregate(city, YEAR, current, previous)
    doc = render_unit_draft(city, settings.templates_dir, current[0], previous[0], agg,
                            generated_at=pendulum.datetime(2027, 2, 20, tz="Asia/Shanghai"))
    text = "\n".join(p.text for p in Document(BytesIO(doc.docx)).paragraphs)
    assert current[0].unit.name in text and "二、存在的不足和原因" in text


def test_targets_and_standing_are_summed_up_once_a_section_and_a_ceiling_is_kept_to(city, settings, current,
                                                                                    previous):
    unit = current[0]
    md = _draft(city, settings.templates_dir, current, previous, unit.unit.code)
    body = md.split("## 二、")[0]
    for section in body.split("### ")[1:]:
        assert section.count("目标要求") <= 1, section
        for standing in ("高于全市平均水平", "低于全市平均水平", "与全市平均水平基本持平"):
            assert section.count(standing) <= 1, section
    ceiling = city.indicator("F4_07")  # 败诉率: a target not to exceed
    low = {**unit.values, "F4_05": 100.0, "F4_06": 1.0}
    body = _draft(city, settings.templates_dir, [report(unit.unit, low, sid=1)] + current[1:], previous,
                  unit.unit.code).split("## 二、")[0]
    assert f"{ceiling.name}控制在8%以内" in body and f"{ceiling.name}达到" not in body


def test_a_section_with_targets_but_no_comparison_does_not_mention_the_city(city, settings, current, previous):
    unit = current[0]
    strong = report(unit.unit, {**unit.values, "F1_01": 10.0}, sid=1)
    body = _draft(city, settings.templates_dir, [strong] + current[1:], previous, unit.unit.code).split("## 二、")[0]
    first = body.split("### ")[1]  # 顶层设计: targets, and no figure compared with the other units
    assert "对照目标，" in first and "全市" not in first, first


def test_a_departments_draft_speaks_as_a_department(city, settings, current, previous):
    """市公安局 has no 政府常务会议 and calls itself 本局; a district calls itself 本区."""
    dept = _department(city)
    md = _draft(city, settings.templates_dir, current, previous, dept.code)
    assert "政府常务会议" not in md and "政府领导班子" not in md
    assert "列入党组（党委）会议" in md and "本局" in md and "本单位" not in md
    district = city.reporting_units[0]
    assert "本区" in _draft(city, settings.templates_dir, current, previous, district.code)


def test_a_draft_sets_the_unit_against_the_city_at_most_twice(city, settings, current, previous):
    for unit in city.reporting_units[:6]:
        md = _draft(city, settings.templates_dir, current, previous, unit.code)
        assert md.count("全市平均水平") <= city.report.unit_drafts.summary.place_max, unit.name


def test_few_sentences_of_a_draft_are_word_for_word_in_most_drafts(city, settings, current, previous):
    """Over every unit's draft: at most 3 sentences a draft that more than half the drafts share."""
    import collections
    import re

    sentences = {}
    for r in current:
        md = _draft(city, settings.templates_dir, current, previous, r.unit.code)
        body = [line for line in md.splitlines() if line and not line.startswith("#")]
        sentences[r.unit.code] = {s for line in body for s in re.split(r"(?<=[。：])", line) if len(s) > 4}
    counts = collections.Counter(s for found in sentences.values() for s in found)
    common = {s for s, n in counts.items() if n > len(sentences) / 2}
    assert max(len(found & common) for found in sentences.values()) <= 3, common
