"""The two seed plans as captured from the web: the city's 42 tasks one per line, and a district's plan
whose lines run together across page breaks."""

from __future__ import annotations

import pytest

from nianbao.workplan import import_plan
from tests.workplan.conftest import LVYUAN, NANTONG


@pytest.fixture(scope="module")
def nantong(city):
    plan = import_plan(NANTONG, 2019, city, keep_unresolved=True)
    return plan, {t.id: t for t in plan.tasks}


@pytest.fixture(scope="module")
def lvyuan(city):
    plan = import_plan(LVYUAN, 2023, city, keep_unresolved=True)
    return plan, {t.id: t for t in plan.tasks}


def _kept(task, role="lead"):
    return [u.name for u in task.unresolved if u.role == role]


def test_seed_000_gives_its_42_tasks_with_the_plans_own_numbers(nantong):
    plan, _ = nantong
    assert [t.id for t in plan.tasks] == [str(n) for n in range(1, 43)]


def test_seed_000_tasks_carry_both_headings_and_a_short_title(nantong):
    _, tasks = nantong
    assert (tasks["2"].chapter, tasks["2"].section) == ("重点工作", "依法全面履行政府职能")
    assert tasks["2"].title == "建立完善政务服务体系,实现基层公共服务全覆盖"
    assert tasks["1"].title == "继续深化行政审批制度改革"
    assert tasks["42"].section == "落实法治政府建设保障" and tasks["42"].source == "第125行"
    assert tasks["1"].text.endswith("推进投资项目审批改革。") and "牵头单位" not in tasks["1"].text


def test_seed_000_leads_resolve_to_roster_codes_or_stay_as_text(nantong):
    _, tasks = nantong
    assert tasks["1"].lead == ("D12", "D02") and _kept(tasks["1"]) == ["市委编办"]
    assert tasks["1"].lead_groups == ("市司法局",)  # the bureau itself: named in groups.yaml, reports to nobody
    assert tasks["3"].lead == ("D10", "D02")  # 市人社局: the alias of 市人力资源和社会保障局
    assert tasks["8"].lead == ("D01", "D09", "D02", "D03") and _kept(tasks["8"]) == ["市民政局"]
    assert tasks["22"].lead == () and _kept(tasks["22"]) == ["市委编办"]
    assert tasks["40"].lead == () and tasks["40"].lead_groups == ("市司法局",) and _kept(tasks["40"]) == []


def test_seed_000_responsible_units_are_groups(nantong):
    _, tasks = nantong
    assert tasks["1"].responsible_groups == ("市政府各部门",) and tasks["1"].responsible == ()
    assert tasks["23"].responsible_groups == ("市政府各相关执法部门",)


def test_seed_000_names_outside_the_roster_are_listed_with_their_lines(city):
    plan = import_plan(NANTONG, 2019, city)
    found = {(u.name, u.where, u.task, u.role) for u in plan.unresolved}
    assert ("市发改委", "第37行", "4", "lead") in found and ("市网信办", "第103行", "33", "lead") in found
    assert all(t.unresolved == () for t in plan.tasks)  # kept as text only when asked
    assert "第103行：“市网信办” 不在单位名单（units.yaml）中，也不是已定义的单位组（groups.yaml）" in plan.unresolved_lines()


def test_seed_001_capture_gives_28_tasks_with_the_lost_number_inferred(lvyuan):
    plan, tasks = lvyuan
    assert [t.id for t in plan.tasks] == [str(n) for n in range(1, 29)]
    assert tasks["11"].text.startswith("依法平等保护企业产权和自主经营权") and tasks["11"].source == "第9行"
    assert any("第9行" in w and "推定为 11" in w for w in plan.warnings)


def test_seed_001_run_together_leads_and_participants(lvyuan):
    _, tasks = lvyuan
    assert _kept(tasks["4"]) == ["区政数局", "区司法局"] and tasks["4"].responsible_groups == ("各有关部门",)
    assert _kept(tasks["5"]) == ["区发改局", "区政数局", "市市场监管局绿园分局"]  # a branch, not D02
    assert _kept(tasks["10"]) == ["区委政法委", "区委依法治区办", "区司法局"]
    assert tasks["10"].text.endswith("充分听取企业和行业协会商会意见。")
    assert _kept(tasks["11"]) == ["市市场监管局绿园分局"] and tasks["11"].responsible_groups == ("各有关部门",)
    assert tasks["7"].text == "实行证明事项清单管理,全面落实证明事项告知承诺制。"  # "7 实行": no dot after 7


def test_seed_001_tasks_with_only_responsible_units_have_no_lead_and_are_reported(lvyuan):
    plan, tasks = lvyuan
    assert tasks["13"].lead == () and _kept(tasks["13"], "responsible") == ["区财政局", "区民政局", "市市场监管局绿园分局"]
    assert tasks["14"].responsible_groups == ("各有关部门",)
    assert any("任务 13" in w and "未写明牵头单位" in w for w in plan.warnings)
    assert any("任务 28" in w and "未写明牵头单位和责任单位" in w for w in plan.warnings)  # the capture ends mid-task


def test_seed_001_page_numbers_of_the_capture_are_dropped_and_pages_rejoined(lvyuan):
    _, tasks = lvyuan
    assert "及时做好“三定”规定修订工作" in tasks["1"].text  # "…规定" / "4、修订工作" across a page
    assert (tasks["14"].chapter, tasks["14"].section) == ("建立健全依法行政制度体系", "加强行政规范性文件制定监督管理")
    assert (tasks["1"].chapter, tasks["1"].section) == ("建立健全政府机构职能体系", "推进政府机构职能优化协同高效")
