"""Consistency rules (config/rules.yaml): an amount or a kind reported makes its category applicable,
and a department of a kind that must hold a power is asked to confirm 不涉及 with 上报说明."""

from __future__ import annotations

from nianbao.demo import confirm_notes
from nianbao.sample_data import unit_values
from nianbao.workbook.checks import check_workbook
from nianbao.workbook.consistency import broken_rules
from nianbao.workbook.fill import fill_workbook
from nianbao.workbook.reader import read_workbook
from nianbao.workbook.template import build_template

KEY = b"test-key"


def checked(city, unit, notes=None, **changes):
    values = {**unit_values(city, unit, 2026), **changes}
    typed = {k: ("不涉及" if v is None else v) for k, v in values.items()}
    data = fill_workbook(build_template(city, unit, 2026, {}, KEY), typed, notes=notes or {})
    return check_workbook(city, unit, read_workbook(data, "x.xlsx", KEY, city), {})


def cell_of(city, unit, code):
    data = build_template(city, unit, 2026, {}, KEY)
    cell = read_workbook(data, "x.xlsx", KEY, city).cell(code)
    return f"『{cell.sheet}』{cell.ref}"


def test_fines_amount_with_fines_and_confiscations_not_applicable_is_rejected_naming_the_cells(city):
    district = city.reporting_units[0]
    base = unit_values(city, district, 2026)
    total = base["E_CF_HJ"] - base["E_CF_FK"] - base["E_CF_MS"]
    result = checked(city, district, E_CF_FK=None, E_CF_MS=None, E_CF_HJ=total, E_CF_JE=1548.89)
    (err,) = [e for e in result.errors if e.code == "C01"]
    assert not result.accepted
    for code in ("E_CF_JE", "E_CF_FK", "E_CF_MS"):
        assert cell_of(city, district, code) in err.message
    assert "罚没金额" in err.message and "1548.89" in err.message and "不涉及" in err.message


def test_fines_without_an_amount_make_the_amount_applicable(city):
    district = city.reporting_units[0]
    result = checked(city, district, E_CF_JE=None)
    (err,) = [e for e in result.errors if e.code == "C02"]
    assert cell_of(city, district, "E_CF_FK") in err.message and cell_of(city, district, "E_CF_JE") in err.message


def test_a_department_that_must_license_is_asked_to_confirm_not_applicable(city):
    nature = city.unit("D06")
    others = confirm_notes(city, unit_values(city, nature, 2026), nature)  # the unit's other warnings answered
    held = checked(city, nature, notes=others, E_XK=None)
    assert not held.errors and [w.code for w in held.warnings] == ["P01"]
    assert "上报说明" in held.warnings[0].message
    confirmed = checked(city, nature, notes={**others, "E_XK": "职能已划转市行政审批局"}, E_XK=None)
    assert confirmed.accepted and "P01" in [f.code for f in confirmed.confirmed]


def test_the_generated_data_breaks_no_error_rule(city):
    for unit in city.reporting_units:
        for year in (2025, 2026):
            v = unit_values(city, unit, year)
            na = {c for c, x in v.items() if x is None}
            numbers = {c: x for c, x in v.items() if x is not None}
            broken = broken_rules(city.rules, unit.code, unit.kind, set(v), numbers, na)
            assert [b.rule.code for b in broken if b.rule.severity == "error"] == [], unit.name
