"""The disclosure as HTML a portal's web editor pastes: one self-contained page (inline style, no script,
no link), rendered by templates/disclosure.html.j2 with autoescaping on. This module only lays the table
out as header cells and rows of text; the markup and its accessibility (caption, scope) are the template's."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import jinja2

from nianbao.disclosure.config import DisclosureFile
from nianbao.errors import ConfigProblem
from nianbao.disclosure.table import Cell, Column, Group, Row, Table, cell_text

TEMPLATE = "disclosure.html.j2"


@dataclass(frozen=True)
class Head:
    text: str
    scope: str  # col | colgroup | row | rowgroup
    colspan: int = 1
    rowspan: int = 1


@dataclass(frozen=True)
class Data:
    text: str
    number: bool  # right-aligned


@dataclass(frozen=True)
class Line:
    heads: tuple[Head, ...]  # the row's own header cells (unit name; or category and item)
    cells: tuple[Data, ...]


@dataclass(frozen=True)
class Page:
    kind: str  # city | unit
    title: str
    col_spans: tuple[int, ...]  # <colgroup span> after the row-header columns, so scope=colgroup has groups
    row_head_cols: int
    head_rows: tuple[tuple[Head, ...], ...]
    bodies: tuple[tuple[Line, ...], ...]  # one <tbody> each
    foot: tuple[Line, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)


@lru_cache(maxsize=4)
def _env(templates_dir: str) -> jinja2.Environment:
    # Autoescape: unit names and labels come from config, and a page the public reads must never carry markup from it.
    return jinja2.Environment(loader=jinja2.FileSystemLoader(templates_dir), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _data(cell: Cell, col: Column, spec: DisclosureFile) -> Data:
    return Data(cell_text(cell, col, spec.words), cell.state == "number")


def _measured(name: str, measures: set[str], spec: DisclosureFile) -> str:
    return spec.words.with_measure.format(name=name, measure=next(iter(measures))) if len(measures) == 1 else name


def _city_heads(table: Table, spec: DisclosureFile) -> tuple[tuple[Head, ...], tuple[Head, ...]]:
    """Two header rows: a one-column group spans both; a wider one spans its columns, which are named
    below it (with the measure on the group when all its columns share one, else on each column)."""
    top, below = [Head(spec.words.unit, "col", rowspan=2)], []
    for g in table.groups:
        measures = {c.measure for c in g.columns}
        if g.single:
            top.append(Head(_measured(g.heading, measures, spec), "col", rowspan=2))
            continue
        top.append(Head(_measured(g.heading, measures, spec), "colgroup", colspan=len(g.columns)))
        below += [Head(c.label if len(measures) == 1 else _measured(c.label, {c.measure}, spec), "col")
                  for c in g.columns]
    return tuple(top), tuple(below)


def city_page(table: Table, spec: DisclosureFile) -> Page:
    cols = table.columns
    rows = tuple(Line((Head(r.name, "row"),), tuple(_data(c, col, spec) for c, col in zip(r.cells, cols)))
                 for r in table.rows)
    total = Line((Head(spec.words.total, "row"),), tuple(_data(c, col, spec) for c, col in zip(table.total, cols)))
    coverage = spec.words.coverage.format(expected=len(table.rows), reported=len(table.reported),
                                          missing=len(table.missing))
    return Page("city", table.title, tuple(len(g.columns) for g in table.groups), 1, _city_heads(table, spec),
                (rows,), (total,), tuple(n for n in (coverage, spec.note) if n))


def _unit_body(group: Group, row: Row, table: Table, spec: DisclosureFile) -> tuple[Line, ...]:
    index = {c.code: n for n, c in enumerate(table.columns)}
    lines = []
    for k, col in enumerate(group.columns):
        heads = (Head(group.heading, "rowgroup", rowspan=len(group.columns)),) if k == 0 else ()
        cell = row.cells[index[col.code]]
        lines.append(Line(heads + (Head(col.label, "row"),), (Data(col.measure, False), _data(cell, col, spec))))
    return tuple(lines)


def unit_page(table: Table, row: Row, spec: DisclosureFile) -> Page:
    """A unit's own table, one indicator a line: category, item, measure, figure (or 尚未报送)."""
    w = spec.words
    title = spec.unit_title.format(city=table.city, year=table.year, unit=row.name)
    heads = (tuple(Head(t, "col") for t in (w.category, w.item, w.measure, w.value)),)
    bodies = tuple(_unit_body(g, row, table, spec) for g in table.groups)
    return Page("unit", title, (2,), 2, heads, bodies, (), (spec.note,) if spec.note else ())


def render(page: Page, templates_dir: Path) -> str:
    return _env(str(templates_dir)).get_template(TEMPLATE).render(page=page)


def template_problems(templates_dir: Path) -> list[ConfigProblem]:
    """The template exists, parses and renders a one-cell page (a misspelt name fails now, not in January)."""
    where = f"templates/{TEMPLATE}"
    sample = Page("city", "示例", (1,), 1, ((Head("单位", "col"), Head("示例", "col")),),
                  ((Line((Head("示例", "row"),), (Data("1", True),)),),), (), ("示例",))
    try:
        render(sample, templates_dir)
    except jinja2.TemplateNotFound:
        return [ConfigProblem(where, "-", "模板文件不存在")]
    except jinja2.TemplateSyntaxError as exc:
        return [ConfigProblem(where, f"第 {exc.lineno} 行", f"模板语法错误：{exc.message}")]
    except (jinja2.TemplateError, AttributeError, TypeError) as exc:
        return [ConfigProblem(where, "-", f"用示例数据渲染失败：{exc}")]
    return []
