"""Every accepted value per unit and indicator: what the draft's figures are traced back to."""

from __future__ import annotations

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
