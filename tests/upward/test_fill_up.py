"""fill-up on province workbooks built for real: by code, by name only, through upward.yaml; every row
it could not fill reported with why; locked, formula and text cells left alone; the input untouched."""

from __future__ import annotations

import hashlib
import zipfile

import openpyxl

from nianbao.stages.fill_up import fill_up
from nianbao.upward.figures import rounded
from tests.upward.conftest import YEAR
from tests.upward.sheets import protect, province_book

CODES_HEADER = ["序号", "指标代码", "指标名称", "计量单位", "本年数值", "上年数值"]
WHOLE = ("count", "flag")


def city_figure(res, totals, code):
    return rounded(totals[code], res.config.indicator(code).type in WHOLE)


def cells(path, sheet="统计表", col="E"):
    ws = openpyxl.load_workbook(path)[sheet]
    return {r: ws[f"{col}{r}"].value for r in range(1, ws.max_row + 1)}


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_rows_with_our_codes_get_the_city_totals_and_the_rest_is_reported(city_res, totals, tmp_path):
    rows = [[1, "F1_01", "研究法治建设次数", "次", None, 20], [2, "E_CF_HJ", "处罚合计", "件", None, None],
            [3, "E_CF_JE", "罚没金额", "万元", None, None], [4, "E_CZL", "持证率", "%", None, None],
            [5, " f4_05 ", "一审结案", "件", None, None],  # spaces and case as a province types them
            [6, "X99", "本省特有指标", "件", None, None], [7, "F1_03", "报告按时公开", "个", None, None],
            [8, "E_JLY", "执法记录仪", "台", None, None]]
    src = province_book(tmp_path / "省表.xlsx", CODES_HEADER, rows)
    before = sha(src)
    result = fill_up(city_res, YEAR, src, tmp_path / "out.xlsx")

    assert sha(src) == before  # the province's file is never written
    got = cells(tmp_path / "out.xlsx")
    for r, code in ((4, "F1_01"), (5, "E_CF_HJ"), (6, "E_CF_JE"), (7, "E_CZL"), (8, "F4_05")):
        assert got[r] == city_figure(city_res, totals, code), code
    assert isinstance(got[4], int) and got[7] == round(totals["E_CZL"], 2)  # counts whole, rates 2 decimals
    assert cells(tmp_path / "out.xlsx", col="F")[4] == 20  # last year's column is not the value column
    assert {f.source: f.how for f in result.filled} == {c: "code" for c in ("F1_01", "E_CF_HJ", "E_CF_JE", "E_CZL", "F4_05")}
    reasons = {u.label: u.reason for u in result.unfilled}
    assert reasons.keys() == {"本省特有指标", "报告按时公开", "执法记录仪"}
    assert "未找到对应的本市指标" in reasons["本省特有指标"]
    assert "是/否类指标" in reasons["报告按时公开"] and "config/upward.yaml" in reasons["报告按时公开"]
    assert reasons["执法记录仪"] == "全市各报送单位均填报“不涉及”（执法记录仪配备数）"
    assert [(u.sheet, u.row, u.cell) for u in result.unfilled] == [("统计表", 9, "E9"), ("统计表", 10, "E10"),
                                                                   ("统计表", 11, "E11")]
    assert got[9] is got[10] is got[11] is None
    assert result.sheets == ["统计表"] and result.skipped_sheets == ["填表说明"] and result.kept_sheets == ["参数"]
    assert (result.expected, result.reported) == (len(city_res.config.reporting_units), 5)


