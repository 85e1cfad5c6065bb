"""A unit's own annual report draft (report.yaml's ``unit_drafts``): the city's five-focus shape over
one unit's accepted figures. Its year-on-year change is its own, like for like; a figure report.yaml
lists under ``compare`` is set against the median of the units reporting it (one large unit does not
move a median); 不涉及 is said in words, never as 0; its problems are its own shortfalls and what it
wrote itself. Every word comes from config/ and templates/; this module picks and fills in numbers."""

from __future__ import annotations

import statistics
import zlib
from dataclasses import dataclass, replace

import pendulum

from nianbao.texts import template_env
from nianbao.cityconfig import CityConfig, Indicator
from nianbao.config.report import UnitDrafts, one
from nianbao.report.aggregate import CityAggregate, Figure, aggregate
from nianbao.report.docx_writer import build_docx
from nianbao.report.claims import contradicted, left_out
from nianbao.report.draft import docx_options, review_notes
from nianbao.report.fmt import count, ordinal, with_unit
from nianbao.report.mdtext import plain
from nianbao.report.model import UnitReport
from nianbao.report.plans import choose_plans, load_plans
from nianbao.report.problems import find_problems
from nianbao.report.text import SectionText, duty_phrases, phrase, section_sentences

UNIT_PROBLEMS = ("missed_target", "yoy_decline", "late_missing")
_EPS = 1e-9


@dataclass
class UnitSection(SectionText):
    not_applicable: str = ""  # the sentence naming the figures the unit answered 不涉及
    empty: bool = False  # the unit has no figure in this section at all
    summary: str = ""  # its targets and its place among the units, in one sentence


@dataclass
class UnitDraftDoc:
    unit_code: str
    title: str
    markdown: str
    docx: bytes
    review_notes: str = ""  # for the writer, beside the draft: highlights left out and why


def medians(config: CityConfig, city: CityAggregate) -> dict[str, float]:
    """The median of the units' own figures, for each indicator ``unit_drafts.compare`` lists and
    enough units report (a province's per-unit figures may not be loaded: no comparison then)."""
    rules = config.report.unit_drafts
    out = {}
    for code in rules.compare:
        by_unit = city.figures[code].by_unit or {}
        values = [v for v in by_unit.values() if v is not None]
        if len(values) >= rules.compare_min_units:
            out[code] = statistics.median(values)
    return out


def _wording(ind: Indicator, kind: str) -> str | None:
    """How a unit's draft says the indicator (its kind's phrase, else ``unit_phrase``, else the city's
    ``phrase``; "" = never)."""
    if kind in ind.kind_phrases:
        return ind.kind_phrases[kind]
    return ind.unit_phrase if ind.unit_phrase is not None else ind.phrase


def self_name(rules: UnitDrafts, unit_name: str, kind: str) -> str:
    """How the unit calls itself: 本区, 本县, 本市 for a government; 本局, 本委 after a department's name."""
    if kind in rules.self_names:
        return rules.self_names[kind]
    return next((word for end, word in rules.self_by_ending.items() if unit_name.endswith(end)), rules.self_default)


def _summary(rules: UnitDrafts, figures: list[Figure], city_medians: dict[str, float],
             room: int = 99, key: str = "") -> tuple[str, int]:
    """The section's sentence on its targets (met floors, kept ceilings) and on where the unit stands
    against the median of the units (at most ``room`` such clauses); "" when there is nothing to say.
    Also: how many place clauses it used."""
    said = rules.summary

    def clause(template: str, fs: list[Figure], targets: bool = False) -> str:
        if not fs:
            return ""
        names = "、".join(f.name for f in fs)
        aims = "、".join(with_unit(f.target.value, f.unit) for f in fs) if targets else ""
        return template.format(names=names, targets=aims, each="分别" if len(fs) > 1 else "")

    met = [f for f in figures if f.met and f.target.op != "<="]
    kept = [f for f in figures if f.met and f.target.op == "<="]
    place: dict[str, list[Figure]] = {"above": [], "below": [], "level": []}
    for f in figures:
        median = city_medians.get(f.code)
        if median is None or f.value is None:
            continue
        if abs(f.value - median) <= max(_EPS, abs(median) * 0.005):  # within half a percent: level
            place["level"].append(f)
        else:
            place["above" if f.value > median else "below"].append(f)
    aims = [c for c in (clause(said.met, met, True), clause(said.kept, kept, True)) if c]
    where = [c for c in (clause(getattr(said, k), v) for k, v in place.items()) if c][:room]
    if not aims and not where:
        return "", 0
    opener = one(said.opener if aims and where else said.opener_targets if aims else said.opener_place,
                 f"{key}/opener")
    return opener + "；".join("，".join(group) for group in (aims, where) if group) + "。", len(where)


