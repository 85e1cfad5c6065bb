"""The main job: the demo's whole simulated cycle as one real flow run, checked by what it produced —
and every word it produced read as a leader and a clerk would: full-width punctuation in Chinese
text everywhere, and no sentence skeleton said three times in the draft."""

from __future__ import annotations

import re
from collections import Counter
from email import message_from_bytes, policy

import pytest
from docx import Document

from flows.demo import demo_cycle_flow

pytestmark = pytest.mark.slow
HALF_WIDTH = re.compile(r"[\u4e00-\u9fff][,;:()?!]|[,;:()?!][\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def demo(prefect_server, city, tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NIANBAO_HMAC_SECRET", "demo-test")
        result = demo_cycle_flow(2026, str(folder / "demo"))
    outbox = [message_from_bytes(p.read_bytes(), policy=policy.default)
              for p in (folder / "demo" / "mail" / "outbox").glob("*.eml")]
    result["folder"] = folder / "demo"
    return result, outbox


def test_the_demo_cycle_reports_chases_and_drafts(demo, city):
    result, outbox = demo
    states = {s.unit_code: s.status for s in result["status"].states}
    assert list(states.values()).count("missing") == 2 and list(states.values()).count("late") == 2
    assert result["status"].rates.actual == 20
    text = "\n".join(p.text for p in Document(str(result["draft"].paths["docx"])).paragraphs)
    subjects = [m["Subject"] for m in outbox]
    assert sum("逾期通知" in s for s in subjects) >= 2 and sum("退回修改" in s for s in subjects) == 1
    assert any("送审稿" in s for s in subjects) and "二、存在的不足和原因" in text
    assert all(s.heading in text for s in city.report.sections)


def test_every_output_uses_full_width_punctuation_in_chinese_text(demo):
    result, outbox = demo
    paths = result["draft"].paths
    texts = {"md": paths["md"].read_text(encoding="utf-8"), "html": paths["html"].read_text(encoding="utf-8"),
             "docx": "\n".join(p.text for p in Document(str(paths["docx"])).paragraphs)}
    for n, m in enumerate(outbox):
        body = m.get_body(preferencelist=("plain",))
        texts[f"mail {n}: {m['Subject']}"] = m["Subject"] + "\n" + (body.get_content() if body else "")
        for part in m.iter_attachments():
            if part.get_filename("").endswith(".xlsx"):
                texts[f"workbook {part.get_filename()}"] = workbook_text(part.get_content())
    outputs = result["folder"] / "outputs" / "2026"
    for page in [*(outputs / "units").glob("*.md"), *(outputs / "disclosure").glob("*.html")]:
        texts[page.name] = page.read_text(encoding="utf-8")
    found = {name: HALF_WIDTH.findall(text) for name, text in texts.items()}
    assert {k: v for k, v in found.items() if v} == {}


def workbook_text(data: bytes) -> str:
    """Every word a clerk reads in a workbook: cells, and the prompt and error of each input."""
    from io import BytesIO

    from openpyxl import load_workbook

    wb = load_workbook(BytesIO(data))
    words = [c for ws in wb.worksheets if ws.sheet_state == "visible" for row in ws.iter_rows(values_only=True)
             for c in row if isinstance(c, str)]
    words += [t for ws in wb.worksheets for dv in ws.data_validations.dataValidation
              for t in (dv.prompt, dv.error, dv.promptTitle, dv.errorTitle) if t]
    return "\n".join(words)


def skeleton(sentence: str, names: list[str]) -> str:
    for name in sorted(names, key=len, reverse=True):
        sentence = sentence.replace(name, "〈单位〉")
    return re.sub(r"[\d.,]+", "#", sentence).strip()


def test_no_sentence_skeleton_appears_three_times_in_the_draft(demo, city):
    result, _ = demo
    body = result["draft"].paths["md"].read_text(encoding="utf-8")
    sentences = [s for line in body.splitlines() if not line.startswith("#") for s in re.split(r"[。；！？]", line)]
    counts = Counter(skeleton(s, [u.name for u in city.units]) for s in sentences if len(s.strip()) > 6)
    assert [s for s, n in counts.items() if n >= 3] == []