def test_what_else_the_province_put_in_its_workbook_is_kept(city_res, tmp_path):
    src = province_book(tmp_path / "省表.xlsx", CODES_HEADER, [[1, "F1_01", "次数", "次", None, None]])
    fill_up(city_res, YEAR, src, tmp_path / "out.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "out.xlsx")
    assert wb.sheetnames == ["统计表", "填表说明", "参数"]
    assert wb["参数"].sheet_state == "hidden" and wb["参数"]["B1"].value == "2026-省-1"
    assert wb.defined_names["报送年度"].attr_text == "参数!$B$1"
    assert [str(dv.sqref) for dv in wb["统计表"].data_validations.dataValidation] == ["A4:Z4"]
    assert wb["统计表"]["A1"].value == "市级法治政府建设统计表" and wb["填表说明"]["A1"].value == "请按本年度数据填写。"


def test_a_sheet_with_names_only_is_matched_by_our_names(city_res, totals, tmp_path):
    # Their spelling: full-width brackets and dashes, full-width and ideographic spaces, a list number,
    # a measure word behind the name; no code column at all.
    rows = [["一、 党政主要负责人专题研究法治建设次数", "次", None],
            ["行政处罚－警告／通报批评", "件", None],
            ["（2）行政处罚 — 罚款", "件", None],
            ["行政执法人员持证率（%）", "%", None],
            ["民主法治示范村【社区】数", "个", None],
            ["行政许可\u3000决定数（件）", "件", None],
            ["全省统一考核得分", "分", None]]
    src = province_book(tmp_path / "名称表.xlsx", ["项目", "单位", "本年"], rows, header_row=2)
    result = fill_up(city_res, YEAR, src, tmp_path / "out.xlsx")
    got = cells(tmp_path / "out.xlsx", col="C")
    expected = {3: "F1_01", 4: "E_CF_JG", 5: "E_CF_FK", 6: "E_CZL", 7: "F5_09", 8: "E_XK"}
    assert {r: got[r] for r in expected} == {r: city_figure(city_res, totals, c) for r, c in expected.items()}
    assert {f.how for f in result.filled} == {"name"}
    assert [(u.label, u.reason) for u in result.unfilled] == [
        ("全省统一考核得分", "未找到对应的本市指标（指标代码、指标名称均不符，config/upward.yaml 的 rows 中也没有这一行）")]


MAPPING = """
rows:
  "行政处罚案件数": E_CF_HJ
  "一般程序行政处罚案件（不含警告）": E_CF_HJ - E_CF_JG
  "罚没金额（元）": E_CF_JE * 10000
  "人均持证执法人员（人）": E_CZRS / (E_ZFRY - E_CZRS + E_CZRS)
  "执法记录仪（含借用）": E_JLY + 2
  "行政复议纠错数": F4_01
"""


def test_rows_only_upward_yaml_knows_are_filled_by_its_mapping(city_res, totals, with_upward, tmp_path):
    rows = [["A01", "行政处罚 案件数", None], ["A02", "一般程序行政处罚案件(不含警告)", None],
            ["A03", "罚没金额（元）", None], ["A04", "人均持证执法人员", None],
            ["A05", "执法记录仪（含借用）", None], ["A06", "行政复议纠错数", None]]
    src = province_book(tmp_path / "映射表.xlsx", ["代码", "指标", "数值"], rows)
    result = fill_up(with_upward(MAPPING), YEAR, src, tmp_path / "out.xlsx")
    got = cells(tmp_path / "out.xlsx", col="C")
    assert got[4] == city_figure(city_res, totals, "E_CF_HJ")
    assert got[5] == round(totals["E_CF_HJ"] - totals["E_CF_JG"]) and isinstance(got[5], int)
    assert got[6] == round(totals["E_CF_JE"] * 10000, 2)
    assert got[7] == round(totals["E_CZRS"] / totals["E_ZFRY"], 2)  # a division is never a whole count
    # The administrator's mapping wins over our own name (行政复议纠错数 is F4_03 here, F4_01 up there).
    assert got[9] == city_figure(city_res, totals, "F4_01")
    assert {f.label: f.how for f in result.filled}["行政复议纠错数"] == "mapping"
    (missing,) = result.unfilled
    assert (missing.label, missing.cell) == ("执法记录仪（含借用）", "C8")
    assert missing.reason == ("按 config/upward.yaml 的映射“E_JLY + 2”无法计算："
                              "全市各报送单位均填报“不涉及”（执法记录仪配备数）")


def test_locked_formula_text_and_merged_cells_are_left_alone_and_reported(city_res, totals, tmp_path):
    rows = [[1, "F1_01", "a", "次", None], [2, "F1_02", "b", "次", "=E4*2"], [3, "F1_04", "c", "个", "见附表"],
            [4, "F3_01", "d", "件", 7], [5, "F3_02", "e", "件", None], [6, "F3_04", "f", "件", "  "],
            [7, "F3_05", "g", "件", None]]
    src = province_book(tmp_path / "锁定.xlsx", CODES_HEADER[:5], rows)
    protect(src, "统计表", unlocked=["E4", "E5", "E6", "E7", "E9", "E10"], password="sheng")
    wb = openpyxl.load_workbook(src)
    wb["统计表"].merge_cells("D10:E10")
    wb.save(src)

    result = fill_up(city_res, YEAR, src, tmp_path / "out.xlsx")
    out = openpyxl.load_workbook(tmp_path / "out.xlsx")["统计表"]
    reasons = {u.cell: u.reason for u in result.unfilled}
    assert reasons == {"E5": "单元格 E5 是公式，未改写", "E6": "单元格 E6 已有文字“见附表”，未改写",
                       "E8": "单元格 E8 已锁定，未填写", "E10": "单元格 E10 属于合并单元格，未填写"}
    assert out["E5"].value == "=E4*2" and out["E6"].value == "见附表" and out["E8"].value is None
    assert out["E4"].value == city_figure(city_res, totals, "F1_01")
    assert out["E9"].value == city_figure(city_res, totals, "F3_04")  # blank text counts as empty
    (replaced,) = result.overwritten
    assert (replaced.cell, replaced.previous, replaced.value) == ("E7", 7, city_figure(city_res, totals, "F3_01"))
    assert out.protection.sheet and out.protection.password == openpyxl.load_workbook(src)["统计表"].protection.password


def test_the_first_listed_value_header_wins_and_last_year_is_never_taken(city_res, totals, tmp_path):
    src = province_book(tmp_path / "两列.xlsx", ["指标名称", "上年数值", "数值", "本年数值（2026年）"],
                        [["行政处罚合计", 1, 2, None]])
    fill_up(city_res, YEAR, src, tmp_path / "out.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "out.xlsx")["统计表"]
    assert [ws[f"{c}4"].value for c in "BCD"] == [1, 2, city_figure(city_res, totals, "E_CF_HJ")]


def test_na_text_from_upward_yaml_is_written_for_a_figure_every_unit_answered_na(city_res, with_upward, tmp_path):
    src = province_book(tmp_path / "na.xlsx", CODES_HEADER, [[1, "E_JLY", "执法记录仪", "台", None, None]])
    result = fill_up(with_upward("na_text: 不涉及\n"), YEAR, src, tmp_path / "out.xlsx")
    assert result.unfilled == [] and cells(tmp_path / "out.xlsx")[4] == "不涉及"


def test_a_template_sent_as_a_form_comes_back_as_a_workbook_excel_opens(city_res, tmp_path):
    src = province_book(tmp_path / "省表.xlsx", CODES_HEADER, [[1, "F1_01", "次数", "次", None, None]])
    wb = openpyxl.load_workbook(src)
    wb.template = True  # what an .xltx carries; Excel refuses it inside a file named .xlsx
    wb.save(tmp_path / "省表.xltx")
    fill_up(city_res, YEAR, tmp_path / "省表.xltx", tmp_path / "out.xlsx")
    types = zipfile.ZipFile(tmp_path / "out.xlsx").read("[Content_Types].xml")
    assert b"spreadsheetml.sheet.main+xml" in types and b"template" not in types
