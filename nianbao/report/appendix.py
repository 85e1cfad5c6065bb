"""The data appendix (.xlsx): every figure of the draft with its source units and submissions, the
per-unit table, and charts of the rates a leader would rather see than read."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font

from nianbao.cityconfig import CityConfig
from nianbao.report.aggregate import CityAggregate

MET = {True: "达标", False: "未达标", None: ""}


def build_appendix(config: CityConfig, agg: CityAggregate) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "全市指标"
    ws.append(["指标代码", "指标名称", "计量单位", f"{agg.year}年", f"{agg.year - 1}年", "同比(%)", "目标",
               "是否达标", "覆盖单位", "应报单位", "不涉及单位", "来源报送编号"])
    for f in agg.figures.values():
        target = f"{f.target.op}{f.target.value:g}" if f.target else ""
        ws.append([f.code, f.name, f.unit, f.value, f.last_year,
                   round(f.change_pct, 2) if f.change_pct is not None else None, target, MET[f.met],
                   f.covered, f.expected, f.na_units, ",".join(map(str, f.sources))])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.column_dimensions["B"].width = 40
    per = wb.create_sheet("分单位")
    codes = [i.code for i in config.indicators]
    per.append(["单位代码", "单位", "报送状态"] + codes)
    per.append(["", "", ""] + [agg.figures[c].name for c in codes])
    status = {u.unit.code: u.status for u in agg.units}
    for u in agg.units:
        row = [agg.figures[c].by_unit.get(u.unit.code, "") for c in codes]
        per.append([u.unit.code, u.unit.name, status[u.unit.code]] + ["不涉及" if v is None else v for v in row])
    charts = wb.create_sheet("图表")
    rates = [i for i in config.indicators if i.derived and i.unit == "%"][:4]
    anchor_row = 1
    for ind in rates:
        data = [(agg.unit_name(c), v) for c, v in agg.figures[ind.code].by_unit.items() if v is not None]
        if not data:
            continue
        start = charts.max_row + 2 if charts.max_row > 1 else 1
        charts.cell(start, 1, "单位")
        charts.cell(start, 2, ind.name)
        for n, (name, value) in enumerate(data, 1):
            charts.cell(start + n, 1, name)
            charts.cell(start + n, 2, round(value, 2))
        chart = BarChart()
        chart.title, chart.y_axis.title = f"各单位{ind.name}(%)", "%"
        chart.add_data(Reference(charts, min_col=2, min_row=start, max_row=start + len(data)), titles_from_data=True)
        chart.set_categories(Reference(charts, min_col=1, min_row=start + 1, max_row=start + len(data)))
        chart.width, chart.height = 24, 9
        charts.add_chart(chart, f"D{anchor_row}")
        anchor_row += 20
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
