"""What the report's sections say, as data for the template: each section's sentences (an opener from
report.yaml and the phrases of its indicators from indicators.yaml, with their figures and like-for-like
changes), the units' own highlights, and the figures the 第一责任人 section quotes. Every word comes
from config/; this module only picks, orders and fills in numbers. The template joins the phrases."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from nianbao.cityconfig import CityConfig, Indicator
from nianbao.report.aggregate import CityAggregate, Figure
from nianbao.report.change import pct, pp, reading
from nianbao.report.claims import contradicted
from nianbao.report.fmt import number, percent, points, with_unit
from nianbao.report.mdtext import plain


@dataclass(frozen=True)
class Sentence:
    opener: str
    phrases: tuple[str, ...]


@dataclass
class SectionText:
    code: str
    heading: str
    sentences: list[Sentence] = field(default_factory=list)
    highlights_opener: str = ""
    highlights: list[tuple[str, str]] = field(default_factory=list)  # (unit name, what it wrote), escaped


def change_text(config: CityConfig, f: Figure, common: int = 0) -> str:
    """", 同比增长4.3%" / ", 按可比口径（18家单位）同比提高0.3个百分点" / "" — from report.yaml's wording.
    The basis is spelt out only where it differs from ``common`` (the units most changes rest on, which
    the report states once)."""
    w = config.report.wording
    basis = "" if f.full_coverage or f.comparable_units == common else w.comparable.format(n=f.comparable_units)
    how = reading(config.report.materiality, f)
    if how == "none":
        return ""
    if how == "flat":
        return w.change_flat.format(basis=basis)
    if f.is_rate:
        return (w.change_up_pp if how == "up" else w.change_down_pp).format(basis=basis, pp=points(pp(f)))
    return (w.change_up if how == "up" else w.change_down).format(basis=basis, pct=percent(pct(f)))


def phrase(config: CityConfig, ind: Indicator, f: Figure, common: int = 0, *,
           wording: str | None = None) -> str | None:
    """The indicator's phrase (``wording``, default its `phrase`) with its figure; None when it has no
    figure or no phrase."""
    wording = ind.phrase if wording is None else wording
    if f.value is None or wording == "":
        return None
    text = wording if wording is not None else "{name}{value}"
    return text.format(value=with_unit(f.value, f.unit), number=number(f.value, f.unit), name=f.name, unit=f.unit,
                       change=change_text(config, f, common))


PhraseOf = Callable[[Indicator, Figure], "str | None"]


def section_sentences(config: CityConfig, agg: CityAggregate, section: str,
                      phrase_of: PhraseOf | None = None) -> list[Sentence]:
    """Consecutive indicators with the same `sentence` key make one sentence; an indicator without a
    key is a sentence of its own. ``phrase_of``: how an indicator is said (default: the city's phrase)."""
    openers = next(s.sentences for s in config.report.sections if s.code == section)
    phrase_of = phrase_of or (lambda ind, f: phrase(config, ind, f, agg.comparable_units))
    out: list[Sentence] = []
    key_of_last = object()
    for ind in config.section_indicators(section):
        text = phrase_of(ind, agg.figures[ind.code])
        if text is None:
            continue
        key = ind.sentence if ind.sentence is not None else f"_{ind.code}"
        if key == key_of_last and out:
            out[-1] = Sentence(out[-1].opener, (*out[-1].phrases, text))
        else:
            out.append(Sentence(openers.get(key, ""), (text,)))
        key_of_last = key
    return out


def choose_highlights(config: CityConfig, agg: CityAggregate) -> dict[str, list[tuple[str, str]]]:
    """The units' own highlights: each in the section its unit named, at most one a unit and
    `highlights.per_section` a section. Units take turns (a section starts where the last one ended),
    so the same few units do not fill every section."""
    per_section = config.report.highlights.per_section
    offered: dict[str, list[tuple[str, str]]] = {}
    for u in agg.units:
        for section, kind, text in u.narratives:
            if kind == "highlight":
                offered.setdefault(section, []).append((u.unit.code, text))
    used: set[str] = set()
    said: set[str] = set()  # a highlight two units wrote alike is told once
    out: dict[str, list[tuple[str, str]]] = {}
    names = agg.unit_names()
    for s in config.report.sections:
        picked = []
        for code, text in offered.get(s.code, []):
            if len(picked) >= per_section:
                break
            text = text.rstrip("。；;，,")
            if contradicted(config, agg, code, text):  # the unit's own figures say otherwise: review notes
                continue
            if code not in used and text not in said:
                used.add(code)
                said.add(text)
                picked.append((plain(names.get(code, code)), plain(text)))
        out[s.code] = picked
    return out


def sections_text(config: CityConfig, agg: CityAggregate) -> list[SectionText]:
    openers = config.report.highlights.openers
    highlights = choose_highlights(config, agg)
    out, n = [], 0
    for s in config.report.sections:
        text = SectionText(s.code, s.heading, section_sentences(config, agg, s.code))
        if highlights.get(s.code):
            text.highlights_opener, text.highlights = openers[n % len(openers)], highlights[s.code]
            n += 1
        out.append(text)
    return out


def duty_phrases(config: CityConfig, agg: CityAggregate) -> list[str]:
    out = []
    for code, text in config.report.duty.figures.items():
        f = agg.figures[code]
        if f.value is not None:
            out.append(text.format(value=with_unit(f.value, f.unit), number=number(f.value, f.unit)))
    return out


def basis_note(config: CityConfig, agg: CityAggregate) -> str:
    """The 说明 at the end: how many units the figures cover, who did not report, the comparable basis."""
    note, limit = config.report.basis_note, config.report.problems.names_max
    missing = [u.unit.name for u in agg.units if u.status not in ("on_time", "late")]
    named = "、".join(missing[:limit]) + (f"等{len(missing)}家单位" if len(missing) > limit else "")
    basis = agg.comparable_units and agg.comparable_units < max(agg.reported, agg.reported_last)
    return note.text.format(expected=agg.expected, reported=agg.reported,
                            missing=note.missing.format(units=named) if missing else "",
                            comparable=note.comparable.format(n=agg.comparable_units) if basis else "")
