"""The rendered disclosure: the .html a portal takes (no script, a captioned <table> whose every <th>
has a scope), and the .xlsx (numbers as numbers with a format, 不涉及 as text)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
from html.parser import HTMLParser

import openpyxl

from nianbao.disclosure.render_html import city_page, render, unit_page
from nianbao.disclosure.render_xlsx import city_xlsx, unit_xlsx
from nianbao.disclosure.table import build_table
from nianbao.settings import REPO_ROOT

TEMPLATES = REPO_ROOT / "templates"
STAMP = dt.datetime(2027, 2, 1, 9, 30)
SCOPES = {"col", "colgroup", "row", "rowgroup"}
HALF_WIDTH = re.compile(r"[\u4e00-\u9fff][,;:()?!]|[,;:()?!][\u4e00-\u9fff]")  # as tests/flows/test_demo_cycle.py


class Page(HTMLParser):
    """Every tag with its attributes, the caption's text, and each table row as (tag, text, attrs) cells."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.rows: list[list[tuple[str, str, dict]]] = []
        self.section, self.sections, self.caption, self._cell = "", [], "", None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag in ("thead", "tbody", "tfoot"):
            self.section = tag
        elif tag == "tr":
            self.rows.append([])
            self.sections.append(self.section)
        elif tag in ("th", "td"):
            self._cell = [tag, "", a]
        elif tag == "caption":
            self._cell = ["caption", "", a]

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._cell:
            self.rows[-1].append(tuple(self._cell))
            self._cell = None
        elif tag == "caption" and self._cell:
            self.caption, self._cell = self._cell[1], None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[1] += data.strip()

    def named(self, tag):
        return [a for t, a in self.tags if t == tag]


def assert_portal_ready(html: str, title: str, punctuation: bool = True) -> Page:
    page = Page(html)
    tags = {t for t, _ in page.tags}
    assert not tags & {"script", "link", "iframe", "object", "embed", "img", "base"}
    assert not any(k.startswith("on") for _, a in page.tags for k in a)  # no event handlers either
    assert "http" not in html and "src=" not in html
    assert not punctuation or HALF_WIDTH.findall(html) == []  # the public reads full-width punctuation in Chinese text
    assert page.named("html") == [{"lang": "zh-CN"}]
    assert len(page.named("table")) == 1 and page.caption == title
    ths = page.named("th")
    assert ths and all(a.get("scope") in SCOPES for a in ths)
    return page


def test_the_city_html_is_a_captioned_accessible_table(city, spec, sample):
    table = build_table(spec, city, 2026, [u.code for u in city.reporting_units], sample)
    page = assert_portal_ready(render(city_page(table, spec), TEMPLATES), table.title)
    head = [r for r, s in zip(page.rows, page.sections) if s == "thead"]
    assert len(head) == 2
    assert ("th", "行政处罚（件）", {"scope": "colgroup", "colspan": "9", "style": "border:1px solid #666"}) in head[0]
    assert [c[1] for c in head[1]][:2] == ["警告、通报批评", "罚款"]
    body = [r for r, s in zip(page.rows, page.sections) if s == "tbody"]
    assert len(body) == len(table.rows)
    for row, cells in zip(table.rows, body):
        assert cells[0] == ("th", row.name, cells[0][2]) and cells[0][2]["scope"] == "row"
        assert len(cells) == 1 + len(table.columns)
        if not row.reported:
            assert {c[1] for c in cells[1:]} == {"尚未报送"}
    (total,) = [r for r, s in zip(page.rows, page.sections) if s == "tfoot"]
    assert total[0][1] == "合计" and total[0][2]["scope"] == "row"
    numbers = [c for r in body for c in r[1:] if c[1] not in ("不涉及", "尚未报送", "—")]
    assert numbers and all(c[2].get("class") == "num" and "text-align:right" in c[2]["style"] for c in numbers)
    na_rows = [r for r in body if any(c[1] == "不涉及" for c in r)]
    assert na_rows  # the sample's departments lack some powers; shown as 不涉及, not 0


def test_names_from_config_are_escaped(city, spec):
    unit = city.reporting_units[0]
    hostile = unit.model_copy(update={"name": "<script>alert(1)</script>区"})
    config = dataclasses.replace(city, units=tuple(hostile if u.code == unit.code else u for u in city.units))
    table = build_table(spec, config, 2026, [unit.code], {})
    html = render(city_page(table, spec), TEMPLATES)
    page = assert_portal_ready(html, table.title, punctuation=False)  # &lt; ends in a semicolon
    assert "&lt;script&gt;" in html and page.rows[2][0][1] == "<script>alert(1)</script>区"


def test_each_unit_page_is_one_accessible_table_with_its_own_title(city, spec, sample):
    table = build_table(spec, city, 2026, [u.code for u in city.reporting_units], sample)
    reported, missing = table.reported[0], table.missing[0]
    page = assert_portal_ready(render(unit_page(table, reported, spec), TEMPLATES),
                               f"{reported.name}2026年度行政执法数据公开")
    figures = [r[-1][1] for r in page.rows[1:]]
    assert len(figures) == len(table.columns)
    assert ("th", "行政处罚", {"scope": "rowgroup", "rowspan": "9", "style": "border:1px solid #666"}) in page.rows[2]
    page = Page(render(unit_page(table, missing, spec), TEMPLATES))
    assert {r[-1][1] for r in page.rows[1:]} == {"尚未报送"}


def test_the_city_xlsx_keeps_numbers_as_numbers_and_words_as_words(city, spec, sample):
    table = build_table(spec, city, 2026, [u.code for u in city.reporting_units], sample)
    data = city_xlsx(table, spec, city.bureau, STAMP)
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert ws.title == "行政执法数据公开" and ws["A1"].value == table.title
    assert [ws.cell(2, 1).value, ws.cell(2, 2).value, ws.cell(2, 3).value] == ["单位", "行政许可（件）", "行政处罚（件）"]
    assert ws.cell(3, 3).value == "警告、通报批评"
    amount_col = 2 + [c.code for c in table.columns].index("E_CF_JE")
    for n, row in enumerate(table.rows, 4):
        assert ws.cell(n, 1).value == row.name
        for k, (cell, col) in enumerate(zip(row.cells, table.columns), 2):
            got = ws.cell(n, k)
            if cell.state == "number":
                assert got.value == (cell.value if col.amount else round(cell.value))
                assert got.number_format == ("#,##0.00" if col.amount else "#,##0")
            else:
                assert got.value == {"na": "不涉及", "not_reported": "尚未报送"}[cell.state]
    total_row = 4 + len(table.rows)
    assert ws.cell(total_row, 1).value == "合计"
    assert ws.cell(total_row, amount_col).value == table.total[amount_col - 2].value
    assert "不涉及" in ws.cell(total_row + 2, 1).value  # the note under the table


def test_the_same_figures_give_the_same_xlsx_bytes(city, spec, sample):
    table = build_table(spec, city, 2026, [u.code for u in city.reporting_units], sample)
    assert city_xlsx(table, spec, city.bureau, STAMP) == city_xlsx(table, spec, city.bureau, STAMP)
    row = table.rows[0]
    title = f"{row.name}2026年度行政执法数据公开"
    one = unit_xlsx(table, row, spec, title, city.bureau, STAMP)
    assert one == unit_xlsx(table, row, spec, title, city.bureau, STAMP)
    ws = openpyxl.load_workbook(io.BytesIO(one)).active
    assert ws["A1"].value == title and [c.value for c in ws[2]] == ["类别", "项目", "计量单位", "数量"]
    assert ws.max_row >= 2 + len(table.columns)
