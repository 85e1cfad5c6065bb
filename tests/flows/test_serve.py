"""`nianbao serve` with no server configured starts its own `prefect server`, registers every deployment
of prefect.yaml with its schedules, and stops the server again when it is stopped or killed."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from flows.serve import port_taken
from nianbao.settings import REPO_ROOT
from tests import procs
from tests.conftest import _free_port
from tests.flows.test_serve_schedules import stop, wait_for

pytestmark = pytest.mark.slow


def local_env(port: int, tmp_path: Path) -> dict:
    """An environment where no server is configured, so serve starts its own on ``port``."""
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update({"NIANBAO_PREFECT_PORT": str(port), "PREFECT_HOME": str(tmp_path / "ph"),
                "NIANBAO_DATA": str(tmp_path / "var"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                "PREFECT_LOGGING_LEVEL": "WARNING"})
    return env


def start_serve(port: int, tmp_path: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "nianbao.cli", "serve"], cwd=REPO_ROOT,
                            env=local_env(port, tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def test_serve_starts_a_local_server_with_every_schedule_and_stops_it(tmp_path):
    port = _free_port()
    proc = start_serve(port, tmp_path)
    api = f"http://127.0.0.1:{port}/api"
    names: set[str] = set()
    try:
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline and len(names) < 5:
            time.sleep(1)
            try:
                req = urllib.request.Request(f"{api}/deployments/filter", data=b"{}", method="POST",
                                             headers={"Content-Type": "application/json"})
                with urllib.request.urlopen(req, timeout=5) as r:
                    import json

                    found = json.loads(r.read())
                names = {d["name"] for d in found if d["schedules"]}
                tz = {s["schedule"]["timezone"] for d in found for s in d["schedules"]}
            except OSError:
                assert proc.poll() is None, proc.stdout.read().decode(errors="replace")[-3000:]
        assert names == {"open-cycle", "intake", "remind", "draft", "disclose"} and tz == {"Asia/Shanghai"}
    finally:
        stop(proc)
    assert proc.returncode == 0, proc.stdout.read().decode(errors="replace")[-3000:]
    time.sleep(1)
    assert not port_taken(port)  # the server it started is gone


def test_serve_refuses_a_port_another_process_holds(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "nianbao.cli", "serve"], cwd=REPO_ROOT,
                              env=local_env(port, tmp_path), capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert f"端口 {port} 已被占用" in done.stderr + done.stdout and "Traceback" not in done.stderr


def test_a_killed_serve_takes_its_local_server_with_it(tmp_path):
    """kill -9 (the OOM killer, an administrator) runs no cleanup: the server must not outlive serve and
    hold the port, or the next serve is refused with 端口已被占用."""
    port = _free_port()
    proc = start_serve(port, tmp_path)
    try:
        wait_for(lambda: port_taken(port), 150, proc, every=0.5)
        server = procs.children(proc.pid)
        assert server, "serve started no server"
    finally:
        proc.kill()
        proc.wait()
    wait_for(lambda: not any(procs.alive(p) for p in server), 60, every=0.5)
    assert not port_taken(port)
