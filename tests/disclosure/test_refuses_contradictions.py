"""The disclosure checks accepted figures against rules.yaml again before it publishes: a row that
contradicts itself (accepted before the rule existed, or by an administrator) is named with why, and
nothing is written (exit 2) unless --force."""

from __future__ import annotations

import pendulum
import pytest
from sqlalchemy import update

from nianbao.cli.app import main
from nianbao.db.models import Submission, Value
from nianbao.db.session import unit_of_work
from nianbao.intake.run import poll_inbox
from nianbao.stages.disclose import DisclosureRefused, disclose
from nianbao.stages.open_cycle import open_cycle
from tests.factories import filled, mail_in, resources, unit_mail

YEAR = 2026
OPEN = pendulum.datetime(2027, 1, 4, 9, tz="Asia/Shanghai")
DUE = pendulum.datetime(2027, 2, 1, 17, tz="Asia/Shanghai")


@pytest.fixture
def res(settings, db_url):
    r = resources(settings, db_url, OPEN)
    open_cycle(r, YEAR)
    return r


def accepted_then_contradicted(res):
    """Two units accepted; then 市城市管理局's fines and confiscations become 不涉及 beside its amount."""
    units = [res.config.unit("D05"), res.config.reporting_units[0]]
    for n, unit in enumerate(units, 1):
        mail_in(res, unit_mail(res, unit, YEAR, filled(res, unit, YEAR), n=n))
    poll_inbox(res)
    with unit_of_work(res.db) as s:
        sid = s.query(Submission.id).filter_by(unit_code="D05", status="accepted").scalar()
        s.execute(update(Value).where(Value.submission_id == sid, Value.indicator_code.in_(["E_CF_FK", "E_CF_MS"]))
                  .values(value=None, na=True))
    res.clock.set(DUE)


def test_disclose_refuses_an_inconsistent_row_naming_the_unit_and_the_cells(res):
    accepted_then_contradicted(res)
    with pytest.raises(DisclosureRefused) as refused:
        disclose(res, YEAR)
    lines = refused.value.lines[1:]  # the amount without its kinds (C01), the kinds not adding up (R03)
    assert lines and all(line.strip().startswith("市城市管理局") for line in lines)
    assert any("罚没金额" in line and "罚款" in line and "不涉及" in line for line in lines)
    assert not (res.settings.data_dir / "outputs" / str(YEAR) / "disclosure").exists()


def test_disclose_with_force_publishes_and_says_which_rows(res):
    accepted_then_contradicted(res)
    result = disclose(res, YEAR, force=True)
    assert result.paths["xlsx"].exists()
    assert "--force" in result.lines[0] and "市城市管理局" in result.lines[1]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_command_exits_2_and_names_the_row(res, db_url, monkeypatch, capsys):
    monkeypatch.setenv("NIANBAO_DATA", str(res.settings.data_dir))
    monkeypatch.setenv("NIANBAO_DATABASE_URL", db_url)
    monkeypatch.setenv("NIANBAO_HMAC_SECRET", "test-secret")
    accepted_then_contradicted(res)
    assert main(["disclose", "--year", "2026", "--today", "2027-02-01"]) == 2
    assert "市城市管理局" in capsys.readouterr().err
    assert main(["disclose", "--year", "2026", "--today", "2027-02-01", "--force"]) == 0
