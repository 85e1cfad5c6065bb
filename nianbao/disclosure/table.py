"""The disclosure as plain data: one row per expected unit, one cell per configured indicator, and the
total. A cell keeps what the unit said — a number, 不涉及 (no such power), nothing (the indicator is not
asked of its kind) — or that the unit has not reported; only the renderers turn that into words, so
不涉及 can never become 0 on the way."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass
from typing import Literal, Protocol

from nianbao.cityconfig import CityConfig
from nianbao.disclosure.config import DisclosureFile, Words

CellState = Literal["number", "na", "not_reported", "blank"]


class UnitData(Protocol):
    """What the table needs of a unit's accepted submission (``repo.AcceptedData`` has it)."""

    @property
    def values(self) -> Mapping[str, float]: ...

    @property
    def na(self) -> Set[str]: ...


@dataclass(frozen=True)
class Column:
    code: str
    group: str  # the heading of its group
    label: str  # its own header: the configured short label, else the indicator's name
    measure: str  # 件, 次, 万元
    amount: bool  # money keeps two decimals; everything else is a whole count


@dataclass(frozen=True)
class Group:
    heading: str
    columns: tuple[Column, ...]

    @property
    def single(self) -> bool:
        """One column: one header cell spanning both header rows, named after the group."""
        return len(self.columns) == 1


@dataclass(frozen=True)
class Cell:
    state: CellState
    value: float | None = None


@dataclass(frozen=True)
class Row:
    code: str
    name: str
    kind: str
    reported: bool
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Table:
    city: str
    year: int
    title: str
    groups: tuple[Group, ...]
    rows: tuple[Row, ...]
    total: tuple[Cell, ...]

    @property
    def columns(self) -> tuple[Column, ...]:
        return tuple(c for g in self.groups for c in g.columns)

    @property
    def reported(self) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r.reported)

    @property
    def missing(self) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if not r.reported)


def columns_of(spec: DisclosureFile, config: CityConfig) -> tuple[Group, ...]:
    out = []
    for g in spec.groups:
        cols = []
        for c in g.columns:
            ind = config.indicator(c.code)
            cols.append(Column(c.code, g.heading, c.label or ind.name, ind.unit, ind.type == "amount"))
        out.append(Group(g.heading, tuple(cols)))
    return tuple(out)


def unit_cells(columns: Iterable[Column], asked: Set[str], data: UnitData | None) -> tuple[Cell, ...]:
    """One unit's cells, decided as `nianbao export` decides its rows (``asked``: the indicators its kind
    reports), so that the public table and the export cannot disagree."""
    if data is None:
        return tuple(Cell("not_reported") for _ in columns)
    cells = []
    for col in columns:
        if col.code not in asked:
            cells.append(Cell("blank"))
        elif col.code in data.na:
            cells.append(Cell("na"))
        elif col.code in data.values:
            cells.append(Cell("number", data.values[col.code]))
        else:  # accepted without this figure (the catalogue changed mid-cycle): shown as missing, not 0
            cells.append(Cell("blank"))
    return tuple(cells)


def total_of(column: Column, cells: Iterable[Cell]) -> Cell:
    """Numbers only are added. No number but some 不涉及 reads 不涉及: a city where no unit has the
    power has none either, and 0 would say it has the power and no cases."""
    cells = list(cells)
    numbers = [c.value for c in cells if c.state == "number" and c.value is not None]
    if numbers:
        total = math.fsum(numbers)
        return Cell("number", round(total, 2) if column.amount else float(round(total)))
    if any(c.state == "na" for c in cells):
        return Cell("na")
    return Cell("blank")


def build_table(spec: DisclosureFile, config: CityConfig, year: int, unit_codes: Iterable[str],
                data: Mapping[str, UnitData]) -> Table:
    """The table of ``unit_codes`` (the cycle's expected units, in order) from their accepted data."""
    groups = columns_of(spec, config)
    columns = tuple(c for g in groups for c in g.columns)
    rows = []
    for code in unit_codes:
        unit = config.unit(code)
        asked = {i.code for i in config.input_indicators(unit)}
        d = data.get(code)
        rows.append(Row(code, unit.name, unit.kind, d is not None, unit_cells(columns, asked, d)))
    total = tuple(total_of(col, (r.cells[n] for r in rows)) for n, col in enumerate(columns))
    title = spec.title.format(city=config.city, year=year)
    return Table(config.city, year, title, groups, tuple(rows), total)


def number_text(value: float, column: Column) -> str:
    """1234567 → 1,234,567; an amount in 万元 keeps two decimals: 1234.5 → 1,234.50."""
    return f"{value:,.2f}" if column.amount else f"{round(value):,d}"


def cell_text(cell: Cell, column: Column, words: Words) -> str:
    """What a reader sees in a cell."""
    if cell.state == "number" and cell.value is not None:
        return number_text(cell.value, column)
    return {"na": words.na, "not_reported": words.not_reported}.get(cell.state, words.blank)


def column_name(column: Column, group: Group, words: Words) -> str:
    """A column named on its own (in what changed): the group, or the group and the column."""
    return group.heading if group.single else words.column.format(group=group.heading, column=column.label)
