"""The disclosure stage on a real cycle (SQLite and PostgreSQL): its per-unit rows are the export's,
不涉及 kept; re-running after a late or corrected submission updates the files and says what changed;
re-running on the same data says 无变化 and rewrites the same bytes."""

from __future__ import annotations

import argparse

import pendulum
import pytest

from nianbao.intake.run import poll_inbox
from nianbao.stages.disclose import disclose, disclosure_early, disclosure_not_due
from nianbao.stages.export import export_values
from nianbao.stages.open_cycle import open_cycle
from tests.factories import filled, mail_in, resources, unit_mail

YEAR = 2026
OPEN = pendulum.datetime(2027, 1, 4, 9, tz="Asia/Shanghai")
DUE = pendulum.datetime(2027, 2, 1, 17, tz="Asia/Shanghai")  # 31 January 2027 is a Sunday: moved to Monday


@pytest.fixture
def res(settings, db_url):
    r = resources(settings, db_url, OPEN)
    open_cycle(r, YEAR)
    return r


def send(res, unit, n=1, **figures):
    mail_in(res, unit_mail(res, unit, YEAR, filled(res, unit, YEAR, **figures), n=n))


def figures(result) -> dict[str, dict[str, object]]:
    """The disclosure's reported rows as the export writes them: code → value, or 不涉及."""
    cols = [c.code for c in result.table.columns]
    return {r.code: {code: ("不涉及" if c.state == "na" else c.value) for code, c in zip(cols, r.cells)
                     if c.state in ("na", "number")}
            for r in result.table.rows if r.reported}


def exported(res, codes) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    for r in export_values(res, YEAR):
        if r["indicator"] in codes:
            out.setdefault(r["unit_code"], {})[r["indicator"]] = r["text"] if r["value"] is None else r["value"]
    return out


def outputs(result) -> dict[str, bytes]:
    paths = [*result.paths.values(), *(p for d in result.unit_paths.values() for p in d.values())]
    return {str(p): p.read_bytes() for p in paths}


def test_the_disclosure_shows_the_exported_figures_and_follows_late_submissions(res):
    units = list(res.config.reporting_units)
    dept = next(u for u in units if u.kind == "department")
    district = units[0]
    send(res, district, E_XK=None)  # a district without licensing powers this year: 不涉及, not 0
    send(res, dept)
    poll_inbox(res)
    res.clock.set(DUE)
    first = disclose(res, YEAR)

    codes = {c.code for c in first.table.columns}
    assert figures(first) == exported(res, codes)
    assert figures(first)[district.code]["E_XK"] == "不涉及"
    assert sorted(first.reported) == sorted([district.name, dept.name])
    assert len(first.not_reported) == len(units) - 2
    assert first.changes.first and first.lines[0].startswith("首次生成")
    assert all("公开" in p.name for p in first.paths.values())
    assert [p.suffix for p in first.paths.values()] == [".xlsx", ".html"]
    assert first.paths["html"].name == "南通市2026年度行政执法数据公开.html"
    assert len(first.unit_paths) == len(units)  # every kind in units.yaml gets its own page
    assert first.unit_paths[district.code]["html"].name == f"{district.name}2026年度行政执法数据公开.html"
    missing_page = first.unit_paths[units[-1].code]["html"].read_text(encoding="utf-8")
    assert "尚未报送" in missing_page
    before = outputs(first)

    again = disclose(res, YEAR)
    assert again.changes.unchanged and again.lines == ["与上次生成的公开表相比无变化"]
    assert outputs(again) == before  # identical bytes, the workbooks' dates included

    late = units[1]
    send(res, late)
    old = figures(first)[dept.code]
    fine, total = old["E_CF_FK"], old["E_CF_HJ"]
    if fine == "不涉及":  # correct some other figure then
        send(res, dept, n=2, E_JC=int(old["E_JC"]) + 5)
        column, before_text = "行政检查", f"{int(old['E_JC']):,}"
    else:
        send(res, dept, n=2, E_CF_FK=fine + 3, E_CF_HJ=total + 3)  # the rule: the kinds add up to the total
        column, before_text = "行政处罚（罚款）", f"{int(fine):,}"
    poll_inbox(res)
    third = disclose(res, YEAR)
    assert figures(third) == exported(res, codes)
    assert third.changes.newly_reported == (late.name,)
    moved = [c for c in third.changes.cells if c.column == column]
    assert [(c.unit, c.before) for c in moved] == [(dept.name, before_text)]
    assert any(line.startswith("新报送的单位（1家）") for line in third.lines)
    assert outputs(third)[str(third.paths["xlsx"])] != before[str(first.paths["xlsx"])]


def test_no_cycle_is_a_clear_error(settings, db_url):
    from nianbao.errors import UnknownYearError

    r = resources(settings, db_url, DUE)
    with pytest.raises(UnknownYearError):
        disclose(r, YEAR)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(("day", "why"), [
    ("2027-01-29", "2027年2月1日生成，今天（2027年1月29日）未到"),
    ("2027-01-31", "未到"),  # the nominal day is a Sunday: the plan moves the deadline, the disclosure follows
    ("2027-02-01", None),
    ("2027-02-08", "2027年2月8日不是工作日"),  # 春节 (calendar.yaml's 2027 estimate)
    ("2027-03-05", None),  # later working days refresh it after late submissions
    ("2027-04-01", "2026年度填报期已于2027年3月31日结束"),
])
def test_a_scheduled_run_acts_from_the_deadline_on_working_days(settings, db_url, day, why):
    r = resources(settings, db_url, pendulum.parse(day, tz="Asia/Shanghai").add(hours=17))
    reason = disclosure_not_due(r, YEAR)
    assert (reason is None) if why is None else (why in reason)
    assert (disclosure_early(r, YEAR) is not None) == (day < "2027-02-01")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_command_prints_the_files_and_the_changes(settings, db_url, monkeypatch, capsys):
    """`nianbao disclose` before it is wired into the CLI: the command as registered, on its own parser."""
    from nianbao.cli import disclose_cmds

    monkeypatch.setenv("NIANBAO_DATA", str(settings.data_dir))
    monkeypatch.setenv("NIANBAO_DATABASE_URL", db_url)
    monkeypatch.setenv("NIANBAO_HMAC_SECRET", "test-secret")
    r = resources(settings, db_url, OPEN)
    open_cycle(r, YEAR)
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")

    def add(name, fn, help, **kw):
        sp = sub.add_parser(name, help=help)
        sp.set_defaults(fn=fn)
        sp.add_argument("--year", type=int)
        sp.add_argument("--today")
        return sp

    disclose_cmds.register(add)
    for day, expect in (("2027-01-20", "仅供预览"), ("2027-02-01", "无变化")):
        args = parser.parse_args(["disclose", "--year", "2026", "--today", day])
        assert args.fn(args) == 0
        out = capsys.readouterr().out
        assert expect in out and "南通市2026年度行政执法数据公开.xlsx" in out
        assert "尚未报送的单位（22家）" in out
