"""What changed since the previous disclosure: units newly reported, cells changed, or 无变化."""

from __future__ import annotations

import json

from nianbao.disclosure.changes import compare, describe, snapshot, snapshot_bytes
from nianbao.disclosure.table import build_table
from tests.disclosure.conftest import data_of

YEAR = 2026


def make(city, spec, data):
    return build_table(spec, city, YEAR, [u.code for u in city.reporting_units][:4], data)


def test_the_first_disclosure_says_so_with_its_coverage(city, spec):
    a = city.reporting_units[0].code
    table = make(city, spec, {a: data_of({"E_XK": 3})})
    changes = compare(None, table, spec.words)
    assert changes.first and not changes.unchanged
    assert describe(changes, table, city.text) == ["首次生成2026年度行政执法数据公开表：应报送4家，已报送1家，尚未报送3家"]


def test_the_same_figures_again_are_unchanged_and_give_the_same_snapshot_bytes(city, spec, sample):
    table = make(city, spec, sample)
    before = json.loads(snapshot_bytes(table))
    again = make(city, spec, dict(sample))
    changes = compare(before, again, spec.words)
    assert changes.unchanged
    assert describe(changes, again, city.text) == ["与上次生成的公开表相比无变化"]
    assert snapshot_bytes(again) == snapshot_bytes(table)


def test_late_and_corrected_submissions_are_named_with_before_and_after(city, spec):
    a, b, c, _ = [u.code for u in city.reporting_units][:4]
    names = {u.code: u.name for u in city.reporting_units}
    first = make(city, spec, {a: data_of({"E_XK": 1800, "E_CF_JE": None}), b: data_of({"E_XK": 5})})
    before = json.loads(snapshot_bytes(first))
    later = make(city, spec, {a: data_of({"E_XK": 1900, "E_CF_JE": 12.5}), b: data_of({"E_XK": 5}),
                              c: data_of({"E_XK": 7})})
    changes = compare(before, later, spec.words)
    assert changes.newly_reported == (names[c],)
    assert [(x.unit, x.column, x.before, x.after) for x in changes.cells] == [
        (names[a], "行政许可", "1,800", "1,900"), (names[a], "罚没金额", "不涉及", "12.50")]
    lines = describe(changes, later, city.text)
    assert lines[0] == f"新报送的单位（1家）：{names[c]}"
    assert f"{names[a]}　罚没金额：不涉及 → 12.50" in lines[-1]


def test_a_unit_whose_accepted_submission_is_gone_is_named(city, spec):
    a = city.reporting_units[0].code
    before = snapshot(make(city, spec, {a: data_of({"E_XK": 1})}))
    changes = compare(before, make(city, spec, {}), spec.words)
    assert changes.no_longer_reported == (city.reporting_units[0].name,) and not changes.cells


def test_a_column_added_to_disclosure_yaml_since_is_not_a_change_of_figures(city, spec):
    a = city.reporting_units[0].code
    table = make(city, spec, {a: data_of({"E_XK": 1, "E_JC": 2})})
    before = snapshot(table)
    before["columns"].remove("E_JC")
    del before["units"][a]["cells"]["E_JC"]
    assert compare(before, make(city, spec, {a: data_of({"E_XK": 1, "E_JC": 3})}), spec.words).unchanged
