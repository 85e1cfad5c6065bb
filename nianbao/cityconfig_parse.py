"""Turns the raw YAML documents of config/ into CityConfig, collecting problems per file and key."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from nianbao.cityconfig import (
    AGGREGATES, INDICATOR_TYPES, TARGET_OPS, UNIT_KINDS, CalendarConfig, CityConfig, Deadline,
    Indicator, ReportConfig, Rule, Section, Target, Unit, YearOverride,
)
from nianbao.errors import ConfigProblem

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CODE = re.compile(r"^[A-Za-z0-9_]+$")


def _units(doc: dict, c) -> tuple[Unit, ...]:
    out: list[Unit] = []
    seen: set[str] = set()
    for n, raw in enumerate(doc.get("units") or []):
        where = f"units[{n}]"
        code, name, kind = (c.req(raw, k, where) for k in ("code", "name", "kind"))
        if code in seen:
            c.add(f"{where}.code", f"duplicate unit code {code}")
        seen.add(code)
        if kind is not None and kind not in UNIT_KINDS:
            c.add(f"{where}.kind", f"{kind!r} is not one of {', '.join(UNIT_KINDS)}")
        contacts = tuple(raw.get("contacts") or ()) if isinstance(raw, dict) else ()
        leaders = tuple(raw.get("leaders") or ()) if isinstance(raw, dict) else ()
        reports = bool(raw.get("reports", True)) if isinstance(raw, dict) else True
        if reports and not contacts:
            c.add(f"{where}.contacts", "a reporting unit needs at least one contact e-mail")
        for key, addrs in (("contacts", contacts), ("leaders", leaders)):
            for a in addrs:
                if not isinstance(a, str) or not _EMAIL.match(a):
                    c.add(f"{where}.{key}", f"{a!r} is not an e-mail address")
        if None not in (code, name, kind):
            out.append(Unit(str(code), name, kind, raw.get("parent"), contacts, leaders, reports))
    codes = {u.code for u in out}
    for n, u in enumerate(out):
        if u.parent is not None and u.parent not in codes:
            c.add(f"units[{n}].parent", f"unknown parent unit {u.parent}")
    if not out:
        c.add("units", "no units defined")
    return tuple(out)


def _target(raw: Any, where: str, c) -> Target | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or raw.get("op") not in TARGET_OPS or not isinstance(
        raw.get("value"), (int, float)
    ):
        c.add(f"{where}.target", f"expected {{op: one of {TARGET_OPS}, value: number}}, got {raw!r}")
        return None
    return Target(raw["op"], float(raw["value"]))


def _indicators(doc: dict, sections: set[str], c) -> tuple[Indicator, ...]:
    defaults = doc.get("defaults") or {}
    reporting_kinds = tuple(k for k in UNIT_KINDS if k != "city")
    out: list[Indicator] = []
    for n, item in enumerate(doc.get("indicators") or []):
        raw = {**defaults, **(item or {})}
        where = f"indicators[{n}]" + (f"({raw.get('code')})" if raw.get("code") else "")
        code, name, unit, section = (c.req(raw, k, where) for k in ("code", "name", "unit", "section"))
        if code is not None and not _CODE.match(code):
            c.add(f"{where}.code", "letters, digits and _ only")
        typ, agg = raw.get("type"), raw.get("aggregate")
        if typ not in INDICATOR_TYPES:
            c.add(f"{where}.type", f"{typ!r} is not one of {', '.join(INDICATOR_TYPES)}")
        if agg not in AGGREGATES:
            c.add(f"{where}.aggregate", f"{agg!r} is not one of {', '.join(AGGREGATES)}")
        if (typ == "ratio") != (agg == "ratio"):
            c.add(f"{where}.aggregate", "type ratio and aggregate ratio go together")
        if section is not None and section not in sections:
            c.add(f"{where}.section", f"unknown section {section} (sections are in report.yaml)")
        bounds = raw.get("bounds") or [0, None]
        if not (isinstance(bounds, list) and len(bounds) == 2):
            c.add(f"{where}.bounds", "expected [min, max]")
            bounds = [0, None]
        applies = tuple(raw.get("applies_to") or reporting_kinds)
        for k in applies:
            if k not in UNIT_KINDS:
                c.add(f"{where}.applies_to", f"unknown unit kind {k!r}")
        if None in (code, name, unit, section):
            continue
        out.append(Indicator(
            code=code, name=name, unit=unit, type=typ, section=section,
            deadline=raw.get("deadline", "report"), bounds=(bounds[0], bounds[1]), aggregate=agg,
            na_allowed=bool(raw.get("na_allowed")), applies_to=applies,
            target=_target(raw.get("target"), where, c), numerator=raw.get("numerator"),
            denominator=raw.get("denominator"), scale=float(raw.get("scale", 1)), yoy=bool(raw.get("yoy")),
        ))
    codes = [i.code for i in out]
    for n, i in enumerate(out):
        if codes.count(i.code) > 1:
            c.add(f"indicators[{n}].code", f"duplicate indicator code {i.code}")
        if i.derived:
            for key in ("numerator", "denominator"):
                ref = getattr(i, key)
                if ref is None or ref not in codes:
                    c.add(f"indicators[{n}]({i.code}).{key}", f"must name an input indicator, got {ref!r}")
    return tuple(out)


def _rules(doc: dict, codes: set[str], c) -> tuple[Rule, ...]:
    from nianbao.workbook.rules import RuleSyntaxError, names_in

    out = []
    for n, raw in enumerate(doc.get("rules") or []):
        where = f"rules[{n}]"
        code, expr, sev, msg = (c.req(raw, k, where) for k in ("code", "expr", "severity", "message"))
        if sev is not None and sev not in ("error", "warning"):
            c.add(f"{where}.severity", "error or warning")
        if expr is not None:
            try:
                unknown = names_in(expr) - codes
            except RuleSyntaxError as exc:
                c.add(f"{where}.expr", str(exc))
            else:
                if unknown:
                    c.add(f"{where}.expr", f"unknown indicator(s) {', '.join(sorted(unknown))}")
        if None not in (code, expr, sev, msg):
            out.append(Rule(code, expr, sev, msg))
    return tuple(out)


def _dates(values: Any, key: str, c) -> frozenset[dt.date]:
    out = set()
    for v in values or []:
        try:
            out.add(v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v)))
        except ValueError:
            c.add(key, f"{v!r} is not a date (YYYY-MM-DD)")
    return frozenset(out)


def _calendar(doc: dict, c) -> CalendarConfig:
    op = doc.get("open") or {}
    deadlines = []
    for n, raw in enumerate(doc.get("deadlines") or []):
        vals = [c.req(raw, k, f"deadlines[{n}]", t) for k, t in
                (("code", str), ("name", str), ("month", int), ("day", int))]
        if None not in vals:
            deadlines.append(Deadline(*vals))
    if not deadlines:
        c.add("deadlines", "at least one deadline is needed")
    policy = doc.get("deadline_on_holiday", "next_working_day")
    if policy not in ("keep", "next_working_day"):
        c.add("deadline_on_holiday", "keep or next_working_day")
    before = doc.get("reminders_before") or []
    if not all(isinstance(x, int) and x > 0 for x in before):
        c.add("reminders_before", "positive whole numbers of working days")
    overrides = {}
    for year, raw in (doc.get("overrides") or {}).items():
        raw = raw or {}
        overrides[int(year)] = YearOverride(
            int(year), _dates(raw.get("holidays"), f"overrides.{year}.holidays", c),
            _dates(raw.get("workdays"), f"overrides.{year}.workdays", c),
            bool(raw.get("provisional")), str(raw.get("source", "")),
        )
    return CalendarConfig(
        open_month=int(op.get("month", 1)), open_day=int(op.get("day", 4)), deadlines=tuple(deadlines),
        deadline_on_holiday=policy, reminders_before=tuple(sorted(set(before), reverse=True)),
        overdue_every=int(doc.get("overdue_every", 2)), overdue_max=int(doc.get("overdue_max", 3)),
        draft_after=int(doc.get("draft_after", 2)), send_hour=int(doc.get("send_hour", 9)),
        overrides=overrides,
    )


def _report(doc: dict, c) -> ReportConfig:
    sections = []
    for n, raw in enumerate(doc.get("sections") or []):
        vals = [c.req(raw, k, f"sections[{n}]") for k in ("code", "heading", "sheet")]
        if None not in vals:
            sections.append(Section(*vals))
    if not sections:
        c.add("sections", "at least one section is needed")
    title = c.req(doc, "title", "report") or ""
    return ReportConfig(title, doc.get("issuer", "{city}人民政府"), doc.get("template", "report.md.j2"),
                        tuple(sections), doc)


def parse_all(docs: dict[str, dict], collector) -> tuple[CityConfig | None, list[ConfigProblem]]:
    cs = {name: collector(f"{name}.yaml") for name in docs}
    city = docs["city"]
    for key in ("city", "bureau", "intake_address"):
        cs["city"].req(city, key, "city")
    report = _report(docs["report"], cs["report"])
    units = _units(docs["units"], cs["units"])
    indicators = _indicators(docs["indicators"], {s.code for s in report.sections}, cs["indicators"])
    rules = _rules(docs["rules"], {i.code for i in indicators}, cs["rules"])
    calendar = _calendar(docs["calendar"], cs["calendar"])
    problems = [p for col in cs.values() for p in col.problems]
    if problems:
        return None, problems
    return CityConfig(
        city=city["city"], bureau=city["bureau"], office=city.get("office", ""),
        timezone=city.get("timezone", "Asia/Shanghai"), admin_emails=tuple(city.get("admin_emails") or ()),
        intake_address=city["intake_address"], sender_name=city.get("sender_name", city["bureau"]),
        units=units, indicators=indicators, rules=rules,
        yoy_outlier=dict(docs["rules"].get("yoy_outlier") or {"ratio": 3, "min_base": 10}),
        calendar=calendar, report=report, messages={str(k): str(v) for k, v in docs["messages"].items()},
    ), []
