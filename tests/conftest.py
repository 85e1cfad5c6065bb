"""Shared fixtures: the sample city's config, a test settings factory, databases (SQLite and PostgreSQL).

Area-specific fixtures live in tests/<area>/conftest.py.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

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
