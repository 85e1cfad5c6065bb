"""The leaders' mail agrees with the draft: targets at city level and at unit level, the units below
target named with where the draft says so; never "all met" while the draft names units below target."""

from __future__ import annotations

from nianbao.report.aggregate import aggregate
from nianbao.report.draft import render_markdown, target_context
from nianbao.report.problems import find_problems
from nianbao.sample_data import unit_values
from nianbao.settings import REPO_ROOT
from nianbao.texts import render_mail
from tests.report.conftest import report

TEMPLATES = REPO_ROOT / "templates"


def mail_and_draft(city, current):
    agg = aggregate(city, 2026, current, [])
    problems = find_problems(city, agg)
    _, body = render_mail(TEMPLATES, "draft", city=city, title="稿", expected=agg.expected, reported=agg.reported,
                          on_time=agg.on_time, first=True, changes=[], **target_context(city, agg, problems))
    return body, render_markdown(city, TEMPLATES, agg, problems)


def test_units_below_target_are_counted_and_named_in_the_mail_where_the_draft_names_them(city):
    units = city.reporting_units
    low = {units[0].code: {"E_FZSH": 1}, units[1].code: {"E_FZSH": 2}}  # 1 and 2 of ~600: far below 5%
    current = [report(u, {**unit_values(city, u, 2026), **low.get(u.code, {})}, sid=n) for n, u in enumerate(units, 1)]
    body, draft = mail_and_draft(city, current)
    assert "均已达标" not in body.split("分单位看")[1]
    assert "各项有目标的指标均已达标" not in body
    part = body.split("分单位看")[1].split("\n")[0]
    assert "法制审核人员占执法人员比例" in part and units[0].name in part and units[1].name in part
    assert "家单位有指标未达目标" in part
    point = part.split(units[0].name)[1].split("第")[1][0]  # the point the mail points to …
    paragraphs = draft.split("## 二、")[1].split("## 三、")[0].split("\n")
    (named,) = [p for p in paragraphs if p.startswith(f"{point}是")]
    assert units[0].name in named  # … names the unit


def test_the_mail_says_all_met_only_when_every_unit_meets_its_targets(city):
    units = city.reporting_units
    current = []
    for n, u in enumerate(units, 1):
        v = unit_values(city, u, 2026)
        staff = v["E_ZFRY"]
        v.update(E_CZRS=staff, E_FZSH=staff, F5_04=staff * 80, F1_01=6, F5_02=6, F2_02=v["F2_01"], F3_02=v["F3_01"],
                 F4_06=0, F4_09=v["F4_08"], F4_12=v["F4_11"])
        current.append(report(u, v, sid=n))
    body, _ = mail_and_draft(city, current)
    assert "各单位自身数据均已达到目标" in body and "全市数据均已达标" in body
