"""Building the public table: 不涉及 stays 不涉及, a unit that has not reported reads 尚未报送, totals add
numbers only."""

from __future__ import annotations

import dataclasses

from nianbao.disclosure.table import Cell, build_table, cell_text, column_name, total_of
from tests.disclosure.conftest import Data, data_of

YEAR = 2026


def codes(city):
    return [u.code for u in city.reporting_units]


def test_columns_follow_disclosure_yaml_in_order_and_grouping(city, spec):
    table = build_table(spec, city, YEAR, codes(city), {})
    assert [g.heading for g in table.groups] == ["行政许可", "行政处罚", "罚没金额", "行政强制", "行政征收征用",
                                                  "行政收费", "行政检查"]
    assert [c.code for c in table.columns] == list(spec.codes)
    fine = next(c for c in table.columns if c.code == "E_CF_FK")
    assert (fine.label, fine.measure, fine.amount) == ("罚款", "件", False)
    assert next(c for c in table.columns if c.code == "E_CF_JE").amount
    licence = table.columns[0]
    assert licence.label == city.indicator("E_XK").name  # no label configured: the catalogue's name
    assert column_name(fine, table.groups[1], spec.words) == "行政处罚（罚款）"
    assert column_name(licence, table.groups[0], spec.words) == "行政许可"


def test_na_is_kept_as_na_and_never_becomes_zero(city, spec):
    first = codes(city)[0]
    table = build_table(spec, city, YEAR, [first], {first: data_of({"E_XK": None, "E_QZ": 0, "E_CF_JE": None})})
    row = table.rows[0]
    cells = dict(zip([c.code for c in table.columns], row.cells))
    assert cells["E_XK"] == Cell("na") and cells["E_CF_JE"] == Cell("na")
    assert cells["E_QZ"] == Cell("number", 0)
    xk = table.columns[0]
    assert cell_text(cells["E_XK"], xk, spec.words) == "不涉及"
    assert cell_text(cells["E_QZ"], xk, spec.words) == "0"
    assert table.total[0] == Cell("na")  # the only unit has no such power: the city has none either


def test_units_not_reported_are_listed_as_such_in_every_cell(city, spec, sample):
    table = build_table(spec, city, YEAR, codes(city), sample)
    missing = list(city.reporting_units)[-2:]
    assert [r.name for r in table.missing] == [u.name for u in missing]
    for row in table.missing:
        assert {cell_text(c, col, spec.words) for c, col in zip(row.cells, table.columns)} == {"尚未报送"}
    assert len(table.reported) == len(city.reporting_units) - 2


def test_the_total_adds_numbers_only_and_reads_na_when_every_unit_is_na(city, spec):
    a, b, c = codes(city)[:3]
    data = {a: data_of({"E_XK": 1200, "E_CF_JE": 10.25, "E_SF": None}),
            b: data_of({"E_XK": None, "E_CF_JE": 0.1, "E_SF": None}),
            c: data_of({"E_XK": 34000, "E_CF_JE": 0.2, "E_SF": None})}
    table = build_table(spec, city, YEAR, [a, b, c, codes(city)[3]], data)  # the fourth has not reported
    total = dict(zip([col.code for col in table.columns], table.total))
    cols = {col.code: col for col in table.columns}
    assert total["E_XK"] == Cell("number", 35200)
    assert cell_text(total["E_XK"], cols["E_XK"], spec.words) == "35,200"
    assert cell_text(total["E_CF_JE"], cols["E_CF_JE"], spec.words) == "10.55"  # two decimals, no float noise
    assert total["E_SF"] == Cell("na")


def test_amounts_keep_two_decimals_and_counts_get_thousands_separators(city, spec):
    cols = {c.code: c for c in build_table(spec, city, YEAR, [], {}).columns}
    assert cell_text(Cell("number", 1234.5), cols["E_CF_JE"], spec.words) == "1,234.50"
    assert cell_text(Cell("number", 0), cols["E_CF_JE"], spec.words) == "0.00"
    assert cell_text(Cell("number", 1234567.0), cols["E_JC"], spec.words) == "1,234,567"


def test_a_total_with_no_unit_reported_is_blank_not_zero(city, spec):
    table = build_table(spec, city, YEAR, codes(city)[:2], {})
    assert {c.state for c in table.total} == {"blank"}
    assert total_of(table.columns[0], []) == Cell("blank")


def test_an_indicator_not_asked_of_a_unit_kind_is_blank_as_in_the_export(city, spec):
    """Mirrors `nianbao export`: only the indicators a unit's kind reports are its figures."""
    narrowed = tuple(i.model_copy(update={"applies_to": ("district",)}) if i.code == "E_ZS" else i
                     for i in city.indicators)
    config = dataclasses.replace(city, indicators=narrowed)
    dept = next(u for u in city.reporting_units if u.kind == "department")
    table = build_table(spec, config, YEAR, [dept.code], {dept.code: Data({"E_ZS": 5.0, "E_XK": 1.0})})
    cells = dict(zip([c.code for c in table.columns], table.rows[0].cells))
    assert cells["E_ZS"] == Cell("blank") and cells["E_XK"] == Cell("number", 1.0)
    assert cells["E_QZ"] == Cell("blank")  # accepted without that figure: shown as missing, never 0
    assert cell_text(cells["E_ZS"], table.columns[0], spec.words) == "—"
