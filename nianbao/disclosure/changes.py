"""What changed since the previous disclosure. Each run keeps its figures in a small JSON snapshot next
to the files (no table, no migration); the next run compares with it, so a disclosure re-made after a
late or corrected submission says which units were added and which cells moved, and one re-made on the
same data says so (无变化)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nianbao.disclosure.config import Words
from nianbao.disclosure.table import Cell, Table, cell_text, column_name

NA = "na"  # how a snapshot writes 不涉及 (None: nothing to show)


@dataclass(frozen=True)
class CellChange:
    unit: str
    column: str
    before: str
    after: str


@dataclass(frozen=True)
class Changes:
    first: bool  # no earlier disclosure to compare with
    newly_reported: tuple[str, ...]  # unit names
    no_longer_reported: tuple[str, ...]  # had accepted data last time, have none now (sent back on review)
    cells: tuple[CellChange, ...]

    @property
    def unchanged(self) -> bool:
        return not (self.first or self.newly_reported or self.no_longer_reported or self.cells)


def _stored(cell: Cell) -> float | str | None:
    return cell.value if cell.state == "number" else NA if cell.state == "na" else None


def _cell(stored: Any) -> Cell:
    if stored == NA:
        return Cell("na")
    return Cell("blank") if stored is None else Cell("number", float(stored))


def snapshot(table: Table) -> dict:
    """The figures a disclosure showed, by unit and indicator code (not by label: a reworded header is
    not a change of data)."""
    cols = table.columns
    return {"year": table.year, "columns": [c.code for c in cols],
            "units": {r.code: {"name": r.name, "reported": r.reported,
                               "cells": {c.code: _stored(cell) for c, cell in zip(cols, r.cells)}}
                      for r in table.rows}}


def snapshot_bytes(table: Table) -> bytes:
    """Stable bytes: the same figures give the same file."""
    return json.dumps(snapshot(table), ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")


def compare(before: dict | None, table: Table, words: Words) -> Changes:
    """``table`` against the previous snapshot (None: the first disclosure). Columns added to or removed
    from disclosure.yaml since are left out: that is a change of the table's shape, not of the figures."""
    if before is None:
        return Changes(True, (), (), ())
    old_units: dict[str, dict] = before.get("units", {})
    old_cols = set(before.get("columns", []))
    named = [(c, column_name(c, g, words)) for g in table.groups for c in g.columns]
    new, gone, cells = [], [], []
    for row in table.rows:
        old = old_units.get(row.code)
        was = bool(old and old.get("reported"))
        if row.reported and not was:
            new.append(row.name)
            continue
        if was and not row.reported:
            gone.append(row.name)
            continue
        if not row.reported:
            continue
        for (col, name), cell in zip(named, row.cells):
            if col.code not in old_cols:
                continue
            prior = old["cells"].get(col.code)
            if prior != _stored(cell):
                cells.append(CellChange(row.name, name, cell_text(_cell(prior), col, words),
                                        cell_text(cell, col, words)))
    return Changes(False, tuple(new), tuple(gone), tuple(cells))


def describe(changes: Changes, table: Table, text: Callable[..., str]) -> list[str]:
    """What changed, one line each, worded by config/messages.yaml (``text``: ``CityConfig.text``)."""
    if changes.first:
        return [text("disclosure_first", year=table.year, expected=len(table.rows), reported=len(table.reported),
                     missing=len(table.missing))]
    if changes.unchanged:
        return [text("disclosure_unchanged")]
    lines = []
    if changes.newly_reported:
        lines.append(text("disclosure_new_units", count=len(changes.newly_reported),
                          units="、".join(changes.newly_reported)))
    if changes.no_longer_reported:
        lines.append(text("disclosure_withdrawn", count=len(changes.no_longer_reported),
                          units="、".join(changes.no_longer_reported)))
    if changes.cells:
        lines.append(text("disclosure_cells", count=len(changes.cells)))
        lines += [text("disclosure_cell", unit=c.unit, column=c.column, before=c.before, after=c.after)
                  for c in changes.cells]
    return lines
