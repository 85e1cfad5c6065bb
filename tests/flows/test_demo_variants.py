"""`nianbao demo` runs on any valid configuration: a catalogue trimmed to the six enforcement categories,
and a seven-section report written only in config/ and templates/ — no code knows either."""

from __future__ import annotations

import shutil

import pytest
import yaml

from flows.demo import demo_cycle_flow
from nianbao.settings import REPO_ROOT

pytestmark = pytest.mark.slow
ENFORCEMENT = {"E_XK", "E_CF_JG", "E_CF_FK", "E_CF_MS", "E_CF_ZK", "E_CF_DX", "E_CF_XZ", "E_CF_JL", "E_CF_QT",
               "E_CF_HJ", "E_CF_JE", "E_QZ", "E_ZS", "E_SF", "E_JC"}


def copy(tmp_path):
    config, templates = tmp_path / "config", tmp_path / "templates"
    shutil.copytree(REPO_ROOT / "config", config)
    shutil.copytree(REPO_ROOT / "templates", templates)
    return config, templates


def edit(path, change):
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")


def run(tmp_path, monkeypatch, config, templates):
    monkeypatch.setenv("NIANBAO_CONFIG", str(config))
    monkeypatch.setenv("NIANBAO_TEMPLATES", str(templates))
    monkeypatch.setenv("NIANBAO_HMAC_SECRET", "variant")
    return demo_cycle_flow(2026, str(tmp_path / "demo"))


def test_the_demo_runs_on_the_six_enforcement_categories_alone(prefect_server, tmp_path, monkeypatch):
    config, templates = copy(tmp_path)
    edit(config / "indicators.yaml", lambda d: d.update(indicators=[i for i in d["indicators"] if i["code"] in ENFORCEMENT]))
    edit(config / "rules.yaml", lambda d: d.update(rules=[r for r in d["rules"] if r["code"] == "R03"]))

    def report(d):
        d["sections"] = [s for s in d["sections"] if s["code"] == "F3"]
        d["tasks"]["places"] = [p for p in d["tasks"]["places"] if p["section"] == "F3"]  # the plan's places too
        d["problems"].update(imbalance_indicators=[], weak_capacity=[])
        d["leaders_figures"], d["duty"]["figures"] = ["E_CF_HJ", "E_JC"], {}
        d["unit_drafts"]["compare"] = []
        d["highlights"]["claims"] = []  # they read indicators this catalogue no longer has
    edit(config / "report.yaml", report)
    result = run(tmp_path, monkeypatch, config, templates)
    md = result["draft"].paths["md"].read_text(encoding="utf-8")
    assert result["status"].rates.actual == 20
    assert "作出行政许可决定" in md and "开展行政检查" in md and "持证率" not in md


def test_the_demo_renders_a_seven_section_layout_from_config_and_templates(prefect_server, tmp_path, monkeypatch):
    config, templates = copy(tmp_path)
    headings = ["依法全面履行政府职能", "完善依法行政制度体系", "推进行政决策科学化民主化法治化",
                "坚持严格规范公正文明执法", "强化对行政权力的制约和监督", "依法有效化解社会矛盾纠纷",
                "全面提高政府工作人员法治思维和依法行政能力"]
    moves = {"F1": "S1", "F2": "S2", "F3": "S4", "F4": "S6", "F5": "S7"}

    def report(d):
        d["sections"] = [{"code": f"S{i}", "heading": h, "sheet": f"第{i}部分"} for i, h in enumerate(headings, 1)]
        for place in d["tasks"]["places"]:  # the plan's tasks follow their sections
            place["section"] = moves[place["section"]]
    edit(config / "report.yaml", report)
    edit(config / "indicators.yaml", lambda d: [i.update(section=moves[i["section"]]) for i in d["indicators"]])
    result = run(tmp_path, monkeypatch, config, templates)
    md = result["draft"].paths["md"].read_text(encoding="utf-8")
    assert [line for line in md.splitlines() if line.startswith("### （")][:7] == \
        [f"### （{o}）{h}" for o, h in zip("一二三四五六七", headings)]
