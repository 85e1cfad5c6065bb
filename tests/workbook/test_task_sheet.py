"""The sheet 重点任务落实情况: each unit's workbook lists exactly its tasks; the answers are read back and
checked with cell-precise messages."""

from __future__ import annotations

import io

import openpyxl
import pytest

from nianbao.cityconfig import load_city_config
from nianbao.demo import confirm_notes
from nianbao.sample_data import unit_values
from nianbao.workbook import layout as L
from nianbao.workbook.checks import check_workbook
from nianbao.workbook.fill import fill_workbook
from nianbao.workbook.reader import read_workbook
from nianbao.workbook.task_checks import document_titles
from nianbao.workbook.template import build_template
from tests.factories import planned_config

KEY = b"task-key"
YEAR = 2026
COUNTIES = ("district", "county", "county_city")


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    return load_city_config(planned_config(tmp_path_factory.mktemp("plan"), YEAR))


def expected_tasks(unit) -> dict[str, str]:
    """The fixture plan by hand: task id → the unit's role in it."""
    out = {}
    if unit.kind in COUNTIES:
        out["1"] = "responsible"
    if unit.code == "D02":
        out["1"] = "lead"
    if unit.code == "320613":
        out["2"] = "lead"
    if unit.code == "D01":
        out["2"] = "responsible"
    if unit.kind == "department":
        out["3"] = "responsible"
    if unit.code == "D01":
        out["3"] = "lead"
    return out


def task_sheet(data: bytes):
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return wb[L.TASK_SHEET] if L.TASK_SHEET in wb.sheetnames else None


def filled(config, unit, answers: dict[str, dict[str, str]]) -> bytes:
    values = unit_values(config, unit, YEAR)
    typed = {k: ("不涉及" if v is None else v) for k, v in values.items()}
    return fill_workbook(build_template(config, unit, YEAR, {}, KEY), typed, notes=confirm_notes(config, values),
                         tasks=answers)


def test_each_units_workbook_lists_its_tasks_and_only_those(planned):
    for unit in planned.reporting_units:
        ws = task_sheet(build_template(planned, unit, YEAR, {}, KEY))
        want = expected_tasks(unit)
        if not want:
            assert ws is None, unit.name
            continue
        rows = {ws[f"A{r}"].value: ws[f"C{r}"].value for r in range(L.TASK_FIRST_ROW, ws.max_row + 1)}
        assert rows == {t: {"lead": "牵头", "responsible": "责任"}[role] for t, role in want.items()}, unit.name


def test_the_task_text_and_role_are_locked_and_the_answers_open(planned):
    ws = task_sheet(build_template(planned, planned.unit("D01"), YEAR, {}, KEY))
    assert ws.protection.sheet
    r = L.TASK_FIRST_ROW
    assert ws[f"B{r}"].protection.locked and ws[f"C{r}"].protection.locked
    assert not any(ws[f"{c}{r}"].protection.locked for c in "DEFG")
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert lists and "已完成,基本完成,正在推进,未启动" in lists[0].formula1


def test_without_a_task_file_for_the_year_there_is_no_task_sheet(planned, city):
    assert task_sheet(build_template(planned, planned.unit("D01"), YEAR + 1, {}, KEY)) is None
    assert task_sheet(build_template(city, city.unit("D01"), YEAR, {}, KEY)) is None


def test_complete_answers_are_accepted_and_read_as_task_answers(planned):
    unit = planned.unit("D01")
    data = filled(planned, unit, {
        "2": {"status": "已完成", "measures": "配合制定执法事项清单"},
        "3": {"status": "正在推进", "measures": "执法记录仪配备到一线", "documents": "《市公安局行政执法公示办法》\n"
              "重大执法决定法制审核目录", "reason": "法制审核人员不足；下一步充实审核力量"}})
    result = check_workbook(planned, unit, read_workbook(data, "x.xlsx", KEY, planned), {})
    assert result.accepted, [f.message for f in result.errors + result.warnings]
    by_task = {a.task_id: a for a in result.answers}
    assert by_task["3"].role == "lead" and by_task["3"].status == "正在推进"
    assert by_task["3"].documents == ("《市公安局行政执法公示办法》", "《重大执法决定法制审核目录》")
    assert by_task["2"].role == "responsible" and by_task["2"].done


