"""The administrator's command line cannot hurt them: `open` refuses a wrong year and can show what it
would do; every expected mistake is one Chinese line and exit status 2, never a traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow


def nianbao(tmp_path, *args: str, stdin: str | None = None, timeout: float = 180, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("NIANBAO_", "PREFECT_API_URL"))}
    base.update({"NIANBAO_DATA": str(tmp_path / "var"), "NIANBAO_HMAC_SECRET": "cli", **env})
    return subprocess.run([sys.executable, "-m", "nianbao.cli", *args], env=base, capture_output=True, text=True,
                          timeout=timeout, input=stdin)


def test_open_refuses_a_year_whose_season_has_passed(tmp_path):
    done = nianbao(tmp_path, "open", "--year", "2025", "--today", "2026-11-29")
    assert done.returncode == 2 and "已过填报期" in done.stderr and "--force" in done.stderr
    assert not (tmp_path / "var" / "mail" / "outbox").exists()


def test_open_refuses_a_day_before_the_plans_open_day(tmp_path):
    done = nianbao(tmp_path, "open", "--year", "2026", "--today", "2026-12-20")
    assert done.returncode == 2 and "2027年1月4日开始" in done.stderr


def test_open_without_a_year_off_season_mails_nobody(tmp_path):
    done = nianbao(tmp_path, "open", "--today", "2026-11-29")
    assert done.returncode == 2 and "2025年度已过填报期" in done.stderr


def test_a_dry_run_lists_who_would_get_what_and_sends_nothing(tmp_path):
    done = nianbao(tmp_path, "open", "--year", "2026", "--today", "2027-01-04", "--dry-run")
    assert done.returncode == 0 and "向 22 家单位发送" in done.stdout and "fzb@chongchuan.example.cn" in done.stdout
    assert not (tmp_path / "var" / "mail" / "outbox").exists()


def test_open_on_its_day_mails_every_unit(tmp_path):
    done = nianbao(tmp_path, "open", "--year", "2026", "--today", "2027-01-04")
    assert done.returncode == 0, done.stderr
    assert len(list((tmp_path / "var" / "mail" / "outbox").glob("*.eml"))) == 22


def test_status_off_season_with_the_default_year_says_so_and_exits_cleanly(tmp_path):
    done = nianbao(tmp_path, "status", "--today", "2026-11-29")
    assert done.returncode == 0 and "2025年度填报已于" in done.stdout and "--year" in done.stdout


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


TEN = [
    (["intake", "--today", "2027-13-01"], {}, "日期“2027-13-01”无效"),
    (["intake", "--today", "tomorrow"], {}, "日期“tomorrow”无效"),
    (["ingest", "/nonexistent.xlsx"], {}, "无法访问 /nonexistent.xlsx：不存在"),
    (["intake"], {"NIANBAO_INTAKE_BATCH": "abc"}, "NIANBAO_INTAKE_BATCH 应为整数"),
    (["templates", "--year", "2026", "--out", "/etc/passwd"], {}, "无法访问 /etc/passwd"),
    (["status", "--year", "2026"], {"NIANBAO_DATABASE_URL": "postgresql://nobody@127.0.0.1:{port}/x"}, "无法连接数据库"),
    (["status", "--year", "2026"], {"NIANBAO_DATA": "/proc/x"}, "无法访问 /proc/x"),
    (["export", "--year", "2026", "--xlsx", "/nonexistent/dir/x.xlsx"], {}, "无法访问 /nonexistent/dir/x.xlsx"),
    (["intake"], {"NIANBAO_HMAC_SECRET": "", "NIANBAO_HMAC_SECRET_BLOCK": "no-such-block",
                  "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120"}, "no-such-block"),
    (["check"], {"NIANBAO_CONFIG": "{smtp_config}"}, "mail.yaml: outbound.host: 缺少此项"),
    (["intake"], {"NIANBAO_CONFIG": "{imap_config}"}, "未设置收件邮箱的密码：请设置环境变量 NIANBAO_IMAP_PASSWORD"),
    (["intake"], {"NIANBAO_CONFIG": "{imap_config}", "NIANBAO_IMAP_PASSWORD": "x"},
     "无法连接邮件服务器 127.0.0.1:{port}（连接被拒绝"),
]


@pytest.mark.parametrize("args,env,expected", TEN, ids=[t[2] for t in TEN])
def test_an_expected_mistake_is_one_chinese_line_and_exit_2(tmp_path, args, env, expected):
    import shutil

    from nianbao.settings import REPO_ROOT

    config = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "config", config)
    (config / "mail.yaml").write_text("outbound: {backend: smtp, port: 465}\n", encoding="utf-8")
    imap = tmp_path / "imap-config"
    shutil.copytree(REPO_ROOT / "config", imap)
    port = _closed_port()
    (imap / "mail.yaml").write_text(f"inbound: {{backend: imap, host: 127.0.0.1, port: {port}, security: none, "
                                    "user: u}\n", encoding="utf-8")
    if args[0] == "export":  # there must be a cycle to export
        assert nianbao(tmp_path, "open", "--year", "2026", "--today", "2027-01-04").returncode == 0
    env = {k: v.format(port=port, smtp_config=config, imap_config=imap) for k, v in env.items()}
    expected = expected.format(port=port)
    done = nianbao(tmp_path, *args, **env)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert expected in done.stderr and "Traceback" not in done.stderr
    assert not any("a" <= ch.lower() <= "z" for ch in done.stderr.split("：")[0])  # it opens in Chinese


def test_debug_shows_the_traceback(tmp_path):
    done = nianbao(tmp_path, "--debug", "intake", "--today", "tomorrow")
    assert done.returncode == 2 and "Traceback" in done.stderr


def test_help_and_usage_are_in_chinese(tmp_path):
    done = nianbao(tmp_path, "open", "--help")
    assert "用法：" in done.stdout and "选项：" in done.stdout and "只列出将发给哪些单位" in done.stdout
    bad = nianbao(tmp_path, "templates")
    assert bad.returncode == 2 and "缺少必填参数：--out" in bad.stderr


def test_the_demo_runs_beside_a_prefect_home_another_prefect_version_wrote(tmp_path):
    import sqlite3

    foreign = tmp_path / "foreign-prefect-home"
    foreign.mkdir()
    with sqlite3.connect(foreign / "prefect.db") as db:  # a migration this Prefect has never heard of
        db.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        db.execute("INSERT INTO alembic_version VALUES ('27d8f4e1a6c9')")
    # the whole demo cycle, PDFs of every unit's draft included: minutes on a loaded 2-core machine
    done = nianbao(tmp_path, "demo", PREFECT_HOME=str(foreign), timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr and "Warning" not in done.stderr
    assert list((tmp_path / "var" / "demo" / "outputs" / "2026" / "draft").glob("*.docx"))


@pytest.mark.parametrize("command", ["remind", "draft", "disclose"])
def test_a_cycle_command_off_season_without_a_year_says_so_and_does_nothing(tmp_path, command):
    done = nianbao(tmp_path, command, "--today", "2026-11-29")
    assert done.returncode == 0, done.stderr
    assert "2025年度填报已于2026年3月31日结束" in done.stdout and "请用 --year 指定" in done.stdout
    assert not (tmp_path / "var" / "outputs").exists() and not (tmp_path / "var" / "mail" / "outbox").exists()
