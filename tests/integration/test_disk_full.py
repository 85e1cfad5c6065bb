"""A full disk stops the stage that cannot write: a Chinese message naming the path, a non-zero exit,
and no temporary files left behind. The disk is a real tmpfs filled to the last byte (tests/fullfs.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace

import pendulum
import pytest

from nianbao.errors import CannotWrite
from nianbao.intake.run import poll_inbox
from nianbao.stages.unit_drafts import make_unit_drafts
from nianbao.store import Outputs
from tests.factories import filled, mail_in, opened, sent_mails, unit_mail
from tests.fullfs import full_tmpfs, leftovers

YEAR = 2026
OPEN = pendulum.datetime(2027, 1, 4, 9, tz="Asia/Shanghai")


def _accepted(res, n: int = 2) -> None:
    for unit in res.config.reporting_units[:n]:
        mail_in(res, unit_mail(res, unit, YEAR, filled(res, unit, YEAR)))
    assert all(a.status == "accepted" for m in poll_inbox(res).messages for a in m.attachments)


def test_unit_drafts_on_a_full_disk_stop_naming_the_path_and_leave_no_temporary_file(settings, db_url, tmp_path):
    res = opened(settings, db_url, OPEN, YEAR)
    _accepted(res)
    with full_tmpfs(tmp_path / "full") as full:
        stuck = replace(res, outputs=Outputs(full, full))
        with pytest.raises(CannotWrite) as caught:
            make_unit_drafts(stuck)
        assert caught.value.path.startswith(f"{full}/{YEAR}/units/") or caught.value.path == f"{full}/{YEAR}"
        assert "磁盘空间已满" in str(caught.value) and str(full) in str(caught.value)
        assert leftovers(full) == [] and not [p for p in full.rglob("*") if p.is_file() and p.name != ".filler"]
    assert len(make_unit_drafts(res).made) == 2  # nothing was recorded: with room again, both are drafted


def test_the_intake_on_a_full_archive_stops_and_leaves_the_mail_unread(settings, db_url):
    res = opened(settings, db_url, OPEN, YEAR)
    unit = res.config.reporting_units[0]
    mail_in(res, unit_mail(res, unit, YEAR, filled(res, unit, YEAR)))
    receipts = len(sent_mails(res))
    archive = res.settings.data_dir / "archive"
    with full_tmpfs(archive):
        with pytest.raises(CannotWrite) as caught:
            poll_inbox(res)
        assert str(archive) in caught.value.path and "磁盘空间已满" in str(caught.value)
        assert leftovers(archive) == []
    assert len(sent_mails(res)) == receipts  # nobody was answered
    [again] = poll_inbox(res).messages  # the mail waited in the mailbox for room
    assert [a.status for a in again.attachments] == ["accepted"]


@pytest.mark.slow
def test_the_command_exits_non_zero_in_chinese_with_the_path_even_with_json(settings, tmp_path):
    res = opened(settings, settings.database_url, OPEN, YEAR)
    unit = res.config.reporting_units[0]
    mail_in(res, unit_mail(res, unit, YEAR, filled(res, unit, YEAR)))
    receipts = len(sent_mails(res))
    units = settings.data_dir / "outputs" / str(YEAR) / "units"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NIANBAO_", "PREFECT_API_URL"))}
    env.update(NIANBAO_DATA=str(settings.data_dir), NIANBAO_HMAC_SECRET="test-secret")
    with full_tmpfs(units):
        done = subprocess.run([sys.executable, "-m", "nianbao.cli", "intake", "--json", "--today", "2027-01-06"],
                              env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 2, done.stderr
        assert "无法写入" in done.stderr and str(units) in done.stderr and "磁盘空间已满" in done.stderr
        assert "Traceback" not in done.stderr
        assert leftovers(settings.data_dir) == []
    assert len(sent_mails(res)) == receipts + 1  # the clerk's receipt went out all the same


@pytest.mark.slow
def test_a_full_disk_under_the_database_is_named_not_called_unreachable(settings, tmp_path):
    from nianbao.db.session import make_sessionmaker

    folder = tmp_path / "db"
    url = f"sqlite:///{folder}/nianbao.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NIANBAO_", "PREFECT_API_URL"))}
    env.update(NIANBAO_DATA=str(settings.data_dir), NIANBAO_HMAC_SECRET="test-secret", NIANBAO_DATABASE_URL=url)
    with full_tmpfs(folder, size_kb=1024, prepare=lambda _: make_sessionmaker(url)):
        done = subprocess.run([sys.executable, "-m", "nianbao.cli", "open", "--year", str(YEAR), "--today", "2027-01-04"],
                              env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stderr
    assert f"无法写入数据库 {folder}/nianbao.db：磁盘空间已满" in done.stderr and "无法连接" not in done.stderr


def test_the_disclosure_on_a_full_disk_stops_naming_the_path_and_leaves_no_temporary_file(settings, db_url, tmp_path):
    from nianbao.stages.disclose import disclose

    res = opened(settings, db_url, OPEN, YEAR)
    _accepted(res, 1)
    with full_tmpfs(tmp_path / "full") as full:
        with pytest.raises(CannotWrite) as caught:
            disclose(replace(res, outputs=Outputs(full, full)), YEAR)
        assert caught.value.path.startswith(str(full)) and "磁盘空间已满" in str(caught.value)
        assert leftovers(full) == [] and not [p for p in full.rglob("*") if p.is_file() and p.name != ".filler"]
