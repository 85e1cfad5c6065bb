"""Where a province's sheet keeps its figures, and which of its rows is which of ours.

The header row is the first (within upward.yaml ``header_rows``) holding a value header and a code or
name header; the value column is the one whose header comes first in ``value_headers`` (so 本年数值
beats 数值, and 上年数值 is never taken: headers are compared whole, never as substrings). A row is
then ours by upward.yaml ``rows`` (the administrator's explicit word wins, it is how a row whose code
or name means something else here is corrected), else by our indicator code, else by our indicator
name — labels normalised on both sides (`normalise`), never matched fuzzily."""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.worksheet.worksheet import Worksheet

from nianbao.cityconfig import CityConfig
from nianbao.textsafe import one_line
from nianbao.upward.expression import Expression, parse_expression
from nianbao.upward.mapping import Upward
from nianbao.upward.normalise import header_key, label_key, normalise

MAX_COLS = 60  # a statistics table is narrow; a sheet whose used range is wider is not read past this
MAX_ROWS = 5000  # data rows read under a header (a province's table holds a few hundred at most)


@dataclass(frozen=True)
class Header:
    row: int
    value_col: int  # 1-based, as openpyxl counts
    code_col: int | None
    name_col: int | None


@dataclass(frozen=True)
class Row:
    row: int
    label: str  # the row's name as written (its code when it has no name)
    expr: Expression | None  # None: not one of ours
    how: str  # mapping | code | name | "" (unmatched)


@dataclass(frozen=True)
class Catalogue:
    """Our indicators and upward.yaml's rows, looked up the way a province's rows are read."""
    by_code: dict[str, Expression]  # normalise(code) → the code as an expression
    by_name: dict[str, Expression]  # label_key(name) → the code as an expression
    rows: dict[str, Expression]  # upward.yaml's labels, as written and without a measure word behind
    measure_words: frozenset[str]

    @classmethod
    def of(cls, config: CityConfig, up: Upward) -> Catalogue:
        words = frozenset(normalise(i.unit) for i in config.indicators if i.unit) | {"%"}
        known = frozenset(i.code for i in config.indicators)
        exprs = {i.code: parse_expression(i.code, known) for i in config.indicators}
        # "罚没金额（元）" in upward.yaml is found as written, "人均学时（学时）" also as "人均学时"
        rows = {**{label_key(k, words): e for k, e in up.rows.items()}, **up.rows}
        return cls({normalise(c): e for c, e in exprs.items()},
                   {label_key(i.name, words): exprs[i.code] for i in config.indicators}, rows, words)


def _first(keys: list[tuple[str, str]], wanted: tuple[str, ...], taken: set[int]) -> int | None:
    """The column (1-based) whose header is the earliest of ``wanted`` (exactly, or before a remark in
    brackets), skipping ``taken`` columns."""
    for word in wanted:
        for n, (whole, bare) in enumerate(keys, 1):
            if n not in taken and word in (whole, bare):
                return n
    return None


def find_header(ws: Worksheet, up: Upward) -> Header | None:
    last = min(ws.max_row or 0, up.header_rows)
    for r, cells in enumerate(ws.iter_rows(min_row=1, max_row=last, max_col=min(ws.max_column or 1, MAX_COLS),
                                           values_only=True), 1):
        keys = [header_key(v) if v is not None else ("", "") for v in cells]  # rich text too
        value_col = _first(keys, up.value_headers, set())
        if value_col is None:
            continue
        code_col = _first(keys, up.code_headers, {value_col})
        name_col = _first(keys, up.name_headers, {value_col} | ({code_col} if code_col else set()))
        if code_col or name_col:
            return Header(r, value_col, code_col, name_col)
    return None


def match_rows(ws: Worksheet, header: Header, cat: Catalogue) -> list[Row]:
    """Every row under the header that carries a code or a name, matched or not."""
    cols = [c for c in (header.code_col, header.name_col) if c]
    out = []
    last = min(ws.max_row or 0, header.row + MAX_ROWS)
    for r, cells in enumerate(ws.iter_rows(min_row=header.row + 1, max_row=last, min_col=min(cols),
                                           max_col=max(cols), values_only=True), header.row + 1):
        code = cells[header.code_col - min(cols)] if header.code_col else None
        name = cells[header.name_col - min(cols)] if header.name_col else None
        code_text, name_text = normalise(code), label_key(name, cat.measure_words)
        if not code_text and not name_text:
            continue  # a blank line between blocks
        label = one_line(name if name_text else code, 80)
        out.append(Row(r, label, *_match(code, name, cat)))
    return out


def _match(code: object, name: object, cat: Catalogue) -> tuple[Expression | None, str]:
    # Their label as written and without a measure word behind it: upward.yaml may spell it either way.
    for key in (label_key(name), label_key(name, cat.measure_words), label_key(code)):
        if key and key in cat.rows:
            return cat.rows[key], "mapping"
    if (found := cat.by_code.get(normalise(code))) is not None:
        return found, "code"
    if (found := cat.by_name.get(label_key(name, cat.measure_words))) is not None:
        return found, "name"
    return None, ""
