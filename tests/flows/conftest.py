"""Flow tests run real Prefect flows against the session's local `prefect server`."""

from __future__ import annotations

import pytest


@pytest.fixture
def flow_env(prefect_server, tmp_path, monkeypatch):
    """NIANBAO_* pointing at a temp data folder, as a deployment's environment would."""
    monkeypatch.setenv("NIANBAO_DATA", str(tmp_path / "var"))
    monkeypatch.setenv("NIANBAO_HMAC_SECRET", "flow-test-secret")
    monkeypatch.delenv("NIANBAO_DATABASE_URL", raising=False)
    return tmp_path / "var"
