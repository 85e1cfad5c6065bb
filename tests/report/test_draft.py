"""The draft: figures traceable to the data, the 舟山 figures under their headings, GB/T 9704 layout
checked in the .docx and in the PDF LibreOffice makes of it, and a config-only restyle."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pendulum
import pytest
import yaml
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm

from nianbao.cityconfig import load_city_config
from nianbao.report.aggregate import aggregate
from nianbao.report.draft import render_draft
from nianbao.report.fmt import with_unit
from nianbao.report.problems import find_problems
from nianbao.sample_data import unit_values
from nianbao.settings import REPO_ROOT
from tests.report.conftest import report

NOW = pendulum.datetime(2027, 2, 15, 18, tz="Asia/Shanghai")
TEMPLATES = REPO_ROOT / "templates"


def draft_of(city, current, previous=(), templates=TEMPLATES):
    agg = aggregate(city, 2026, current, list(previous))
    return agg, render_draft(city, templates, agg, find_problems(city, agg), generated_at=NOW)


def section_text(markdown: str, heading: str) -> str:
    after = markdown.split(heading, 1)[1]
    return re.split(r"\n#{2,3} ", after, maxsplit=1)[0]


def test_every_figure_printed_in_the_results_equals_its_aggregated_value(city, current, previous):
    agg, doc = draft_of(city, current, previous)
    results = doc.markdown.split("## 二、")[0]
    printed = 0
    for code, f in agg.figures.items():
        text = f.name if f.value is None else with_unit(f.value, f.unit)
        if f.value is not None and text in results:
            printed += 1
            assert doc.figures[code] == f.value
    assert printed >= 40


def test_the_zhoushan_figures_appear_with_units_under_their_headings(city):
    """Figures of the 2019 舟山 report, split across five units, come out of the draft where it put them."""
    units = city.reporting_units[:5]
    split = {"F5_02": [5, 5, 5, 4, 4], "F5_01": [1, 1, 1, 1, 1], "E_CZRS": [1500, 1400, 1205, 900, 900],
             "E_JLY": [800, 700, 712, 650, 650], "F2_06": [30, 30, 20, 20, 16], "F2_04": [68, 50, 50, 50, 50],
             "F2_05": [131, 100, 100, 100, 100], "F3_02": [20, 20, 20, 16, 16]}
    current = [report(u, {code: parts[i] for code, parts in split.items()}, sid=i + 1) for i, u in enumerate(units)]
    _, doc = draft_of(city, current)
    sections = {s.code: s.heading for s in city.report.sections}
    expect = {"F5": ["集体学法23次", "法治专题培训5期"], "F3": ["持证5905人", "执法记录仪3512台", "经合法性审查92件"],
              "F2": ["制度创新成果116项", "取消证明事项268项", "告知承诺制事项531项"]}
    for code, phrases in expect.items():
        body = section_text(doc.markdown, sections[code])
        for phrase in phrases:
            assert phrase in body, (code, phrase)


def test_unit_highlights_are_named_by_unit(city, current):
    current[0] = report(current[0].unit, current[0].values, sid=1, narratives=[("F4", "highlight", "首创诉前调解中心")])
    _, doc = draft_of(city, current)
    body = section_text(doc.markdown, city.report.sections[3].heading)
    assert f"{current[0].unit.name}首创诉前调解中心" in body


def test_docx_page_setup_and_east_asian_fonts_follow_gbt_9704(city, current):
    _, doc = draft_of(city, current)
    d = Document(io.BytesIO(doc.docx))
    sec = d.sections[0]
    assert (round(sec.page_width / Mm(1)), round(sec.page_height / Mm(1))) == (210, 297)
    assert [round(x / Mm(1)) for x in (sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin)] == [37, 35, 28, 26]
    def east_asia(style):
        return style.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))
    assert east_asia(d.styles["Normal"]) == "仿宋_GB2312" and d.styles["Normal"].font.size.pt == 16
    assert east_asia(d.styles["Title"]) == "方正小标宋简体" and d.styles["Title"].font.size.pt == 22
    assert east_asia(d.styles["Heading 1"]) == "黑体" and east_asia(d.styles["Heading 2"]) == "楷体_GB2312"
    defaults = d.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋_GB2312"
    headings = [p.text for p in d.paragraphs if p.style.name == "Heading 1"]
    assert headings[:2] == ["一、2026年法治政府建设主要举措和成效", "二、存在的不足和原因"]
    assert "PAGE" in d.sections[0].footer._element.xml


@pytest.mark.slow
def test_docx_renders_to_an_a4_pdf_with_cjk_fonts(city, current, tmp_path):
    soffice = shutil.which("soffice")
    if soffice is None or shutil.which("pdfinfo") is None:
        pytest.skip("LibreOffice/poppler not installed (scripts/setup.sh --test installs them)")
    _, doc = draft_of(city, current)
    src = tmp_path / "draft.docx"
    src.write_bytes(doc.docx)
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(src)], check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "draft.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "595.3 x 841.89" in info.replace("595.276", "595.3") or "A4" in info
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) >= 2
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert re.search(r"CJK|WenQuanYi|Zen ?Hei|Noto", fonts), fonts
    text = re.sub(r"\s", "", subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout)
    assert "聚焦顶层设计" in text and "—1—" in text


def test_a_config_only_restyle_renders_seven_numbered_sections(tmp_path):
    cfg_dir = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "config", cfg_dir)
    tpl_dir = tmp_path / "templates"
    shutil.copytree(TEMPLATES, tpl_dir)
    report_yaml = yaml.safe_load((cfg_dir / "report.yaml").read_text(encoding="utf-8"))
    headings = ["依法全面履行政府职能", "完善依法行政制度体系", "推进行政决策科学化", "坚持严格规范公正文明执法",
                "强化行政权力制约监督", "依法有效化解社会矛盾纠纷", "全面提高法治思维和依法行政能力"]
    report_yaml["sections"] = [{"code": f"S{i}", "heading": h, "sheet": f"第{i}部分"} for i, h in enumerate(headings, 1)]
    moved = {"F1": "S1", "F2": "S2", "F3": "S4", "F4": "S6", "F5": "S7"}
    for place in report_yaml["tasks"]["places"]:  # the work plan's tasks follow their sections
        place["section"] = moved[place["section"]]
    report_yaml["template"] = "seven.md.j2"
    report_yaml["title"] = "{city}{year}年法治政府建设年度报告"
    (cfg_dir / "report.yaml").write_text(yaml.safe_dump(report_yaml, allow_unicode=True), encoding="utf-8")
    ind = (cfg_dir / "indicators.yaml").read_text(encoding="utf-8")
    for old, new in (("F1", "S1"), ("F2", "S2"), ("F3", "S4"), ("F4", "S6"), ("F5", "S7")):
        ind = ind.replace(f"section: {old}", f"section: {new}")
    (cfg_dir / "indicators.yaml").write_text(ind, encoding="utf-8")
    (tpl_dir / "seven.md.j2").write_text(
        "# {{ title }}\n\n{% for s in sections %}\n## {{ ordinal(loop.index) }}、{{ s.heading }}\n\n"
        "本部分涉及指标:{% for code, f in agg.figures.items() if code in codes[s.code] %}{{ f.name }}{{ agg.fmt(code) }};{% endfor %}\n\n"
        "{% endfor %}", encoding="utf-8")
    city = load_city_config(cfg_dir)
    from nianbao.report import draft as draft_module

    agg = aggregate(city, 2026, [report(u, {"F1_01": 2, "E_CZRS": 9, "E_ZFRY": 10}, sid=n)
                                 for n, u in enumerate(city.reporting_units, 1)], [])
    codes = {s.code: {i.code for i in city.indicators if i.section == s.code} for s in city.report.sections}
    md = draft_module.render_markdown(city, tpl_dir, agg, [], extra={"codes": codes})
    assert md.startswith("# 南通市2026年法治政府建设年度报告")
    assert [l for l in md.splitlines() if l.startswith("## ")] == [f"## {o}、{h}" for o, h in zip("一二三四五六七", headings)]
    assert "执法人员持证率90%" in md.split("## 四、")[1].split("## 五、")[0]


def test_the_appendix_lists_every_figure_with_sources_and_has_charts(city, current):
    import openpyxl

    agg, doc = draft_of(city, current)
    wb = openpyxl.load_workbook(io.BytesIO(doc.appendix_xlsx))
    assert wb.sheetnames == ["全市指标", "分单位", "数据来源", "图表", "说明"]
    rows = {r[0]: r for r in wb["全市指标"].iter_rows(min_row=2, values_only=True)}
    assert set(rows) == set(agg.figures)
    assert rows["E_CZRS"][3] == agg.figures["E_CZRS"].value
    assert wb["分单位"].max_row == len(current) + 1
    assert {r[2] for r in wb["分单位"].iter_rows(min_row=2, values_only=True)} <= {"按时", "逾期", "未报", "退回待改", "待核实"}
    assert wb["图表"]._charts, "a chart a leader can look at"


def test_a_district_running_the_cycle_says_quanqu_where_a_city_says_quanshi(tmp_path):
    """city.yaml's `area` names the whole area in every text that says {area}: the draft, the leaders'
    mail, next year's plans and the messages — a 区 that runs its own cycle never writes 全市."""
    from nianbao.report.draft import target_context
    from nianbao.texts import render_mail

    cfg_dir = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "config", cfg_dir)
    city_yaml = cfg_dir / "city.yaml"
    city_yaml.write_text(city_yaml.read_text(encoding="utf-8") + "area: 全区\n", encoding="utf-8")
    district = load_city_config(cfg_dir)
    current = [report(u, unit_values(district, u, 2026), sid=n) for n, u in enumerate(district.reporting_units, 1)]
    previous = [report(u, unit_values(district, u, 2025), sid=100 + n) for n, u in enumerate(district.reporting_units, 1)]
    agg, doc = draft_of(district, current, previous)
    subject, body = render_mail(TEMPLATES, "draft", city=district, title=doc.title, expected=agg.expected,
                                reported=agg.reported, on_time=agg.on_time, first=True, changes=[], edits=[],
                                tasks=None, **target_context(district, agg, find_problems(district, agg)))
    said = doc.markdown + body + district.text("upward_coverage", expected=3, reported=2)
    assert "全区" in doc.markdown and "全区" in body and "全市" not in said
