"""GB/T 9704 layout of the report .docx: as Word stores it (the .docx XML) and as LibreOffice resolves it
(the flat ODT it converts the .docx to, following each paragraph's style chain to a font face)."""

from __future__ import annotations

import collections
import io
import os
import re
import shutil
import subprocess
import unicodedata
import zipfile
from pathlib import Path

import pendulum
import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt
from lxml import etree

from nianbao.report.docx_writer import build_docx

DATE = pendulum.datetime(2027, 2, 15, tz="Asia/Shanghai")
BODY = ("聚焦法治政府建设顶层设计，全面推进严格规范公正文明执法，2026年共办理行政复议案件123件，"
        "纠错率同比下降1.5%，依法行政水平持续提升。") * 4
SAMPLE = "\n\n".join(
    ["# 某市2026年法治政府建设年度报告", "## 一、主要举措和成效", "### （一）坚持党的全面领导",
     "#### 1. 强化组织保障", *[BODY] * 10, "## 二、存在的不足和原因", "### （二）执法规范化有待加强", BODY])
W = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
NS = {"office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
      "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
      "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
      "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
      "svg": "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"}
MM_PER = {"in": 25.4, "cm": 10.0, "mm": 1.0, "pt": 25.4 / 72}


def _attr(prefix: str, name: str) -> str:
    return f"{{{NS[prefix]}}}{name}"


def mm(length: str) -> float:
    number, unit = re.fullmatch(r"(-?[\d.]+)(in|cm|mm|pt)", length).groups()
    return float(number) * MM_PER[unit]


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} is required in CI (scripts/setup.sh --test installs it)")
        pytest.skip(f"{tool} not installed (scripts/setup.sh --test installs it)")
    return path


def convert(src: Path, fmt: str) -> Path:
    """LibreOffice headless, with a profile of its own so parallel runs do not share one."""
    out = src.parent / fmt
    subprocess.run([need("soffice"), f"-env:UserInstallation=file://{src.parent}/profile-{fmt}", "--headless",
                    "--convert-to", fmt, "--outdir", str(out), str(src)], check=True, capture_output=True, timeout=120)
    return out / f"{src.stem}.{fmt}"


def odf_text(el) -> str:
    """An ODF element's text, with <text:s/> (a run of spaces) as its spaces."""
    out = [el.text or ""]
    for child in el:
        spaces = child.tag == _attr("text", "s")
        out.append(" " * int(child.get(_attr("text", "c"), "1")) if spaces else odf_text(child))
        out.append(child.tail or "")
    return "".join(out)


def part(docx: Path | bytes, name: str):
    with zipfile.ZipFile(io.BytesIO(docx) if isinstance(docx, bytes) else docx) as z:
        return etree.fromstring(z.read(name))


class Fodt:
    """The .fodt LibreOffice wrote: a paragraph's property is the first found on its span's automatic
    style, then along its paragraph style and parents, then the default paragraph style."""

    def __init__(self, path: Path):
        self.root = etree.parse(str(path)).getroot()
        self.styles = {(s.get(_attr("style", "family")), s.get(_attr("style", "name"))): s
                       for s in self.root.iterfind(".//style:style", NS)}
        self.defaults = {s.get(_attr("style", "family")): s for s in self.root.iterfind(".//style:default-style", NS)}
        self.faces = {f.get(_attr("style", "name")): f.get(_attr("svg", "font-family")).strip("'\"")
                      for f in self.root.iterfind(".//style:font-face", NS)}

    def paragraph(self, starts: str):
        body = self.root.find("office:body", NS)
        return next(p for p in body.iter(_attr("text", "p"), _attr("text", "h")) if odf_text(p).startswith(starts))

    def _chain(self, family: str, name: str | None):
        while name:
            style = self.styles[(family, name)]
            yield style
            name = style.get(_attr("style", "parent-style-name"))

    def prop(self, p, kind: str, attr: str) -> str | None:
        chain = []
        span = p.find("text:span", NS)
        if span is not None:
            chain += self._chain("text", span.get(_attr("text", "style-name")))
        chain += [*self._chain("paragraph", p.get(_attr("text", "style-name"))), self.defaults["paragraph"]]
        for style in chain:
            props = style.find(f"style:{kind}-properties", NS)
            if props is not None and props.get(attr) is not None:
                return props.get(attr)
        return None

    def text(self, p, attr: str) -> str | None:
        prefix, name = attr.split(":")
        return self.prop(p, "text", _attr(prefix, name))

    def font(self, p, which: str = "font-name-asian") -> str:
        return self.faces[self.text(p, f"style:{which}")]

    def page_layout(self):
        master = self.root.find(".//style:master-page", NS)
        layout = next(pl for pl in self.root.iterfind(".//style:page-layout", NS)
                      if pl.get(_attr("style", "name")) == master.get(_attr("style", "page-layout-name")))
        return master, layout


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("layout") / "sample.docx"
    path.write_bytes(build_docx(SAMPLE, issuer="某市人民政府", date=DATE))
    return path


