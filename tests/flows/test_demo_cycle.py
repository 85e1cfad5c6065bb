"""The main job: the demo's whole simulated cycle as one real flow run, checked by what it produced."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest
from docx import Document

from flows.demo import demo_cycle_flow

pytestmark = pytest.mark.slow


def test_the_demo_cycle_reports_chases_and_drafts(prefect_server, city, tmp_path, monkeypatch):
    monkeypatch.setenv("NIANBAO_HMAC_SECRET", "demo-test")
    result = demo_cycle_flow(2026, str(tmp_path / "demo"))
    states = {s.unit_code: s.status for s in result["status"].states}
    assert list(states.values()).count("missing") == 2 and list(states.values()).count("late") == 2
    assert result["status"].rates.actual == 20
    text = "\n".join(p.text for p in Document(str(result["draft"].paths["docx"])).paragraphs)
    outbox = [message_from_bytes(p.read_bytes(), policy=policy.default)
              for p in (tmp_path / "demo" / "mail" / "outbox").glob("*.eml")]
    subjects = [m["Subject"] for m in outbox]
    assert sum("逾期通知" in s for s in subjects) >= 2 and sum("退回修改" in s for s in subjects) == 1
    assert any("送审稿" in s for s in subjects) and "二、存在的不足和原因" in text
    assert all(s.heading in text for s in city.report.sections)