def test_a_lead_task_without_status_is_refused_at_its_cell(planned):
    unit = planned.unit("D01")
    result = check_workbook(planned, unit, read_workbook(filled(planned, unit, {"3": {"measures": "已部署"}}),
                                                         "x.xlsx", KEY, planned), {})
    messages = [f.message for f in result.errors]
    assert f"『重点任务落实情况』工作表 D{L.TASK_FIRST_ROW + 1} 单元格（任务3 全面推行行政执法“三项制度”）：" \
           "本单位牵头的任务未填写完成情况（已完成、基本完成、正在推进、未启动），请修改" in messages


def test_an_unfinished_task_without_a_reason_is_refused_at_its_cell(planned):
    unit = planned.unit("D01")
    data = filled(planned, unit, {"3": {"status": "基本完成", "measures": "制度已起草"},
                                  "2": {"status": "未启动"}})
    result = check_workbook(planned, unit, read_workbook(data, "x.xlsx", KEY, planned), {})
    messages = [f.message for f in result.errors]
    row3, row2 = L.TASK_FIRST_ROW + 1, L.TASK_FIRST_ROW
    assert f"『重点任务落实情况』工作表 G{row3} 单元格（任务3 全面推行行政执法“三项制度”）：" \
           "完成情况为“基本完成”，但未填写未完成原因和下一步打算，请修改" in messages
    assert any(m.startswith(f"『重点任务落实情况』工作表 G{row2} 单元格（任务2") for m in messages)
    assert not any(f"E{row3}" in m for m in messages)  # measures were given


def test_a_lead_task_under_way_without_measures_is_refused(planned):
    unit = planned.unit("D01")
    data = filled(planned, unit, {"3": {"status": "正在推进", "reason": "正在调研"}})
    result = check_workbook(planned, unit, read_workbook(data, "x.xlsx", KEY, planned), {})
    assert any(f"E{L.TASK_FIRST_ROW + 1}" in f.message and "主要举措和成效" in f.message for f in result.errors)


def test_a_shared_task_done_without_measures_is_only_a_notice(planned):
    unit = planned.unit("D01")
    data = filled(planned, unit, {"3": {"status": "已完成", "measures": "全面推行"}, "2": {"status": "已完成"}})
    result = check_workbook(planned, unit, read_workbook(data, "x.xlsx", KEY, planned), {})
    assert result.accepted and [f.cell for f in result.notices] == [f"E{L.TASK_FIRST_ROW}"]


def test_overlong_measures_are_refused_not_cut(planned):
    unit = planned.unit("D01")
    data = filled(planned, unit, {"3": {"status": "已完成", "measures": "措" * (L.MAX_MEASURES + 1)}})
    result = check_workbook(planned, unit, read_workbook(data, "x.xlsx", KEY, planned), {})
    assert any("超过2000字" in f.message for f in result.errors)


@pytest.mark.parametrize("typed, titles", [
    ("《甲办法》、《乙规定》", ["《甲办法》", "《乙规定》"]),
    ("1.甲办法\n2、乙规定；", ["《甲办法》", "《乙规定》"]),
    ("<<甲办法>> 〈乙规定〉《甲办法》", ["《甲办法》", "《乙规定》"]),
    ("关于印发《甲办法》的通知", ["《甲办法》"]),
    ("“甲办法”\n“一件事一次办”改革方案", ["《甲办法》", "《“一件事一次办”改革方案》"]),
    ("", []),
])
def test_document_titles_are_normalised_to_book_title_marks(typed, titles):
    assert document_titles(typed) == titles
