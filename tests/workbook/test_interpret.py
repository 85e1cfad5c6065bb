"""``interpret`` matches rows by the code in column A, whichever reader produced the cells."""

from __future__ import annotations

from nianbao.workbook.reader import Cell, interpret


def test_only_a_code_in_column_a_counts_and_its_row_gives_value_and_note(city):
    code, other, third = sorted(city.input_codes)[:3]
    sheet = {"A2": "填报单位:某单位", "A5": f" {code} ", "D5": 12.0, "F5": " 说明 ",
             "AA6": other, "D6": 1.0,  # a two-letter column is not column A
             "A7": 7.0, "D7": 2.0,  # not text
             "A8": third, "D8": None}
    raw = interpret({"s": sheet}, {"s": {"D8"}}, b"k", city, "xlsx")
    assert raw.unit_name == "某单位"
    assert (raw.cell(code), raw.cell(third), raw.cell(other)) == (Cell(12.0, "s", "D5"), Cell(None, "s", "D8"), None)
    assert raw.notes == {code: "说明"}
    assert raw.formula_errors == [Cell(None, "s", "D8")]


def test_the_unit_name_reads_after_a_full_width_or_an_older_half_width_colon(city):
    for label in ("填报单位：某单位", "填报单位:某单位"):
        assert interpret({"s": {"A2": label}}, {}, b"k", city, "xlsx").unit_name == "某单位"
