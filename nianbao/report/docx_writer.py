"""Markdown blocks → .docx laid out per GB/T 9704-2012, in a form Word, WPS and LibreOffice all honour: A4,
margins 37/35/28/26 mm, 22 lines × 28 characters (a line grid and the body's character spacing, see
`docx_styles.grid`), title 2号 小标宋, levels 一、(一) 1. in 3号 黑体/楷体/仿宋 bold, body 3号 仿宋 at the
grid's exact line pitch, Latin text and digits in Times New Roman, page numbers 4号 "— 1 —" right on odd
pages and left on even ones. The styles, the grid and the removal of theme fonts live in `docx_styles`.

A bureau may give its own .docx (`template=`): its letterhead (红头, in the header or first paragraphs)
and styles stay, the report is appended after its content, and only what its Normal/Title/Heading
styles leave unset is filled in. python-docx on that file was chosen over docxtpl: docxtpl renders
Jinja tags a clerk would have to place inside the Word file (and which Word splits across runs), while
the report is already Markdown from our own template; python-docx is already a dependency, keeps the
bureau's file untouched except for what is appended, and lets the styles be repaired (theme fonts) in
the same pass."""

from __future__ import annotations

import io
from pathlib import Path

import pendulum
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from nianbao.report import docx_styles as gb
from nianbao.report.mdtext import unescape

PAGE_NUMBER_FONT = "宋体"


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


def _has_page_field(footer) -> bool:
    return any("PAGE" in (t.text or "") for t in footer._element.iter(qn("w:instrText"))) or any(
        "PAGE" in (f.get(qn("w:instr")) or "") for f in footer._element.iter(qn("w:fldSimple")))


def _page_number(footer, align) -> None:
    """"— n —" in 4号: a PAGE field between em dashes, one character in from the outer edge."""
    if _has_page_field(footer):
        return
    p = footer.paragraphs[0] if footer.paragraphs and not footer.paragraphs[0].text else footer.add_paragraph()
    p.alignment = align
    pf = p.paragraph_format
    pf.space_before = pf.space_after = pf.first_line_indent = Pt(0)  # Footer is based on Normal (2 characters)
    p._p.pPr.ind.set(qn("w:firstLineChars"), "0")
    pf.left_indent, pf.right_indent = (Pt(14), None) if align == WD_ALIGN_PARAGRAPH.LEFT else (None, Pt(14))
    gb.no_snap(p._p.get_or_add_pPr())
    parts = [("text", "— "), ("begin", None), ("instr", " PAGE "), ("separate", None), ("text", "1"),
             ("end", None), ("text", " —")]
    for kind, text in parts:
        run = p.add_run()
        run.font.size = Pt(14)
        gb.set_fonts(run._r.get_or_add_rPr(), PAGE_NUMBER_FONT, PAGE_NUMBER_FONT)
        if kind == "text":
            run.text = text
            if "—" in text:  # the dash is the East Asian 一字线, not a Latin em dash
                run._r.rPr.rFonts.set(qn("w:hint"), "eastAsia")
        elif kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)


def _page_numbers(doc, section) -> None:
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)
    if section.different_first_page_header_footer:
        _page_number(section.first_page_footer, WD_ALIGN_PARAGRAPH.RIGHT)


def build_docx(markdown: str, *, issuer: str, date: pendulum.DateTime, title_lines: list[str] | None = None,
               latin_font: str = gb.LATIN, fonts: dict[str, str] | None = None,
               template: Path | None = None) -> bytes:
    """The report as .docx bytes. `title_lines` breaks the title where given (instead of the Markdown
    title); `fonts` overrides the Chinese fonts by key (title, h1, h2, h3, body); `template` is a bureau's
    own .docx to append the report to."""
    unknown = set(fonts or {}) - set(gb.FONTS)
    if unknown:
        raise ValueError(f"unknown font keys {sorted(unknown)}; expected some of {sorted(gb.FONTS)}")
    fonts = {**gb.FONTS, **(fonts or {})}
    doc = Document(str(template)) if template is not None else Document()
    section = doc.sections[-1]
    gb.page_setup(section)
    gb.apply_styles(doc, fonts, latin_font, own=template is None)
    gb.doc_grid(doc, section, own=template is None)
    gb.resolve_theme_fonts(doc)
    # A paragraph in the default style needs no style of its own (the same XML), and naming it costs a
    # scan of every style in python-docx: a third of a unit draft's time.
    default = doc.styles.default(WD_STYLE_TYPE.PARAGRAPH)
    styles = {level: None if default is not None and spec[0] == default.name else spec[0]
              for level, spec in gb.LEVELS.items()}
    title_done = False
    for level, text in parse_blocks(markdown):
        if level == 1 and title_lines and not title_done:
            p = doc.add_paragraph(style=styles[1])
            run = p.add_run(title_lines[0])
            for line in title_lines[1:]:
                run.add_break()
                run.add_text(line)
        else:
            doc.add_paragraph(text, style=styles[level])
        if level == 1:
            title_done = True
            doc.add_paragraph("", style=styles[0])
    doc.add_paragraph("", style=styles[0])
    for text in (issuer, f"{date.year}年{date.month}月{date.day}日"):
        doc.add_paragraph(text, style=styles[0]).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _page_numbers(doc, section)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
