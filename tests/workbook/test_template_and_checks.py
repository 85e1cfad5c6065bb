"""Templates and checks: a filled workbook reads back exactly; every error names sheet, cell, indicator."""

from __future__ import annotations

import io

import openpyxl
import pytest

from nianbao.demo import confirm_notes
from nianbao.sample_data import unit_values
from nianbao.workbook.checks import check_workbook
from nianbao.workbook.fill import fill_workbook
from nianbao.workbook.reader import read_workbook
from nianbao.workbook.template import build_template

KEY = b"test-key"


@pytest.fixture
def district(city):
    return city.reporting_units[0]


def typed(values):
    return {k: ("不涉及" if v is None else v) for k, v in values.items()}


def filled(city, unit, **changes):
    values = {**unit_values(city, unit, 2026), **changes}
    data = fill_workbook(build_template(city, unit, 2026, {}, KEY), typed(values), notes=confirm_notes(city, values))
    return values, data


def test_template_is_protected_with_only_input_cells_unlocked(city, district):
    wb = openpyxl.load_workbook(io.BytesIO(build_template(city, district, 2026, {}, KEY)))
    ws = wb[city.report.sections[0].sheet]
    assert ws.protection.sheet
    assert ws["D4"].protection.locked is False and ws["B4"].protection.locked is True
    assert ws.data_validations.dataValidation, "every input cell has a validation"
    assert wb["_identity"].sheet_state == "veryHidden"


def test_an_input_cell_shows_its_indicator_and_unit_when_selected(city, district):
    wb = openpyxl.load_workbook(io.BytesIO(build_template(city, district, 2026, {}, KEY)))
    ws = wb[city.report.sections[0].sheet]
    dv = next(v for v in ws.data_validations.dataValidation if "D4" in str(v.sqref))
    ind = next(i for i in city.input_indicators(district) if i.section == city.report.sections[0].code)
    assert dv.showInputMessage and dv.promptTitle == ind.name[:32] and ind.unit in dv.prompt


def test_template_prefills_last_year_and_marks_not_applicable(city, district):
    wb = openpyxl.load_workbook(io.BytesIO(build_template(city, district, 2026, {"F1_01": 7, "E_XK": None}, KEY)))
    cells = {ws[f"A{r}"].value: ws[f"E{r}"].value for ws in wb.worksheets for r in range(4, ws.max_row + 1)}
    assert cells["F1_01"] == 7 and cells["E_XK"] == "不涉及" and cells["F1_02"] is None


def test_filled_workbook_reads_back_every_value(city, district):
    values, data = filled(city, district)
    raw = read_workbook(data, "x.xlsx", KEY, city)
    result = check_workbook(city, district, raw, {})
    assert result.accepted, result.errors + result.warnings
    for code, v in values.items():
        assert (code in result.na) if v is None else result.values[code] == v


def test_signature_from_another_key_is_not_valid(city, district):
    _, data = filled(city, district)
    assert read_workbook(data, "x.xlsx", b"other", city).identity.signature_valid is False


def test_parts_not_summing_to_the_total_is_an_error_naming_the_cell(city, district):
    _, data = filled(city, district, E_CF_HJ=1)
    result = check_workbook(city, district, read_workbook(data, "x.xlsx", KEY, city), {})
    (err,) = [e for e in result.errors if e.code == "R03"]
    assert err.sheet == "制度与执法" and err.cell.startswith("D") and "合计" in err.message


def test_blank_cell_is_an_error_that_says_zero_or_not_applicable(city, district):
    _, data = filled(city, district, E_XK="")
    result = check_workbook(city, district, read_workbook(data, "x.xlsx", KEY, city), {})
    assert any(e.indicator == "E_XK" and "填 0" in e.message and "不涉及" in e.message for e in result.errors)


def test_not_applicable_where_not_allowed_is_an_error(city, district):
    _, data = filled(city, district, E_ZFRY="不涉及")
    result = check_workbook(city, district, read_workbook(data, "x.xlsx", KEY, city), {})
    assert any(e.code == "na_not_allowed" and e.indicator == "E_ZFRY" for e in result.errors)


def test_year_on_year_outlier_is_a_warning_until_explained(city, district):
    values, data = filled(city, district)
    last = {"F1_02": values["F1_02"] * 10 + 100}
    raw = read_workbook(data, "x.xlsx", KEY, city)
    result = check_workbook(city, district, raw, last)
    assert not result.accepted and [w.indicator for w in result.warnings] == ["F1_02"]
    explained = fill_workbook(data, {}, notes={"F1_02": "机构改革后会议合并召开"})
    result = check_workbook(city, district, read_workbook(explained, "x.xlsx", KEY, city), last)
    assert result.accepted and "F1_02" in [c.indicator for c in result.confirmed]


def test_rows_moved_are_matched_by_code(city, district):
    values, data = filled(city, district)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb[city.report.sections[0].sheet]
    ws.protection.sheet = False
    ws.insert_rows(5, 3)
    buf = io.BytesIO()
    wb.save(buf)
    result = check_workbook(city, district, read_workbook(buf.getvalue(), "x.xlsx", KEY, city), {})
    assert result.values["F1_02"] == values["F1_02"]


def test_lost_identity_sheet_still_reads_with_the_unit_name(city, district):
    _, data = filled(city, district)
    raw = read_workbook(fill_workbook(data, {}, drop_identity=True), "x.xlsx", KEY, city)
    assert raw.identity is None and raw.unit_name == district.name


def test_a_formula_without_a_cached_value_is_a_clear_error(city, district):
    _, data = filled(city, district)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb[city.report.sections[0].sheet]
    ws["D4"] = "=SUM(D5:D6)"  # openpyxl writes formulas without a cached result, as some tools do
    buf = io.BytesIO()
    wb.save(buf)
    result = check_workbook(city, district, read_workbook(buf.getvalue(), "x.xlsx", KEY, city), {})
    (err,) = [e for e in result.errors if e.code == "formula"]
    assert err.cell == "D4" and "公式" in err.message


def test_an_inputs_prompt_and_error_read_as_a_clerk_writes_numbers(city, district):
    wb = openpyxl.load_workbook(io.BytesIO(build_template(city, district, 2026, {}, b"k")))
    texts = [(dv.prompt, dv.error) for ws in wb.worksheets for dv in ws.data_validations.dataValidation]
    assert texts and all("计量单位：" in prompt and ".0" not in error for prompt, error in texts), texts[:3]


def test_a_large_figure_is_quoted_in_plain_digits_never_in_exponent_form(city, district):
    _, data = filled(city, district, E_XK=1234567891)  # over the 1e9 a count may hold
    result = check_workbook(city, district, read_workbook(data, "x.xlsx", KEY, city), {})
    (err,) = [e for e in result.errors if e.indicator == "E_XK"]
    assert "1234567891" in err.message and "1000000000" in err.message and "e+" not in err.message


def test_a_value_out_of_bounds_is_told_the_span_its_input_cell_shows(city, district):
    wb = openpyxl.load_workbook(io.BytesIO(build_template(city, district, 2026, {}, b"k")))
    shown = {ws[f"A{ws[str(dv.sqref)].row}"].value: dv.error  # indicator code → the input cell's error message
             for ws in wb.worksheets for dv in ws.data_validations.dataValidation}
    _, data = filled(city, district, F1_03=3)  # a 0/1 flag
    result = check_workbook(city, district, read_workbook(data, "x.xlsx", KEY, city), {})
    (err,) = [e for e in result.errors if e.indicator == "F1_03"]
    assert "0至1" in err.message and "0至1" in shown["F1_03"], (err.message, shown["F1_03"])
