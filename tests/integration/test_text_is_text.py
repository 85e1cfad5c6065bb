"""A narrative is text: whatever a unit writes in its 特色亮点 cells — Markdown headings, line breaks,
links, table pipes — ends up as characters inside one paragraph of the .md, the .html and the .docx."""

from __future__ import annotations

import io
import re

import pendulum
from docx import Document

from nianbao.intake.run import poll_inbox
from nianbao.stages.draft import make_draft
from nianbao.stages.open_cycle import open_cycle
from tests.factories import filled, mail_in, resources, unit_mail

INJECTED = "推行首违不罚\n\n## 六、伪造章节\n\n[点此](http://evil.example) | a | b |\n<script>x</script>"


def test_a_heading_injecting_narrative_stays_one_plain_paragraph_everywhere(settings, db_url, tmp_path):
    res = resources(settings, db_url, pendulum.datetime(2027, 1, 6, 9, tz="Asia/Shanghai"))
    open_cycle(res, 2026)
    unit = res.config.reporting_units[0]
    mail_in(res, unit_mail(res, unit, 2026, filled(res, unit, 2026, narratives=[("F3", "highlight", INJECTED)])))
    assert poll_inbox(res).messages[0].attachments[0].status == "accepted"
    result = make_draft(res, 2026, tmp_path / "draft")
    md = result.paths["md"].read_text(encoding="utf-8")
    assert not re.search(r"^#+ 六", md, re.M) and "伪造章节" in md
    assert "](http" not in md.replace("\\]\\(", "")  # the link's brackets are escaped
    html = result.paths["html"].read_text(encoding="utf-8")
    assert "<h2>六" not in html and "<script>" not in html and "&lt;script&gt;" in html
    doc = Document(io.BytesIO(result.paths["docx"].read_bytes()))
    (para,) = [p for p in doc.paragraphs if "伪造章节" in p.text]
    assert para.style.name == "Normal" and "## 六、伪造章节" in para.text and "\\" not in para.text