def test_every_accepted_unit_has_its_own_draft_with_its_exported_figures(demo, city):
    from flows.demo import demo_resources
    from nianbao.report.fmt import with_unit
    from nianbao.stages.export import export_values

    result, outbox = demo
    res = demo_resources(str(result["folder"]))
    drafts = {p.name: p.read_text(encoding="utf-8") for p in (result["folder"] / "outputs" / "2026" / "units").glob("*.md")}
    states = {s.unit_code: s.status for s in result["status"].states}
    wrote = {e.unit.code for e in result["events"]}
    for unit in city.reporting_units:
        mine = [text for name, text in drafts.items() if name.startswith(unit.name + "2026")]
        if states[unit.code] in ("on_time", "late"):
            assert len(mine) == 1, unit.name
        elif unit.code not in wrote:
            assert mine == [], unit.name  # never reported: no draft
    exported = export_values(res, 2026)
    for row in exported:
        ind = city.indicator(row["indicator"])
        wording = ind.unit_phrase if ind.unit_phrase is not None else ind.phrase
        if row["value"] is not None and wording != "":
            [text] = [t for n, t in drafts.items() if n.startswith(row["unit"] + "2026")]
            assert with_unit(row["value"], row["measure"]) in text, (row["unit"], row["indicator"])
    assert sum("贵单位年度报告初稿" in m["Subject"] for m in outbox) == len(drafts)


def test_the_enforcement_disclosure_shows_the_exported_figures(demo, city):
    from flows.demo import demo_resources
    from nianbao.stages.export import export_values

    result, _ = demo
    table = result["disclosure"].table
    exported = {(r["unit_code"], r["indicator"]): r for r in export_values(demo_resources(str(result["folder"])), 2026)}
    for row in table.reported:
        for column, cell in zip(table.columns, row.cells):
            found = exported.get((row.code, column.code))
            if cell.state == "na":
                assert found and found["text"] == "不涉及"
            elif cell.state == "number":
                assert found and abs(found["value"] - cell.value) < 1e-9
    assert {r.name for r in table.rows if not r.reported} == {s.name for s in result["status"].states
                                                                 if s.status not in ("on_time", "late")}
    html = result["disclosure"].paths["html"].read_text(encoding="utf-8")
    assert "公开" in result["disclosure"].paths["html"].name and "<script" not in html and 'scope="row"' in html


def test_the_demo_units_answer_their_tasks_of_the_sample_plan_consistently_with_their_figures(demo):
    from flows.demo import demo_resources
    from nianbao import repo
    from nianbao.db.session import unit_of_work
    from nianbao.demo import demo_content
    from nianbao.demo_tasks import DemoTask
    from nianbao.task_answers import task_answers

    result, outbox = demo
    assert len(result["tasks"]) == 20 and len({t.part for t in result["tasks"]}) == 5
    res = demo_resources(str(result["folder"]))
    with unit_of_work(res.db) as s:
        answers = task_answers(s, 2026)
        figures = {code: data.values for code, data in repo.accepted(s, 2026).items()}
    leads = [a for a in answers if a.role == "lead"]
    assert leads and all(a.status for a in leads)
    assert any(not a.done and a.reason for a in leads) and sum(a.done for a in leads) > len(leads) / 2
    assert sum(len(a.documents) for a in answers) >= 8
    assert all(d.startswith("《") and d.endswith("》") for a in answers for d in a.documents)
    checked = 0
    for a in answers:  # a measure that names the unit's figures names the figures it reported
        for template in demo_content(res.config).tasks.get(a.task_id, DemoTask()).measures:
            codes = re.findall(r"\{(\w+)\}", template)
            pattern = re.sub(r"\\\{\w+\\\}", r"([\\d.]+)", re.escape(template))
            m = re.fullmatch(pattern, a.measures) if codes else None
            if m:
                assert [float(x) for x in m.groups()] == [figures[a.unit_code][c] for c in codes], a
                checked += 1
    assert checked >= 10
    behind = [t for t in result["tasks"] if not t.done]
    mail = next(m for m in outbox if "送审稿" in m["Subject"]).get_body(("plain",)).get_content()
    assert f"已完成{20 - len(behind)}项" in mail and all(t.title in mail for t in behind)
    draft = result["draft"].paths["md"].read_text(encoding="utf-8")
    assert f"全年20项重点任务已完成{20 - len(behind)}项" in draft  # the draft counts as the mail does


def test_the_tasks_artifact_lists_every_task_its_lead_and_each_units_status(demo):
    import json

    from prefect.artifacts import Artifact

    result, _ = demo
    artifact = Artifact.get("tasks-2026")
    rows = json.loads(artifact.data)
    assert len(rows) == 20 and list(rows[0]) == ["编号", "任务", "牵头单位", "落实情况", "各单位填报"]
    done = sum(t.done for t in result["tasks"])
    assert artifact.description == f"2026年度重点任务落实情况：全年 20 项，已完成 {done} 项"
    assert rows[0]["牵头单位"] == "崇川区" and "崇川区（牵头）" in rows[0]["各单位填报"]
