"""Every accepted value per unit and indicator: what the draft's figures are traced back to, as rows
(CSV/JSON) or as a workbook with a unit a row and an indicator a column (a province's draft appendix
leaves that table out and points here)."""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from nianbao import repo
from nianbao.db.session import unit_of_work
from nianbao.resources import Resources


def export_values(res: Resources, year: int) -> list[dict]:
    cfg = res.config
    with unit_of_work(res.db) as s:
        repo.get_cycle(s, year)
        data = repo.accepted(s, year)
    rows = []
    for unit in cfg.reporting_units:
        d = data.get(unit.code)
        if d is None:
            continue
        for ind in cfg.input_indicators(unit):
            if ind.code in d.na:
                value, text = None, "不涉及"
            elif ind.code in d.values:
                value = d.values[ind.code]
                text = f"{value:g}"
            else:
                continue
            rows.append({"unit_code": unit.code, "unit": unit.name, "indicator": ind.code, "name": ind.name,
                         "value": value, "text": text, "measure": ind.unit, "submission_id": d.submission.id})
    return rows


def export_workbook(res: Resources, year: int, path: Path) -> int:
    """Write the per-unit table to ``path`` (.xlsx) and return how many units it lists. Written row by
    row with constant memory: a province's table has hundreds of thousands of cells."""
    cfg = res.config
    rows = export_values(res, year)
    by_unit: dict[str, dict[str, str | float]] = {}
    meta: dict[str, tuple[str, int]] = {}
    for r in rows:
        by_unit.setdefault(r["unit_code"], {})[r["indicator"]] = r["text"] if r["value"] is None else r["value"]
        meta[r["unit_code"]] = (r["unit"], r["submission_id"])
    inds = [i for i in cfg.indicators if not i.derived]
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    bold = wb.add_format({"bold": True})
    ws = wb.add_worksheet("分单位")
    ws.write_row(0, 0, ["单位代码", "单位", "报送编号"] + [i.code for i in inds], bold)
    ws.write_row(1, 0, ["", "", ""] + [f"{i.name}({i.unit})" for i in inds], bold)
    for n, (code, values) in enumerate(by_unit.items(), 2):
        name, sid = meta[code]
        ws.write_row(n, 0, [code, name, sid] + [values.get(i.code, "") for i in inds])
    ws.freeze_panes(2, 2)
    wb.close()
    return len(by_unit)
