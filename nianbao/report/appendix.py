"""The data appendix (.xlsx): every figure of the draft, the per-unit table, where each figure comes
from (unit, submission number, sender, time received) and bar charts of the rates. Written with
xlsxwriter row by row (constant memory): a province's per-unit table has hundreds of thousands of
cells. Landscape A4, fitted to the page width, headers repeated on every printed page."""

from __future__ import annotations

import io

import xlsxwriter

from nianbao.cityconfig import CityConfig
from nianbao.completeness import status_label
from nianbao.config.report_appendix import Appendix
from nianbao.report.aggregate import CityAggregate
from nianbao.report.change import pct, pp, shown
from nianbao.report.text import basis_note

CHART_UNITS = 30  # beyond this a bar chart is unreadable: show the units furthest from the target


class _Formats:
    def __init__(self, wb):
        self.head = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True})
        self.count = wb.add_format({"num_format": "#,##0"})
        self.rate = wb.add_format({"num_format": "0.00"})
        self.text = wb.add_format({})

    def of(self, unit: str):
        return self.rate if unit in ("%", "万元", "学时") else self.count


def _print(ws, header_rows: int = 1) -> None:
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)  # as wide as the page, as long as it takes
    ws.repeat_rows(0, header_rows - 1)
    ws.freeze_panes(header_rows, 0)


def _figures_sheet(wb, words: Appendix, agg: CityAggregate, fmt: _Formats) -> None:
    """One row a figure. The change stands beside the two like-for-like figures it is computed from (as
    printed: two decimals), so every change can be recomputed from its row; last year's all-unit figure
    has its own column, filled where it differs."""
    ws = wb.add_worksheet(words.sheets.figures)
    ws.write_row(0, 0, [h.format(year=agg.year, last=agg.year - 1) for h in words.figure_headers], fmt.head)
    met = {True: words.met, False: words.missed, None: ""}
    for r, f in enumerate(agg.figures.values(), 1):
        ws.write_row(r, 0, [f.code, f.name, f.unit])
        now, before = (shown(v) for v in f.compared)
        last_all = shown(f.last_year)
        for c, v in ((3, shown(f.value)), (4, now), (5, before),
                     (9, last_all if last_all is not None and last_all != before else None)):
            ws.write(r, c, v, fmt.of(f.unit))
        change, points = pct(f), pp(f)
        ws.write(r, 6, round(change, 1) if change is not None and not f.is_rate else None, fmt.rate)
        ws.write(r, 7, round(points, 2) if points is not None else None, fmt.rate)
        target = f"{f.target.op}{f.target.value:g}" if f.target else ""
        ws.write_row(r, 8, [f.comparable_units or None])
        ws.write_row(r, 10, [target, met[f.met], f.covered, f.expected, f.na_units])
    ws.set_column(1, 1, 36)
    ws.set_column(3, 14, 11)
    _print(ws)


def _units_sheet(wb, config: CityConfig, agg: CityAggregate, fmt: _Formats) -> None:
    words = config.report.appendix
    ws = wb.add_worksheet(words.sheets.units)
    codes = [i.code for i in config.indicators]
    if any(agg.figures[c].by_unit is None for c in codes):  # a province: summed in the database
        ws.write(0, 0, words.units_too_many.format(expected=agg.expected, bureau=config.bureau, year=agg.year,
                                                   sheet=words.sheets.units))
        return
    ws.write_row(0, 0, list(words.unit_headers) + [agg.figures[c].name for c in codes], fmt.head)
    for r, u in enumerate(agg.units, 1):
        ws.write_row(r, 0, [u.unit.code, u.unit.name, status_label(u.status)])
        for c, code in enumerate(codes, 3):
            f = agg.figures[code]
            if u.unit.code in f.by_unit:
                v = f.by_unit[u.unit.code]
                ws.write(r, c, words.not_applicable if v is None else round(v, 2), fmt.text if v is None else fmt.of(f.unit))
    ws.set_column(1, 1, 22)
    ws.set_column(3, 3 + len(codes), 12)
    _print(ws)


def _sources_sheet(wb, config: CityConfig, agg: CityAggregate, fmt: _Formats) -> None:
    """Where each figure comes from: every unit behind it, with the submission it was taken from."""
    words = config.report.appendix
    ws = wb.add_worksheet(words.sheets.sources)
    ws.write_row(0, 0, list(words.source_headers), fmt.head)
    for r, u in enumerate(agg.units, 1):
        received = u.received_at.in_timezone(config.timezone).format("YYYY-MM-DD HH:mm") if u.received_at else ""
        ws.write_row(r, 0, [u.unit.code, u.unit.name, status_label(u.status), u.submission_id, u.sender, received])
    ws.set_column(1, 1, 22)
    ws.set_column(4, 5, 24)
    _print(ws)


def _charts_sheet(wb, config: CityConfig, agg: CityAggregate) -> None:
    words = config.report.appendix
    sheet = words.sheets.charts
    ws = wb.add_worksheet(sheet)
    rates = [i for i in config.indicators if i.derived and i.unit == "%" and agg.figures[i.code].by_unit]
    row, place = 0, 0
    names = agg.unit_names()
    for ind in rates:
        data = [(c, v) for c, v in agg.figures[ind.code].by_unit.items() if v is not None]
        if not data:
            continue
        low_first = not (ind.target and ind.target.op == "<=")
        data.sort(key=lambda p: round(p[1], 2), reverse=not low_first)
        shown = [(names[c], round(v, 2)) for c, v in data[:CHART_UNITS]]
        title = words.chart_title.format(name=ind.name) + (
            words.chart_most.format(n=CHART_UNITS) if len(data) > CHART_UNITS else "")
        ws.write_row(row, 0, [words.chart_unit, ind.name])
        for k, (name, value) in enumerate(shown, 1):
            ws.write_row(row + k, 0, [name, value])
        chart = wb.add_chart({"type": "bar"})
        chart.add_series({"name": ind.name, "categories": [sheet, row + 1, 0, row + len(shown), 0],
                          "values": [sheet, row + 1, 1, row + len(shown), 1],
                          "data_labels": {"value": True, "num_format": "0.00"}})
        chart.set_title({"name": title})
        chart.set_legend({"none": True})
        chart.set_y_axis({"reverse": True})  # the first unit at the top, as the table reads
        height = max(320, 24 * len(shown) + 90)  # a bar and its label for every unit, however many
        chart.set_size({"width": 760, "height": height})
        ws.insert_chart(place, 3, chart)
        place += height // 20 + 2
        row += len(shown) + 2
    _print(ws)


def _note_sheet(wb, config: CityConfig, agg: CityAggregate, fmt: _Formats) -> None:
    """The draft's 说明 (coverage, units not reported, the comparable basis) and how the changes are made."""
    sheets = config.report.appendix.sheets
    ws = wb.add_worksheet(sheets.note)
    ws.set_column(0, 0, 100)
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    ws.write(0, 0, basis_note(config, agg), wrap)
    ws.write(1, 0, config.report.basis_note.appendix.format(year=agg.year, last=agg.year - 1,
                                                             sheet=sheets.figures), wrap)
    _print(ws)


def build_appendix(config: CityConfig, agg: CityAggregate) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    fmt = _Formats(wb)
    _figures_sheet(wb, config.report.appendix, agg, fmt)
    _units_sheet(wb, config, agg, fmt)
    _sources_sheet(wb, config, agg, fmt)
    _charts_sheet(wb, config, agg)
    _note_sheet(wb, config, agg, fmt)
    wb.close()
    return buf.getvalue()