def unit_sections(config: CityConfig, agg: CityAggregate, unit: UnitReport,
                  city_medians: dict[str, float]) -> list[UnitSection]:
    rules = config.report.unit_drafts

    kind = unit.unit.kind
    me = self_name(rules, unit.unit.name, kind)

    def said(ind: Indicator, f: Figure) -> str | None:
        return phrase(config, ind, f, wording=_wording(ind, kind))

    codes = {s.code for s in config.report.sections}
    code = unit.unit.code
    mine = [(section, text.rstrip("。；;，,")) for section, kind, text in unit.narratives if kind == "highlight"]
    mine = [(section, text) for section, text in mine if not contradicted(config, agg, code, text)]
    elsewhere = [plain(text) for section, text in mine if section not in codes]
    out = []
    placed = 0  # clauses setting the unit against the others ("全市平均水平"): at most summary.place_max
    for s in config.report.sections:
        sec = UnitSection(s.code, s.heading, section_sentences(config, agg, s.code, said))
        spoken = [agg.figures[i.code] for i in config.section_indicators(s.code)
                  if i.code in agg.figures and agg.figures[i.code].value is not None and _wording(i, kind) != ""]
        sec.summary, used = _summary(rules, spoken, city_medians, rules.summary.place_max - placed,
                                     f"{unit.unit.code}/{s.code}")
        placed += used
        na = [i.name for i in config.section_indicators(s.code)
              if i.code in unit.na and _wording(i, kind) != ""]
        if na:
            sec.not_applicable = rules.not_applicable.format(names="、".join(dict.fromkeys(na)), self=me)
        sec.empty = not sec.sentences and not na
        texts = [plain(text) for section, text in mine if section == s.code]
        if texts:
            sec.highlights_opener, sec.highlights = rules.highlights_opener.format(self=me), [("", t) for t in texts]
        out.append(sec)
    if elsewhere:  # a highlight filed under no section of the report opens the first one
        out[0].highlights_opener = rules.highlights_opener.format(self=me)
        out[0].highlights = [("", t) for t in elsewhere] + out[0].highlights
    return out


def own_aggregate(config: CityConfig, year: int, unit: UnitReport, previous: UnitReport | None) -> CityAggregate:
    """The unit's own figures, each named as a unit of its kind names it (``kind_names``)."""
    agg = aggregate(config, year, [unit], [previous] if previous else [])
    for ind in config.indicators:
        if unit.unit.kind in ind.kind_names and ind.code in agg.figures:
            agg.figures[ind.code] = replace(agg.figures[ind.code], name=ind.kind_names[unit.unit.kind])
    return agg


def unit_markdown(config: CityConfig, templates_dir, unit: UnitReport, previous: UnitReport | None,
                  city: CityAggregate, received: str = "", city_medians: dict[str, float] | None = None) -> str:
    """``received``: when a late workbook came (its problem says so); ``city_medians``: `medians`, once
    for every unit of a run."""
    rules = config.report.unit_drafts
    year = city.year
    agg = own_aggregate(config, year, unit, previous)
    problems = find_problems(config, agg, UNIT_PROBLEMS)
    own_problems = [plain(text.rstrip("。；;，,")) for _, kind, text in unit.narratives if kind == "problem"]
    room = max(0, config.report.problems.max - len(problems))
    book = load_plans(templates_dir / rules.plans_file, config.area)
    if book.standing:  # each unit starts the standing plans at its own place: drafts do not all end alike
        turn = zlib.crc32(unit.unit.code.encode("utf-8")) % len(book.standing)
        book = book.model_copy(update={"standing": book.standing[turn:] + book.standing[:turn]})
    plans = choose_plans(book, problems, year + 1, rules.plans_count)
    env = template_env(str(templates_dir))
    name = unit.unit.name
    me = self_name(rules, name, unit.unit.kind)
    code = unit.unit.code

    def pick(value, slot: str) -> str:
        return one(value, f"{code}/{slot}")

    return env.get_template(rules.template).render(me=me, no_figures=rules.no_figures.format(self=me),
        no_problems=pick(rules.no_problems, "no_problems").format(self=me),
        duty_text=pick(rules.duty, "duty").format(self=me),
        leads={k: pick(getattr(rules.leads, k), f"lead/{k}") for k in UNIT_PROBLEMS},
        causes={k: pick(getattr(rules.causes, k), f"cause/{k}") for k in UNIT_PROBLEMS},
        title=unit_title(config, name, year), unit=name, year=year, next_year=year + 1, city=config.city,
        intro=pick(rules.intro, "intro").format(unit=name, year=year, framework=config.report.framework(year)),
        rules=rules,
        sections=unit_sections(config, agg, unit, medians(config, city) if city_medians is None else city_medians),
        problems=problems,
        own_problems=own_problems[:room], received=received, duty=duty_phrases(config, agg), plans=plans,
        plans_intro=pick(rules.plans_intro, "plans_intro").format(next_year=year + 1, year=year, self=me),
        ordinal=ordinal, count=count)


def unit_title(config: CityConfig, unit_name: str, year: int) -> str:
    return config.report.unit_drafts.title.format(unit=unit_name, year=year, city=config.city)


def render_unit_draft(config: CityConfig, templates_dir, unit: UnitReport, previous: UnitReport | None,
                      city: CityAggregate, *, generated_at: pendulum.DateTime, received: str = "",
                      city_medians: dict[str, float] | None = None) -> UnitDraftDoc:
    md = unit_markdown(config, templates_dir, unit, previous, city, received, city_medians)
    options = {**docx_options(config, city.year), "title_lines": None}
    title = unit_title(config, unit.unit.name, city.year)
    own = own_aggregate(config, city.year, unit, previous)
    return UnitDraftDoc(unit.unit.code, title, md, build_docx(md, issuer=unit.unit.name, date=generated_at, **options),
                        review_notes(config, title, left_out(config, own)))
