"""Checks a statistics office would run: completeness, type and bounds, cross-field rules, year-on-year
outliers. Errors reject; warnings are accepted once the unit confirms them with a 上报说明 (as in 统计联网直报).
Every message names sheet, cell and indicator and says what to do."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass, field, replace

from nianbao.cityconfig import CityConfig, Indicator, Unit
from nianbao.workbook.consistency import broken_rules
from nianbao.workbook.reader import Cell, RawWorkbook
from nianbao.workbook.task_checks import check_tasks
from nianbao.workbook.values import parse_value
from nianbao.workplan.answers import TaskAnswer


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str  # error | warning
    indicator: str | None
    sheet: str | None
    cell: str | None
    what: str  # where and what, in the city's wording (config/messages.yaml)
    todo: str = ""  # what the clerk should do about it
    note: str | None = None  # the clerk's 上报说明 that confirmed a warning

    @property
    def message(self) -> str:
        return self.what + self.todo


@dataclass
class CheckResult:
    values: dict[str, float] = field(default_factory=dict)
    na: set[str] = field(default_factory=set)
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    confirmed: list[Finding] = field(default_factory=list)
    answers: list[TaskAnswer] = field(default_factory=list)  # the sheet 重点任务落实情况, checked
    notices: list[Finding] = field(default_factory=list)  # warnings that need no 上报说明 (told in the receipt)

    @property
    def accepted(self) -> bool:
        return not self.errors and not self.warnings


def _where(config: CityConfig, ind: Indicator, cell: Cell | None) -> str:
    if cell is None:
        return config.text("where_indicator", code=ind.code, name=ind.name)
    return config.text("where_cell", sheet=cell.sheet, ref=cell.ref, code=ind.code, name=ind.name)


def _fmt(x: float) -> str:
    """A figure as the clerk typed it: plain digits (":g" turned 1234567 into 1.23457e+06)."""
    return f"{x:.15g}" if abs(x) < 1e15 else f"{x:.0f}"


def span_words(config: CityConfig, ind: Indicator) -> str:
    """The values an indicator allows, in words: the same in the workbook's input message and in a finding."""
    lo, hi = ind.bounds
    return (config.text("check_span_between", low=_fmt(lo or 0), high=_fmt(hi)) if hi is not None
            else config.text("check_span_from", low=_fmt(lo or 0)))


# What no unit of any kind could report in a year: beyond it a figure is a typo (or an attack), and
# letting it through would make the city's sum meaningless (or infinite).
TYPE_LIMITS = {"count": 1e9, "amount": 1e12, "percent": 1e4, "flag": 1, "ratio": 1e12}


def _value_findings(config: CityConfig, ind: Indicator, cell: Cell | None, res: CheckResult) -> Finding | None:
    def mk(code: str, key: str, **names: object) -> Finding:  # the location is spelt out only for a finding
        return Finding(code, "error", ind.code, cell.sheet if cell else None, cell.ref if cell else None,
                       config.text("finding", where=_where(config, ind, cell), what=config.text(key, **names)))

    if cell is None:
        return mk("missing_row", "check_missing_row")
    parsed = parse_value(cell.raw, ind.unit, percent=ind.type == "percent" or ind.unit == "%")
    if parsed.kind == "blank":
        return mk("blank", "check_blank", na_hint=config.text("check_blank_na_hint") if ind.na_allowed else "")
    if parsed.kind == "invalid":
        return mk("invalid", f"check_invalid_{parsed.problem}", text=parsed.text, unit=ind.unit)
    if parsed.kind == "na":
        if not ind.na_allowed:
            return mk("na_not_allowed", "check_na_not_allowed")
        res.na.add(ind.code)
        return None
    x = parsed.number
    lo, hi = ind.bounds  # the indicator's own span first: "0至1" tells a flag's clerk more than a type's cap
    if lo is not None and x < lo or hi is not None and x > hi:
        return mk("bounds", "check_bounds", value=_fmt(x), span=span_words(config, ind))
    limit = TYPE_LIMITS.get(ind.type, 1e12)
    if abs(x) > limit:
        return mk("too_large", "check_too_large", value=_fmt(x), kind=ind.unit, limit=_fmt(limit))
    if ind.type in ("count", "flag") and not float(x).is_integer():
        return mk("not_integer", "check_not_integer", value=_fmt(x), unit=ind.unit)
    res.values[ind.code] = x
    return None


def check_workbook(config: CityConfig, unit: Unit, raw: RawWorkbook,
                   last_year: dict[str, float | None]) -> CheckResult:
    """Every check: `check_values` (the workbook alone), then `check_yoy` (against last year)."""
    return check_yoy(config, unit, raw, check_values(config, unit, raw), last_year)


