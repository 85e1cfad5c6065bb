"""Who may decide: `nianbao serve` where other machines could reach the Prefect UI refuses to start
without Prefect's basic auth (exit 2, one Chinese sentence saying what to set); with it, the server it
starts answers nobody who does not give the user:password."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from nianbao.settings import REPO_ROOT
from tests.conftest import _free_port
from tests.flows.test_serve_schedules import stop

AUTH = ("PREFECT_API_URL", "PREFECT_API_AUTH_STRING", "PREFECT_SERVER_API_AUTH_STRING")


def env_for(tmp_path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in AUTH}
    env.update({"PREFECT_HOME": str(tmp_path / "ph"), "NIANBAO_DATA": str(tmp_path / "var"),
                "NIANBAO_HMAC_SECRET": "access", "PREFECT_SERVER_ANALYTICS_ENABLED": "false", **extra})
    return env


def serve(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nianbao.cli", "serve", *args], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_serve_on_every_address_without_a_server_auth_string_exits_2_saying_what_to_set(tmp_path):
    done = serve(env_for(tmp_path, NIANBAO_PREFECT_PORT=str(_free_port())), "--host", "0.0.0.0")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    message = done.stderr.strip()
    assert "\n" not in message and "PREFECT_SERVER_API_AUTH_STRING=<用户名>:<密码>" in message and "0.0.0.0" in message


def test_serve_on_another_machines_server_without_a_client_auth_string_exits_2_saying_what_to_set(tmp_path):
    done = serve(env_for(tmp_path, PREFECT_API_URL="http://192.0.2.10:4200/api"))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    message = done.stderr.strip()
    assert "\n" not in message and "PREFECT_API_AUTH_STRING=<用户名>:<密码>" in message and "192.0.2.10" in message


def _get(url: str, auth: str | None = None) -> int:
    headers = {"Content-Type": "application/json"}
    if auth:
        headers["Authorization"] = "Basic " + base64.b64encode(auth.encode()).decode()
    req = urllib.request.Request(url, data=b"{}", method="POST", headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return len(json.loads(r.read()))
    except urllib.error.HTTPError as exc:
        return -exc.code


@pytest.mark.slow
def test_serve_on_every_address_with_an_auth_string_answers_only_who_gives_it(tmp_path):
    port, auth = _free_port(), "admin:s3cret-2027"
    env = env_for(tmp_path, NIANBAO_PREFECT_PORT=str(port), PREFECT_SERVER_API_AUTH_STRING=auth)
    proc = subprocess.Popen([sys.executable, "-m", "nianbao.cli", "serve", "--host", "0.0.0.0"], cwd=REPO_ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/api/deployments/filter"
    try:
        deadline, found = time.monotonic() + 180, 0
        while time.monotonic() < deadline and found < 7:
            assert proc.poll() is None, proc.stdout.read().decode(errors="replace")[-3000:]
            time.sleep(1)
            try:
                found = _get(url, auth)
            except OSError:
                pass
        assert found == 7  # serve itself got in: it gave its own server's user:password
        assert _get(url) == -401 and _get(url, "admin:guess") == -401
    finally:
        stop(proc)
    assert proc.returncode == 0
