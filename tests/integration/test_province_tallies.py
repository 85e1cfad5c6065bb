"""Province scale: the figures the database sums (one GROUP BY, per-unit figures only for the ranked
indicators) are the figures the city path computes from every unit's values in memory."""

from __future__ import annotations

import dataclasses
import io

import openpyxl
import pendulum
import pytest

from nianbao import repo
from nianbao.db.session import unit_of_work
from nianbao.db.tallies import tally_cycle
from nianbao.report.tally import ranked_codes, tally_reports
from nianbao.stages.draft import city_aggregate, make_draft, unit_reports
from nianbao.stages.export import export_values, export_workbook
from nianbao.intake.release import ingest_workbook_file
from nianbao.stages.open_cycle import open_cycle
from tests.factories import filled, resources

AT = pendulum.datetime(2027, 1, 20, 10, tz="Asia/Shanghai")


@pytest.fixture
def res(settings, db_url):
    """Two years of figures: every unit last year; this year all but the last unit, one of them twice
    (the second workbook supersedes the first), one answering 不涉及 where allowed."""
    r = resources(settings, db_url, AT)
    units = list(r.config.reporting_units)
    open_cycle(r, 2025)
    for u in units:
        ingest_workbook_file(r, filled(r, u, 2025), f"{u.code}-2025.xlsx")
    open_cycle(r, 2026)
    for u in units[:-1]:
        ingest_workbook_file(r, filled(r, u, 2026), f"{u.code}.xlsx")
    again = units[0]
    ingest_workbook_file(r, filled(r, again, 2026, F1_01=99), f"{again.code}-v2.xlsx")
    return r


def _province(res):
    """The same cycle drafted as a province is: summed by the database (unit_table_max below the units)."""
    return res.with_(config=dataclasses.replace(res.config, report=res.config.report.model_copy(
        update={"unit_table_max": 0})))


def _compared(t, ranked: bool) -> tuple:
    return (round(t.value, 9) if t.value is not None else None, t.covered, t.na_units, t.by_unit if ranked else None)


@pytest.mark.parametrize("ranked_typed", [[], ["E_XK", "F1_01"]], ids=["ratios", "typed_in_too"])
def test_the_database_tallies_equal_the_in_memory_ones_for_both_years(res, monkeypatch, ranked_typed):
    """With typed-in indicators ranked too (E_XK: some units answer 不涉及), their per-unit figures
    and 不涉及 come from the database the same way."""
    rules = res.config.report.problems
    report = res.config.report.model_copy(update={"problems": rules.model_copy(
        update={"weak_capacity": (*rules.weak_capacity, *ranked_typed)})})
    res = res.with_(config=dataclasses.replace(res.config, report=report))
    current, previous = unit_reports(res, 2026)
    ranked = ranked_codes(res.config)
    with unit_of_work(res.db) as s:
        now = tally_cycle(s, res.config, repo.get_cycle(s, 2026).id, [r.unit.code for r in current])
        before = tally_cycle(s, res.config, repo.get_cycle(s, 2025).id, [u.code for u in res.config.units])
    for sql, mem in ((now, tally_reports(res.config, current)), (before, tally_reports(res.config, previous))):
        for code, t in mem.items():
            assert _compared(sql[code], code in ranked) == _compared(t, code in ranked), code
    assert now["F1_01"].value == sum(r.values["F1_01"] for r in current if r.submission_id)
    assert any(t.na_units for t in now.values())
    if ranked_typed:
        assert None in now["E_XK"].by_unit.values()


def test_indicators_aggregated_by_max_or_min_take_the_extreme_unit(res):
    import dataclasses

    how = {"F1_01": "max", "E_XK": "min"}
    cfg = dataclasses.replace(res.config, indicators=tuple(
        i.model_copy(update={"aggregate": how[i.code]}) if i.code in how else i for i in res.config.indicators))
    current, _ = unit_reports(res, 2026)
    with unit_of_work(res.db) as s:
        sql = tally_cycle(s, cfg, repo.get_cycle(s, 2026).id, [r.unit.code for r in current])
    mem = tally_reports(cfg, current)
    figures = [r.values["F1_01"] for r in current if r.submission_id]
    assert sql["F1_01"].value == mem["F1_01"].value == max(figures)
    assert sql["E_XK"].value == mem["E_XK"].value is not None
    assert sql["F1_02"].value == mem["F1_02"].value  # summed as before


def test_a_province_draft_reads_exactly_like_the_city_draft(res, monkeypatch, tmp_path):
    city = make_draft(res, 2026, tmp_path / "city").doc
    res = _province(res)
    province = make_draft(res, 2026, tmp_path / "province").doc
    assert province.markdown == city.markdown
    assert province.figures == city.figures


def test_a_province_appendix_leaves_out_the_per_unit_table_and_says_where_it_is(res, monkeypatch, tmp_path):
    res = _province(res)
    wb = openpyxl.load_workbook(io.BytesIO(make_draft(res, 2026, tmp_path).doc.appendix_xlsx), read_only=True)
    note = next(wb["分单位"].iter_rows(values_only=True))[0]
    assert "nianbao export --year 2026" in note and f"{len(res.config.reporting_units)}家" in note
    figures = list(wb["全市指标"].iter_rows(values_only=True))
    assert len(figures) == len(res.config.indicators) + 1


def test_a_province_aggregate_still_names_the_units_furthest_apart(res, monkeypatch):
    res = _province(res)
    agg = city_aggregate(res, 2026)
    rates = agg.figures["E_CZL"].by_unit
    assert rates and len(rates) == len(res.config.reporting_units) - 1
    assert agg.figures["F1_04"].by_unit is None and agg.figures["F1_04"].sources is None


def test_the_per_unit_table_the_province_appendix_points_to_is_exported_as_a_workbook(res, tmp_path):
    path = tmp_path / "分单位.xlsx"
    assert export_workbook(res, 2026, path) == len(res.config.reporting_units) - 1
    rows = list(openpyxl.load_workbook(path, read_only=True)["分单位"].iter_rows(values_only=True))
    header, table = rows[0], {r[0]: dict(zip(rows[0], r)) for r in rows[2:]}
    for r in export_values(res, 2026):
        assert table[r["unit_code"]][r["indicator"]] == (r["text"] if r["value"] is None else r["value"])
    assert any(v == "不涉及" for row in table.values() for v in row.values())
    assert "F1_01" in header and all(r[2] for r in rows[2:])  # every row names its submission


def test_a_unit_no_longer_expected_is_left_out_of_the_database_tallies(res):
    """A unit removed from config mid-cycle keeps its accepted rows, but no longer counts."""
    current, _ = unit_reports(res, 2026)
    gone = current[0].unit.code
    kept = [r for r in current if r.unit.code != gone]
    with unit_of_work(res.db) as s:
        sql = tally_cycle(s, res.config, repo.get_cycle(s, 2026).id, [r.unit.code for r in kept])
    mem = tally_reports(res.config, kept)
    assert sql["F1_01"].value == mem["F1_01"].value and sql["F1_01"].covered == mem["F1_01"].covered
    assert gone not in sql["E_CZL"].by_unit and round(sql["E_CZL"].value, 9) == round(mem["E_CZL"].value, 9)