def check_values(config: CityConfig, unit: Unit, raw: RawWorkbook) -> CheckResult:
    """What the workbook alone shows: values, types, bounds, 不涉及, the rules. Pure, so the intake runs
    it in the sandbox where the workbook was read."""
    res = CheckResult()
    inds = config.input_indicators(unit)
    by_code = {i.code: i for i in inds}
    for bad in raw.formula_errors:
        code = next((c for c, place in raw.places.items() if place == (bad.sheet, bad.ref)), None)
        if code in by_code:
            res.errors.append(Finding("formula", "error", code, bad.sheet, bad.ref,
                                      config.text("finding", where=_where(config, by_code[code], bad),
                                                  what=config.text("check_formula"))))
    formula_codes = {f.indicator for f in res.errors}
    for ind in inds:
        if ind.code in formula_codes:
            continue
        finding = _value_findings(config, ind, raw.cell(ind.code), res)
        if finding:
            res.errors.append(finding)
    for broken in broken_rules(config.rules, unit.code, unit.kind, set(by_code), res.values, res.na):
        rule, codes = broken.rule, broken.codes
        first = raw.cell(codes[0])
        text = config.text("check_rule", where=_where(config, by_code[codes[0]], first),
                           message=rule.message, cited=cited(config, codes, res.values, res.na, raw))
        _warn_or_err(res, raw, Finding(rule.code, rule.severity, codes[0], first.sheet if first else None,
                                       first.ref if first else None, text, _todo(config, rule.severity)), set(codes))
    _tasks(config, unit, raw, res)
    return res


def cited(config: CityConfig, codes: Iterable[str], values: Mapping[str, float], na: Set[str],
          raw: RawWorkbook | None = None) -> str:
    """Each indicator a rule reads with its figure and, from a workbook, its cell: every cell to correct is named."""
    out = []
    for code in codes:
        figure = _fmt(values[code]) if code in values else config.text("na_value")
        cell = raw.cell(code) if raw is not None else None
        place = config.text("rule_cell", sheet=cell.sheet, ref=cell.ref) if cell else ""
        out.append(config.text("rule_cited", name=config.indicator(code).name, place=place, value=figure))
    return "、".join(out)


def _tasks(config: CityConfig, unit: Unit, raw: RawWorkbook, res: CheckResult) -> None:
    def finding(code, severity, sheet, ref, task, what) -> Finding:
        where = (config.text("where_task", sheet=sheet, ref=ref, task=task.id, title=task.title) if ref
                 else config.text("where_task_row", task=task.id, title=task.title))
        return Finding(code, severity, None, sheet, ref, config.text("finding", where=where, what=what),
                       config.text("todo_error" if severity == "error" else "todo_task_warning"))

    checked = check_tasks(config, unit, raw, finding)
    res.answers, res.notices = checked.answers, checked.notices
    res.errors += checked.errors


def check_yoy(config: CityConfig, unit: Unit, raw: RawWorkbook, checked: CheckResult,
              last_year: dict[str, float | None]) -> CheckResult:
    """``checked`` (from `check_values`) with the year-on-year outliers against last year's figures."""
    res = replace(checked, errors=list(checked.errors), warnings=list(checked.warnings),
                  confirmed=list(checked.confirmed))
    _yoy(config, raw, res, {i.code: i for i in config.input_indicators(unit)}, last_year)
    return res


def _todo(config: CityConfig, severity: str) -> str:
    return config.text("todo_error" if severity == "error" else "todo_warning")


def _warn_or_err(res: CheckResult, raw: RawWorkbook, f: Finding, codes: set[str]) -> None:
    note = next((raw.notes[c] for c in sorted(codes) if raw.notes.get(c)), None)
    if f.severity == "error":
        res.errors.append(f)
    elif note:
        res.confirmed.append(replace(f, todo="", note=note))
    else:
        res.warnings.append(f)


def _yoy(config: CityConfig, raw: RawWorkbook, res: CheckResult, by_code: dict[str, Indicator],
         last_year: dict[str, float | None]) -> None:
    ratio, base = config.yoy_outlier.ratio, config.yoy_outlier.min_base
    for code, x in res.values.items():
        before = last_year.get(code)
        if before is None or max(x, before) < base:
            continue
        if (before == 0 and x >= base) or (before > 0 and (x > before * ratio or x * ratio < before)):
            cell = raw.cell(code)
            text = config.text("finding", where=_where(config, by_code[code], cell),
                               what=config.text("check_yoy", value=_fmt(x), last=_fmt(before), ratio=f"{ratio:g}"))
            _warn_or_err(res, raw, Finding("yoy", "warning", code, cell.sheet if cell else None,
                                           cell.ref if cell else None, text, _todo(config, "warning")), {code})
