"""The workbook signing key is never made up silently: outside the demo, `open`, `templates` and
`intake` refuse to start without one and say how to get one; `nianbao init` writes one and says where."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def nianbao(tmp_path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NIANBAO_HMAC")}
    env["NIANBAO_DATA"] = str(tmp_path / "var")
    return subprocess.run([sys.executable, "-m", "nianbao.cli", *args], env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("args", [["open", "--year", "2026", "--today", "2027-01-04"],
                                  ["templates", "--year", "2026", "--out", "wb"], ["intake"]])
def test_without_a_signing_key_the_command_refuses_and_says_what_to_do(tmp_path, args):
    done = nianbao(tmp_path, *args)
    assert done.returncode == 2 and "nianbao init" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "var" / "hmac.key").exists()


def test_init_writes_a_key_once_and_says_where(tmp_path):
    first = nianbao(tmp_path, "init")
    key = tmp_path / "var" / "hmac.key"
    assert first.returncode == 0 and str(key) in first.stdout and key.stat().st_mode & 0o777 == 0o600
    before = key.read_text()
    assert nianbao(tmp_path, "init").returncode == 0 and key.read_text() == before  # never replaced
    assert nianbao(tmp_path, "templates", "--year", "2026", "--out", str(tmp_path / "wb")).returncode == 0