@pytest.fixture(scope="module")
def fodt(sample) -> Fodt:
    return Fodt(convert(sample, "fodt"))


Row = collections.namedtuple("Row", "left right text")  # pt from the page's left edge
TEXT_LEFT, TEXT_RIGHT = 28 / MM_PER["pt"], (210 - 26) / MM_PER["pt"]


def text_rows(pdf: Path, page: int) -> list[Row]:
    """The text rows of one page of a PDF, inside the text block (not the page number), top to bottom."""
    bbox = subprocess.run([need("pdftotext"), "-f", str(page), "-l", str(page), "-bbox", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    words = collections.defaultdict(list)
    for left, top, right, word in re.findall(
            r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)"[^>]*>([^<]*)</word>', bbox):
        if float(top) < (297 - 35) / MM_PER["pt"]:  # above the bottom margin: not the page number
            words[round(float(top))].append((float(left), float(right), word))
    return [Row(min(w[0] for w in ws), max(w[1] for w in ws), "".join(w[2] for w in sorted(ws)))
            for _, ws in sorted(words.items())]


def full_line_cells(rows: list[Row]) -> list[int]:
    """Character cells on each full line (one that reaches the right margin) set wholly in full-width
    characters (digits and Latin letters are narrower and would blur the count): its characters plus
    its indent in 16 pt cells (two on a paragraph's first line)."""
    wide = [r for r in rows if all(unicodedata.east_asian_width(c) in "WF" for c in r.text)]
    return [len(r.text) + round((r.left - TEXT_LEFT) / 16) for r in wide if r.right > TEXT_RIGHT - 8]


@pytest.fixture(scope="module")
def pdf_rows(sample) -> list[Row]:
    """The text rows of page 2 of LibreOffice's PDF (the machine's own fonts)."""
    return text_rows(convert(sample, "pdf"), 2)


LEVELS = {  # level → (the paragraph starts with, East Asian font, size, weight)
    "title": ("某市2026年", "方正小标宋简体", "22pt", "normal"),
    "一、": ("一、主要举措", "黑体", "16pt", "normal"),
    "（一）": ("（一）坚持", "楷体_GB2312", "16pt", "normal"),
    "1.": ("1. 强化", "仿宋_GB2312", "16pt", "bold"),
    "body": ("聚焦法治", "仿宋_GB2312", "16pt", "normal"),
}


@pytest.mark.slow
@pytest.mark.parametrize("level", LEVELS)
def test_libreoffice_resolves_each_level_to_its_gbt_font_and_size(fodt, level):
    starts, font, size, weight = LEVELS[level]
    p = fodt.paragraph(starts)
    assert fodt.font(p) == font
    assert fodt.font(p, "font-name") == "Times New Roman"  # digits and Latin text
    assert (fodt.text(p, "style:font-size-asian"), fodt.text(p, "fo:font-size")) == (size, size)
    assert fodt.text(p, "style:font-weight-asian") == weight


@pytest.mark.slow
def test_nothing_resolves_to_the_default_themes_japanese_font(fodt):
    faces = set(fodt.faces.values())
    assert not {f for f in faces if re.search(r"ＭＳ|MS (Mincho|Gothic)|Meiryo|游|Yu ", f)}, faces
    assert {"方正小标宋简体", "黑体", "楷体_GB2312", "仿宋_GB2312"} <= faces


def test_no_theme_font_attribute_is_left_in_the_docx(sample):
    with zipfile.ZipFile(sample) as z:
        xml = {n: z.read(n).decode() for n in z.namelist() if n.startswith("word/") and n.endswith(".xml")}
    assert "word/stylesWithEffects.xml" not in xml  # Word 2010's stale copy of the styles
    for name in ("word/styles.xml", "word/document.xml", "word/footer1.xml", "word/footer2.xml"):
        assert not re.search(r'w:(asciiTheme|hAnsiTheme|eastAsiaTheme|cstheme)="', xml[name]), name
    assert 'w:eastAsia="zh-CN"' in re.search(r"<w:themeFontLang[^>]*>", xml["word/settings.xml"]).group(0)


def test_the_docx_sets_the_page_grid_and_margins(sample):
    sect = part(sample, "word/document.xml").find(".//w:body/w:sectPr", W)
    size, margins, grid = (sect.find(f"w:{t}", W).attrib for t in ("pgSz", "pgMar", "docGrid"))
    assert (size[qn("w:w")], size[qn("w:h")]) == ("11906", "16838")
    assert [margins[qn(f"w:{m}")] for m in ("top", "bottom", "left", "right")] == ["2098", "1984", "1587", "1474"]
    assert dict(grid) == {qn("w:type"): "lines", qn("w:linePitch"): "579"}  # no character grid (see grid())
    height = 16838 - 2098 - 1984  # twips
    assert 22 * 579 <= height < 23 * 579
    normal = part(sample, "word/styles.xml").find(".//w:style[@w:styleId='Normal']", W)
    assert normal.find("w:pPr/w:spacing", W).attrib == {qn("w:before"): "0", qn("w:after"): "0",
                                                        qn("w:lineRule"): "exact", qn("w:line"): "579"}


def test_the_body_is_spaced_to_28_characters_a_line(sample):
    styles = part(sample, "word/styles.xml")

    def spacing(style_id):
        return int(styles.find(f".//w:style[@w:styleId='{style_id}']/w:rPr/w:spacing", W).get(qn("w:val")))
    width = (11906 - 1587 - 1474) / 20  # pt
    cell = 16 + spacing("Normal") / 20  # a 16 pt character and the spacing added after it (twentieths of a pt)
    assert 28 * cell <= width < 29 * cell
    assert spacing("Title") == 0  # the title, centred and off the grid, keeps its natural width


@pytest.mark.slow
def test_libreoffice_reads_the_page_grid_and_margins(fodt):
    _, layout = fodt.page_layout()
    props = layout.find("style:page-layout-properties", NS)
    get = lambda name: props.get(_attr("fo", name)) or props.get(_attr("style", name))  # noqa: E731
    assert [round(mm(get(f"margin-{side}")), 1) for side in ("top", "left", "right")] == [37.0, 28.0, 26.0]
    footer = layout.find("style:footer-style/style:header-footer-properties", NS)
    assert round(mm(get("margin-bottom")) + mm(footer.get(_attr("fo", "min-height"))), 1) == 35.0  # footer sits inside
    assert (get("layout-grid-mode"), get("layout-grid-lines")) == ("line", "22")
    assert round(mm(get("layout-grid-base-height")) / MM_PER["pt"], 1) == 28.9  # 579 twips = 28.95 pt


@pytest.mark.slow
def test_libreoffice_lays_out_22_lines_a_page(pdf_rows):
    assert len(pdf_rows) == 22, pdf_rows


@pytest.mark.slow
def test_libreoffice_lays_out_28_characters_a_line(pdf_rows):
    cells = full_line_cells(pdf_rows)
    assert len(cells) >= 3 and set(cells) == {28}, pdf_rows


def test_the_docx_numbers_odd_pages_right_and_even_pages_left(sample):
    assert part(sample, "word/settings.xml").find("w:evenAndOddHeaders", W) is not None
    doc = Document(str(sample))
    section = doc.sections[0]
    for footer, align, indent in ((section.footer, "right", "w:right"), (section.even_page_footer, "left", "w:left")):
        p = footer._element.find("w:p", W)
        assert p.find("w:pPr/w:jc", W).get(qn("w:val")) == align
        assert p.find("w:pPr/w:ind", W).get(qn(indent)) == "280"  # one 4号 character in from the edge
        assert "".join(t.text for t in p.iter(qn("w:t"), qn("w:instrText"))) == "—  PAGE 1 —"
        assert {sz.get(qn("w:val")) for sz in p.iterfind(".//w:sz", W)} == {"28"}  # 4号 = 14 pt


@pytest.mark.slow
def test_libreoffice_numbers_odd_pages_right_and_even_pages_left(fodt):
    master, _ = fodt.page_layout()
    for tag, align in (("footer", "end"), ("footer-left", "start")):
        p = master.find(f"style:{tag}/text:p", NS)
        assert p.find(".//text:page-number", NS) is not None
        assert fodt.prop(p, "paragraph", _attr("fo", "text-align")) == align, tag
        assert re.sub(r"\d+", "n", odf_text(p)) == "— n —"  # the field shows a cached number


def test_title_lines_break_the_title_where_given():
    docx = build_docx(SAMPLE, issuer="某市人民政府", date=DATE, title_lines=["某市2026年", "法治政府建设年度报告"])
    doc = Document(io.BytesIO(docx))
    title = doc.paragraphs[0]
    assert title.style.name == "Title"
    assert [el.tag for el in title._p.iter(qn("w:t"), qn("w:br"))] == [qn("w:t"), qn("w:br"), qn("w:t")]
    assert title.text == "某市2026年\n法治政府建设年度报告"


def test_fonts_and_latin_font_override_the_defaults():
    docx = build_docx(SAMPLE, issuer="某市人民政府", date=DATE, fonts={"title": "华文中宋", "body": "仿宋"},
                      latin_font="Arial")
    styles = part(docx, "word/styles.xml")

    def fonts(style_id):
        return styles.find(f".//w:style[@w:styleId='{style_id}']/w:rPr/w:rFonts", W).attrib
    assert fonts("Title")[qn("w:eastAsia")] == "华文中宋" and fonts("Normal")[qn("w:eastAsia")] == "仿宋"
    assert fonts("Heading1")[qn("w:eastAsia")] == "黑体" and fonts("Heading1")[qn("w:ascii")] == "Arial"
    with pytest.raises(ValueError, match="h4"):
        build_docx(SAMPLE, issuer="某市人民政府", date=DATE, fonts={"h4": "宋体"})


@pytest.fixture
def bureau_template(tmp_path) -> Path:
    """A bureau's own .docx: its letterhead paragraph and a Title style in its own font."""
    template = Document()
    title = template.styles["Title"]
    title.font.name = "Arial"
    title.element.rPr.rFonts.set(qn("w:eastAsia"), "华文中宋")
    template.add_paragraph("某某市人民政府文件").runs[0].font.size = Pt(36)
    path = tmp_path / "bureau.docx"
    template.save(str(path))
    return path


def test_a_bureau_template_keeps_its_letterhead_first_and_its_title_font(bureau_template):
    docx = build_docx(SAMPLE, issuer="某市人民政府", date=DATE, template=bureau_template)
    doc = Document(io.BytesIO(docx))
    assert [p.text for p in doc.paragraphs[:2]] == ["某某市人民政府文件", "某市2026年法治政府建设年度报告"]
    assert doc.paragraphs[1].style.name == "Title"
    fonts = doc.styles["Title"].element.rPr.rFonts
    assert (fonts.get(qn("w:eastAsia")), fonts.get(qn("w:ascii"))) == ("华文中宋", "Arial")
    assert not [a for a in fonts.attrib if a.endswith("Theme") or a.endswith("theme")]
    heading = doc.styles["Heading 1"].element.rPr.rFonts  # a style it leaves to us gets the GB/T font
    assert heading.get(qn("w:eastAsia")) == "黑体"


@pytest.mark.slow
def test_libreoffice_resolves_the_bureau_title_font(bureau_template, tmp_path):
    src = tmp_path / "bureau-report.docx"
    src.write_bytes(build_docx(SAMPLE, issuer="某市人民政府", date=DATE, template=bureau_template))
    fodt = Fodt(convert(src, "fodt"))
    assert fodt.font(fodt.paragraph("某市2026年")) == "华文中宋"
    assert fodt.font(fodt.paragraph("一、主要举措")) == "黑体"
