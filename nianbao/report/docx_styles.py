"""GB/T 9704-2012 styles, page setup and theme-font removal for a python-docx `Document`.

Word, WPS and LibreOffice let a theme attribute (w:asciiTheme, w:eastAsiaTheme, …) win over a named
font, and python-docx's default template sends East Asian text through its theme to a Japanese font
(w:themeFontLang ja-JP → "ＭＳ 明朝"). So every theme attribute goes: on the styles we use it is
dropped and the GB/T font named instead; anywhere else (other styles, a bureau's letterhead) it is
replaced by the font the theme names for Simplified Chinese, so nothing resolves to the Japanese one."""

from __future__ import annotations

import math

from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml import etree

LATIN = "Times New Roman"
FONTS = {"title": "方正小标宋简体", "h1": "黑体", "h2": "楷体_GB2312", "h3": "仿宋_GB2312", "body": "仿宋_GB2312"}
BODY_PT, LINES, CHARS = 16, 22, 28  # 3号 text, 22 lines × 28 characters a page
TITLE_PITCH = Pt(40)
MARGINS = {"top_margin": Mm(37), "bottom_margin": Mm(35), "left_margin": Mm(28), "right_margin": Mm(26)}
# level → (style, FONTS key, size in pt, bold, 2-character first-line indent, alignment); Normal first:
# the others are based on it.
LEVELS = {0: ("Normal", "body", BODY_PT, False, True, WD_ALIGN_PARAGRAPH.JUSTIFY),
          1: ("Title", "title", 22, False, False, WD_ALIGN_PARAGRAPH.CENTER),
          2: ("Heading 1", "h1", BODY_PT, False, True, WD_ALIGN_PARAGRAPH.JUSTIFY),
          3: ("Heading 2", "h2", BODY_PT, False, True, WD_ALIGN_PARAGRAPH.JUSTIFY),
          4: ("Heading 3", "h3", BODY_PT, True, True, WD_ALIGN_PARAGRAPH.JUSTIFY)}
