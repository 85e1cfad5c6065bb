"""Checks a statistics office would run: completeness, type and bounds, cross-field rules, year-on-year
outliers. Errors reject; warnings are accepted once the unit confirms them with a 上报说明 (as in 统计联网直报).
Every message names sheet, cell and indicator and says what to do."""

from __future__ import annotations

from dataclasses import dataclass, field

from nianbao.cityconfig import CityConfig, Indicator, Unit
from nianbao.workbook.reader import Cell, RawWorkbook
from nianbao.workbook.rules import evaluate, names_in
from nianbao.workbook.values import parse_value


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str  # error | warning
    indicator: str | None
    sheet: str | None
    cell: str | None
    message: str


@dataclass
class CheckResult:
    values: dict[str, float] = field(default_factory=dict)
    na: set[str] = field(default_factory=set)
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    confirmed: list[Finding] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return not self.errors and not self.warnings


def _where(ind: Indicator, cell: Cell | None) -> str:
    if cell is None:
        return f"指标 {ind.code}({ind.name})"
    return f"『{cell.sheet}』工作表 {cell.ref} 单元格({ind.code} {ind.name})"


def _fmt(x: float) -> str:
    return f"{x:g}" if abs(x) < 1e15 else f"{x:.0f}"


def _value_findings(ind: Indicator, cell: Cell | None, res: CheckResult) -> Finding | None:
    def mk(code: str, text: str) -> Finding:  # the location is spelt out only for a finding
        return Finding(code, "error", ind.code, cell.sheet if cell else None, cell.ref if cell else None,
                       f"{_where(ind, cell)}:{text}")

    if cell is None:
        return mk("missing_row", "模板中找不到该指标所在行,请使用下发的模板,不要删除或修改指标代码")
    parsed = parse_value(cell.raw)
    if parsed.kind == "blank":
        hint = ";无此职权的填“不涉及”" if ind.na_allowed else ""
        return mk("blank", f"未填写,请填写数字(有此职权但无案件填 0{hint})")
    if parsed.kind == "invalid":
        return mk("invalid", f"“{parsed.text}”不是有效数字,请只填写阿拉伯数字(计量单位为{ind.unit})")
    if parsed.kind == "na":
        if not ind.na_allowed:
            return mk("na_not_allowed", "该指标不能填“不涉及”,请填写数字,无相关工作的填 0")
        res.na.add(ind.code)
        return None
    x = parsed.number
    lo, hi = ind.bounds
    if lo is not None and x < lo or hi is not None and x > hi:
        span = f"{_fmt(lo or 0)}" + (f"至{_fmt(hi)}" if hi is not None else "及以上")
        return mk("bounds", f"填写的 {_fmt(x)} 超出合理范围,应为{span},请核实")
    if ind.type in ("count", "flag") and not float(x).is_integer():
        return mk("not_integer", f"填写的 {_fmt(x)} 应为整数({ind.unit}),请核实")
    res.values[ind.code] = x
    return None


def check_workbook(config: CityConfig, unit: Unit, raw: RawWorkbook,
                   last_year: dict[str, float | None]) -> CheckResult:
    res = CheckResult()
    inds = config.input_indicators(unit)
    by_code = {i.code: i for i in inds}
    for bad in raw.formula_errors:
        code = next((c for c, cell in raw.cells.items() if cell.ref == bad.ref and cell.sheet == bad.sheet), None)
        if code in by_code:
            res.errors.append(Finding("formula", "error", code, bad.sheet, bad.ref,
                                      f"{_where(by_code[code], bad)}:单元格是公式但没有计算结果,请在 Excel/WPS 中打开并保存一次,或直接填写数字"))
    formula_codes = {f.indicator for f in res.errors}
    for ind in inds:
        if ind.code in formula_codes:
            continue
        finding = _value_findings(ind, raw.cells.get(ind.code), res)
        if finding:
            res.errors.append(finding)
    for rule in config.rules:
        names = names_in(rule.expr)
        # 不涉及 counts as 0 in a rule (no power, no cases); a rule about nothing but 不涉及 is skipped.
        if not names <= set(by_code) or names <= res.na or not names <= set(res.values) | res.na:
            continue
        holds, left, right = evaluate(rule.expr, {**{c: 0.0 for c in res.na}, **res.values})
        if holds:
            continue
        first = raw.cells.get(sorted(names)[0])
        cited = "、".join(f"{by_code[n].name}{_fmt(res.values[n]) if n in res.values else '不涉及'}"
                          for n in sorted(names))
        text = (f"{_where(by_code[sorted(names)[0]], first)}等:{rule.message}(当前:{cited})")
        _warn_or_err(res, raw, Finding(rule.code, rule.severity, sorted(names)[0], first.sheet if first else None,
                                       first.ref if first else None, text + _todo(rule.severity)), names)
    _yoy(config, raw, res, by_code, last_year)
    return res


def _todo(severity: str) -> str:
    return ",请修改" if severity == "error" else ",请核实;如确认无误,请在备注栏填写上报说明"


def _warn_or_err(res: CheckResult, raw: RawWorkbook, f: Finding, codes: set[str]) -> None:
    if f.severity == "error":
        res.errors.append(f)
    elif any(raw.notes.get(c) for c in codes):
        res.confirmed.append(f)
    else:
        res.warnings.append(f)


def _yoy(config: CityConfig, raw: RawWorkbook, res: CheckResult, by_code: dict[str, Indicator],
         last_year: dict[str, float | None]) -> None:
    ratio = float(config.yoy_outlier.get("ratio", 3))
    base = float(config.yoy_outlier.get("min_base", 10))
    for code, x in res.values.items():
        before = last_year.get(code)
        if before is None or max(x, before) < base:
            continue
        if (before == 0 and x >= base) or (before > 0 and (x > before * ratio or x * ratio < before)):
            cell = raw.cells.get(code)
            text = (f"{_where(by_code[code], cell)}:本年 {_fmt(x)} 与上年 {_fmt(before)} 相差超过{ratio:g}倍"
                    + _todo("warning"))
            _warn_or_err(res, raw, Finding("yoy", "warning", code, cell.sheet if cell else None,
                                           cell.ref if cell else None, text), {code})
