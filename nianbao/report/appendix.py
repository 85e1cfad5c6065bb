"""The data appendix (.xlsx): every figure of the draft with its source units and submissions, the
per-unit table, and charts of the rates a leader would rather see than read. Written with xlsxwriter
row by row (constant memory): a province's per-unit table has hundreds of thousands of cells."""

from __future__ import annotations

import io

import xlsxwriter

from nianbao.cityconfig import CityConfig
from nianbao.report.aggregate import CityAggregate

MET = {True: "达标", False: "未达标", None: ""}
CHART_UNITS = 30  # beyond this a bar chart is unreadable: show the units furthest from the target


def _figures_sheet(wb, agg: CityAggregate, bold) -> None:
    ws = wb.add_worksheet("全市指标")
    ws.write_row(0, 0, ["指标代码", "指标名称", "计量单位", f"{agg.year}年", f"{agg.year - 1}年", "同比(%)", "目标",
                        "是否达标", "覆盖单位", "应报单位", "不涉及单位", "来源报送编号"], bold)
    for r, f in enumerate(agg.figures.values(), 1):
        target = f"{f.target.op}{f.target.value:g}" if f.target else ""
        ws.write_row(r, 0, [f.code, f.name, f.unit, f.value, f.last_year,
                            round(f.change_pct, 2) if f.change_pct is not None else None, target, MET[f.met],
                            f.covered, f.expected, f.na_units, ",".join(map(str, f.sources or []))])
    ws.set_column(1, 1, 40)


def _units_sheet(wb, config: CityConfig, agg: CityAggregate, bold) -> None:
    ws = wb.add_worksheet("分单位")
    codes = [i.code for i in config.indicators]
    if any(agg.figures[c].by_unit is None for c in codes):  # a province: summed in the database
        ws.write(0, 0, f"本次汇总{agg.expected}家单位,分单位明细未列入本附表;"
                       f"如需查阅,请联系{config.bureau}导出(nianbao export --year {agg.year} --xlsx 分单位.xlsx)。")
        return
    ws.write_row(0, 0, ["单位代码", "单位", "报送状态"] + codes, bold)
    ws.write_row(1, 0, ["", "", ""] + [agg.figures[c].name for c in codes])
    for r, u in enumerate(agg.units, 2):
        row = [agg.figures[c].by_unit.get(u.unit.code, "") for c in codes]
        ws.write_row(r, 0, [u.unit.code, u.unit.name, u.status] + ["不涉及" if v is None else v for v in row])


def _charts_sheet(wb, config: CityConfig, agg: CityAggregate) -> None:
    ws = wb.add_worksheet("图表")
    rates = [i for i in config.indicators if i.derived and i.unit == "%"][:4]
    row = 0
    for n, ind in enumerate(rates):
        data = [(c, v) for c, v in agg.figures[ind.code].by_unit.items() if v is not None]
        if not data:
            continue
        low_first = not (ind.target and ind.target.op == "<=")
        data.sort(key=lambda p: round(p[1], 2), reverse=not low_first)
        names = agg.unit_names()
        shown = [(names[c], round(v, 2)) for c, v in data[:CHART_UNITS]]
        title = f"各单位{ind.name}(%)" + (f",最需关注的{CHART_UNITS}家" if len(data) > CHART_UNITS else "")
        ws.write_row(row, 0, ["单位", ind.name])
        for k, (name, value) in enumerate(shown, 1):
            ws.write_row(row + k, 0, [name, value])
        chart = wb.add_chart({"type": "bar"})
        chart.add_series({"name": ind.name, "categories": ["图表", row + 1, 0, row + len(shown), 0],
                          "values": ["图表", row + 1, 1, row + len(shown), 1]})
        chart.set_title({"name": title})
        chart.set_legend({"none": True})
        chart.set_size({"width": 720, "height": max(300, 18 * len(shown))})
        ws.insert_chart(n * 40, 3, chart)
        row += len(shown) + 2


def build_appendix(config: CityConfig, agg: CityAggregate) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    bold = wb.add_format({"bold": True})
    _figures_sheet(wb, agg, bold)
    _units_sheet(wb, config, agg, bold)
    _charts_sheet(wb, config, agg)
    wb.close()
    return buf.getvalue()