_THEME = {"w:asciiTheme": "w:ascii", "w:hAnsiTheme": "w:hAnsi", "w:eastAsiaTheme": "w:eastAsia", "w:cstheme": "w:cs"}
_AFTER_SNAP = ("w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
               "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId",
               "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
_AFTER_SPACING = ("w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr",
                  "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout",
                  "w:specVanish", "w:oMath")
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"


def grid(section, normal_pt: float = BODY_PT) -> tuple[int, int]:
    """(w:linePitch in twips, w:spacing in twentieths of a point) for LINES × CHARS on this section's
    page, from the margins as Word stores them (twips); A4 at 37/35/28/26 mm: (579, -5).

    The 22 lines are a line grid (w:docGrid lines) with the body at exactly that pitch. The 28
    characters are the Normal style's character spacing (ECMA-376 §17.3.2.35: added after every
    character, in Word, WPS and LibreOffice alike), not a character grid: Word makes a grid cell the
    Normal size + charSpace/4096 pt (§17.6.5) and compresses each character into it, but LibreOffice 7.4
    gives a character wider than its cell two cells (14 characters a line). Rounded down, so 28 fit:
    16 − 0.25 = 15.75 pt, 28 × 15.75 = 441 pt of the 442.25 pt text block."""
    twips = [round(x / 635) for x in (section.page_width, section.left_margin, section.right_margin,
                                      section.page_height, section.top_margin, section.bottom_margin)]
    width, height = twips[0] - twips[1] - twips[2], twips[3] - twips[4] - twips[5]
    return height // LINES, math.floor((width / 20 / CHARS - normal_pt) * 20)


def page_setup(section) -> None:
    """A4 and the GB/T margins; the page-number line's top edge ≈ 7 mm below the text block."""
    section.page_width, section.page_height = Mm(210), Mm(297)
    for name, value in MARGINS.items():
        setattr(section, name, value)
    section.footer_distance = Mm(23)


def doc_grid(doc, section, own: bool = True) -> None:
    """22 lines × 28 characters, measured against the Normal style's size (see `grid`): a line grid on
    the section, the character spacing on Normal (a bureau's own spacing stays), none on the Title
    (centred, off the grid)."""
    normal = doc.styles["Normal"]
    line_pitch, spacing = grid(section, normal.font.size.pt if normal.font.size is not None else BODY_PT)
    sect = section._sectPr
    el = sect.find(qn("w:docGrid"))
    if el is None:
        el = sect.insert_element_before(OxmlElement("w:docGrid"), "w:printerSettings", "w:sectPrChange")
    el.attrib.pop(qn("w:charSpace"), None)  # a character grid is what LibreOffice 7.4 lays out wrong
    for attr, value in (("w:type", "lines"), ("w:linePitch", line_pitch)):
        el.set(qn(attr), str(value))
    for style, value in ((normal, spacing), (doc.styles["Title"], 0)):
        rpr = style.element.get_or_add_rPr()
        found = rpr.find(qn("w:spacing"))
        if found is None:
            found = rpr.insert_element_before(OxmlElement("w:spacing"), *_AFTER_SPACING)
        elif not own:
            continue
        found.set(qn("w:val"), str(value))


def set_fonts(rpr, east_asia: str, latin: str, fill_only: bool = False) -> None:
    """Name the fonts of an rPr, dropping its theme attributes; `fill_only` keeps the names already set."""
    fonts = rpr.get_or_add_rFonts()
    for attr in _THEME:
        fonts.attrib.pop(qn(attr), None)
    for attr, name in (("w:ascii", latin), ("w:hAnsi", latin), ("w:cs", latin), ("w:eastAsia", east_asia)):
        if not (fill_only and fonts.get(qn(attr))):
            fonts.set(qn(attr), name)


def no_snap(ppr) -> None:
    """Keep a paragraph off the document grid: the 2号 title keeps its own 40 pt lines."""
    snap = ppr.find(qn("w:snapToGrid"))
    if snap is None:
        snap = ppr.insert_element_before(OxmlElement("w:snapToGrid"), *_AFTER_SNAP)
    snap.set(qn("w:val"), "0")


def _doc_defaults_rpr(doc):
    styles = doc.styles.element
    parent = styles
    for tag in ("w:docDefaults", "w:rPrDefault", "w:rPr"):
        child = parent.find(qn(tag))
        if child is None:
            child = OxmlElement(tag)
            parent.insert(0, child)
        parent = child
    return parent


def _style(doc, name: str, level: int):
    try:
        return doc.styles[name], False
    except KeyError:
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        if level:
            style.base_style, style.next_paragraph_style = doc.styles["Normal"], doc.styles["Normal"]
        if level > 1:
            style.element.get_or_add_pPr().get_or_add_outlineLvl().val = level - 2
        return style, True


def apply_styles(doc, fonts: dict[str, str], latin: str, own: bool) -> None:
    """Defaults and the five styles of LEVELS. `own` (our default template): set everything; a bureau's
    template: fill in only what its styles leave unset. Call after `page_setup` (the line pitch)."""
    rpr = _doc_defaults_rpr(doc)
    set_fonts(rpr, fonts["body"], latin, fill_only=not own)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = rpr.insert_element_before(OxmlElement("w:lang"), "w:eastAsianLayout", "w:specVanish", "w:oMath")
    if own or not lang.get(qn("w:eastAsia")):
        lang.set(qn("w:eastAsia"), "zh-CN")
    body_pitch = Pt(grid(doc.sections[-1])[0] / 20)
    for level, (name, key, size, bold, indent, align) in LEVELS.items():
        style, created = _style(doc, name, level)
        fill = not (own or created)
        set_fonts(style.element.get_or_add_rPr(), fonts[key], latin, fill_only=fill)
        font, pf = style.font, style.paragraph_format
        wanted = [(font, "size", Pt(size)), (font, "bold", bold), (pf, "space_before", Pt(0)),
                  (pf, "space_after", Pt(0)), (pf, "alignment", align)]
        for target, attr, value in wanted:
            if not (fill and getattr(target, attr) is not None):
                setattr(target, attr, value)
        if not (fill and pf.line_spacing is not None):
            pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            pf.line_spacing = TITLE_PITCH if level == 1 else body_pitch
        if not (fill and pf.first_line_indent is not None):
            pf.first_line_indent = Pt(2 * size) if indent else None
            if indent:  # Word and WPS count "2 characters" of the style's size; LibreOffice reads w:firstLine
                style.element.pPr.ind.set(qn("w:firstLineChars"), "200")
            elif style.element.pPr.ind is not None:
                style.element.pPr.ind.attrib.pop(qn("w:firstLineChars"), None)
        if own:
            font.color.rgb = None
            size_cs = style.element.rPr.find(qn("w:szCs"))
            if size_cs is not None:
                size_cs.set(qn("w:val"), str(2 * size))
            for tag in ("w:spacing", "w:kern"):  # the Title's letter-spacing would leave the grid
                for el in style.element.rPr.findall(qn(tag)):
                    style.element.rPr.remove(el)
            border = style.element.pPr.find(qn("w:pBdr"))  # Word's Title underlines itself
            if border is not None:
                style.element.pPr.remove(border)
        if level == 1:
            no_snap(style.element.get_or_add_pPr())


def _theme_fonts(doc) -> dict[str, str]:
    """Theme font references ("majorEastAsia", …) → the typeface the theme names, read for zh-CN."""
    theme = next((r.target_part for r in doc.part.rels.values() if r.reltype == RT.THEME), None)
    if theme is None:
        return {}
    root, names = etree.fromstring(theme.blob), {}
    for kind in ("major", "minor"):
        scheme = root.find(f".//{_A}{kind}Font")
        if scheme is None:
            continue
        hans = scheme.find(f"{_A}font[@script='Hans']")
        pick = {"HAnsi": scheme.find(f"{_A}latin"), "Ascii": scheme.find(f"{_A}latin"),
                "EastAsia": hans if hans is not None else scheme.find(f"{_A}ea"), "Bidi": scheme.find(f"{_A}cs")}
        for suffix, el in pick.items():
            if el is not None and el.get("typeface"):
                names[kind + suffix] = el.get("typeface")
    return names


def resolve_theme_fonts(doc) -> None:
    """Every theme attribute left (other styles, letterhead runs, numbering, headers) becomes the named
    font the theme gives for Simplified Chinese; a name already there stays. Word 2010's stale copy of
    the styles (stylesWithEffects) is dropped, and the theme language set to zh-CN."""
    names = _theme_fonts(doc)
    parts = [doc.part] + [r.target_part for r in doc.part.rels.values()
                          if not r.is_external and hasattr(r.target_part, "element")]
    for part in parts:
        for fonts in part.element.iter(qn("w:rFonts")):
            for attr, named in _THEME.items():
                ref = fonts.attrib.pop(qn(attr), None)
                if ref and not fonts.get(qn(named)) and names.get(ref):
                    fonts.set(qn(named), names[ref])
    for rid in [rid for rid, r in doc.part.rels.items() if r.reltype == _STYLES_WITH_EFFECTS]:
        doc.part.drop_rel(rid)
    lang = doc.settings.element.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")
