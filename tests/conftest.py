"""Shared fixtures: the sample city's config, a test settings factory, databases (SQLite and PostgreSQL).

Area-specific fixtures live in tests/<area>/conftest.py.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# The suite never touches the machine's Prefect home: an ephemeral server that finds a database written by
# another Prefect version fails to migrate ("Can't locate revision"), which CI once saw. Set before Prefect
# is imported, so this process and every subprocess a test starts share one fresh home.
os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="nianbao-test-prefect-")
atexit.register(shutil.rmtree, os.environ["PREFECT_HOME"], True)

import pytest
from sqlalchemy import create_engine, text

from nianbao.cityconfig import CityConfig, load_city_config
from nianbao.settings import REPO_ROOT, Settings, load_settings

PG_ADMIN_URL = os.environ.get("NIANBAO_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="session")
def city() -> CityConfig:
    return load_city_config(REPO_ROOT / "config")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    env = {"NIANBAO_DATA": str(tmp_path / "var"), "NIANBAO_HMAC_SECRET": "test-secret"}
    return load_settings(env)


def _pg_available() -> bool:
    try:
        with create_engine(PG_ADMIN_URL).connect():
            return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def pg_server() -> str:
    if not _pg_available():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is required in CI at 127.0.0.1:5432")
        pytest.skip("PostgreSQL not reachable")
    return PG_ADMIN_URL


@pytest.fixture
def pg_url(pg_server: str):
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    name = f"nianbao_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = pg_server.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path: Path) -> str:
    """Every database test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'nianbao.db'}"
    return request.getfixturevalue("pg_url")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_prefect_server(home: Path, **extra_env: str) -> Iterator[dict]:
    """A real `prefect server start` on a free loopback port, its home in ``home``, for as long as the
    block runs: {"url", "env" (for a client subprocess), "home"}. ``extra_env`` tunes the server (e.g. its
    services' loop intervals)."""
    import subprocess
    import sys
    import time
    import urllib.request

    port = _free_port()
    url = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_API_URL": url, "PREFECT_LOGGING_LEVEL": "WARNING"}
    log = open(home / "server.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                             "--port", str(port)], env={**env, **extra_env}, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2):
                break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError((home / "server.log").read_text(errors="replace")[-3000:])
            time.sleep(0.3)
    try:
        yield {"url": url, "env": env, "home": home}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory):
    """One real `prefect server start` on loopback for the whole session (flows, deployments, workers).

    Flow heartbeats are off (each would hold a flow run ~1 s at exit) and telemetry is disabled."""
    from prefect.settings import (
        PREFECT_API_URL, PREFECT_FLOWS_HEARTBEAT_FREQUENCY, PREFECT_LOGGING_TO_API_ENABLED,
        PREFECT_SERVER_ANALYTICS_ENABLED, temporary_settings,
    )

    with running_prefect_server(tmp_path_factory.mktemp("prefect-home")) as server:
        # Logs stay local: a log shipped after the session's server stopped would only print an error.
        with temporary_settings({PREFECT_API_URL: server["url"], PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None,
                                 PREFECT_SERVER_ANALYTICS_ENABLED: False, PREFECT_LOGGING_TO_API_ENABLED: False}):
            yield server
