"""Markdown blocks → .docx laid out per GB/T 9704-2012: A4, margins 37/35/28/26 mm, title 2号 小标宋,
body 3号 仿宋 at a fixed 28.95 pt line pitch (22 lines), levels 一、(一) 1. in 黑体/楷体/仿宋, page numbers
4号 "— 1 —". python-docx sets only ascii/hAnsi fonts, so w:eastAsia is set on every style and on the
document defaults."""

from __future__ import annotations

import io

import pendulum
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from nianbao.report.mdtext import unescape

BODY_FONT, TITLE_FONT, L1_FONT, L2_FONT = "仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312"
LATIN = "Times New Roman"
PITCH = Pt(28.95)


def parse_blocks(markdown: str) -> list[tuple[int, str]]:
    """(level, text): 1 = title, 2 = 一、, 3 = (一), 4 = 1., 0 = paragraph. Blank lines separate. The
    text comes back unescaped (see `mdtext`): a narrative's "#" stays a character, never a heading."""
    blocks = []
    for line in markdown.splitlines():
        s = line.strip()
        if not s:
            continue
        level = len(s) - len(s.lstrip("#"))
        if 0 < level <= 4 and s[level:level + 1] == " ":
            blocks.append((level, unescape(s[level:].strip())))
        else:
            blocks.append((0, unescape(s)))
    return blocks


def _fonts(target, east_asia: str, size: Pt, bold: bool = False) -> None:
    target.font.size, target.font.bold, target.font.name = size, bold, LATIN
    rpr = (target._r if hasattr(target, "_r") else target.element).get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), LATIN)
    fonts.set(qn("w:eastAsia"), east_asia)


def _defaults(doc) -> None:
    rpr_default = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = rpr_default.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr_default.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), BODY_FONT)
    fonts.set(qn("w:ascii"), LATIN)
    fonts.set(qn("w:hAnsi"), LATIN)


def _page_number(section) -> None:
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for kind, text in (("text", "— "), ("field", "PAGE"), ("text", " —")):
        run = p.add_run()
        _fonts(run, "宋体", Pt(14))
        if kind == "text":
            run.text = text
            continue
        for tag, attr in (("w:fldChar", "begin"), ("w:instrText", None), ("w:fldChar", "end")):
            el = OxmlElement(tag)
            if attr:
                el.set(qn("w:fldCharType"), attr)
            else:
                el.set(qn("xml:space"), "preserve")
                el.text = " PAGE "
            run._r.append(el)


def build_docx(markdown: str, *, issuer: str, date: pendulum.DateTime) -> bytes:
    doc = Document()
    _defaults(doc)
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
    styles = {0: ("Normal", BODY_FONT, False), 1: ("Title", TITLE_FONT, False), 2: ("Heading 1", L1_FONT, False),
              3: ("Heading 2", L2_FONT, False), 4: ("Heading 3", BODY_FONT, True)}
    for level, (name, font, bold) in styles.items():
        st = doc.styles[name]
        _fonts(st, font, Pt(22) if level == 1 else Pt(16), bold)
        st.font.color.rgb = None
        pf = st.paragraph_format
        pf.line_spacing_rule, pf.line_spacing = WD_LINE_SPACING.EXACTLY, PITCH
        pf.space_before = pf.space_after = Pt(0)
        pf.first_line_indent = Pt(32) if level in (0, 2, 3, 4) else None
        pf.alignment = WD_ALIGN_PARAGRAPH.CENTER if level == 1 else WD_ALIGN_PARAGRAPH.JUSTIFY
    doc.styles["Title"].paragraph_format.line_spacing = Pt(40)
    border = doc.styles["Title"].element.pPr.find(qn("w:pBdr"))  # Word's Title style underlines itself
    if border is not None:
        doc.styles["Title"].element.pPr.remove(border)
    for level, text in parse_blocks(markdown):
        p = doc.add_paragraph(text, style=styles[level][0])
        if level == 1:
            doc.add_paragraph("", style="Normal")
    doc.add_paragraph("", style="Normal")
    for text in (issuer, f"{date.year}年{date.month}月{date.day}日"):
        p = doc.add_paragraph(text, style="Normal")
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _page_number(sec)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
