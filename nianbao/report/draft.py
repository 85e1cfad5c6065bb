"""The draft: one Jinja template (templates/<report.template>) renders Markdown; the .docx, the HTML and
the data appendix are built from it and from the same figures."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

import pendulum

from nianbao.texts import template_env
from nianbao.cityconfig import CityConfig
from nianbao.report.aggregate import CityAggregate
from nianbao.report.claims import LeftOut, left_out
from nianbao.report.appendix import build_appendix
from nianbao.report.docx_writer import build_docx, parse_blocks
from nianbao.report.fmt import count, ordinal, with_unit
from nianbao.report.mdtext import plain
from nianbao.report.plans import Plan, carried, choose_plans, load_plans
from nianbao.report.problems import Problem
from nianbao.report.targets import targets_count, unit_shortfalls, units_short
from nianbao.report.text import basis_note, change_text, duty_phrases, sections_text
from nianbao.report.work import Progress
from nianbao.report.workproblems import WorkPoint, arrange, tasks_point, theme_points
from nianbao.report.worktext import WorkText, work_text
from nianbao.report.worktext import review_notes as work_notes


@dataclass
class DraftDoc:
    title: str
    markdown: str
    html: str
    docx: bytes
    appendix_xlsx: bytes
    figures: dict[str, float | None]
    notes: list[str] = field(default_factory=list)  # for the administrators: why a part says less than it could
    review_notes: str = ""  # for the writer, beside the draft (highlights left out and why); not the text


def report_parts(config: CityConfig, templates_dir: Path, agg: CityAggregate, problems: list[Problem],
                 progress: Progress | None) -> tuple[WorkText, list[WorkPoint], list[Problem], list[Plan]]:
    """What the draft says about the work plan, its problems in order and next year's plans (which
    `nianbao plan draft` turns into next year's tasks)."""
    rep = config.report
    work = work_text(config, progress) if progress is not None else WorkText()
    points = ([tp] if (tp := tasks_point(config, progress)) else []) + theme_points(config, agg)
    points, problems = arrange(config, points, problems)
    plans_file = load_plans(templates_dir / rep.plans_file, config.area)
    carry = carried(plans_file, progress.unfinished, agg.year) if progress is not None else None
    plans = choose_plans(plans_file, problems, agg.year + 1, rep.plans_count, rep.problems.names_max, carry=carry,
                         themes=tuple(p.theme for p in points if p.kind == "theme"))
    return work, points, problems, plans


def render_markdown(config: CityConfig, templates_dir: Path, agg: CityAggregate, problems: list[Problem],
                    extra: dict | None = None, progress: Progress | None = None) -> str:
    """The report's Markdown from templates/<report.template>: everything it says is chosen and
    numbered here (`report.text`, `report.problems`, `report.plans`, `report.worktext` for the year's
    work plan) and worded there or in config/."""
    env = template_env(str(templates_dir))
    rep = config.report
    work, points, problems, plans = report_parts(config, templates_dir, agg, problems, progress)
    sections = sections_text(config, agg)
    said = {plain(text) for text in work.used}
    for s in sections:  # a unit's measure is told once: not again as its highlight
        s.highlights = [(unit, text) for unit, text in s.highlights if text not in said]
    words = {"year": agg.year, "city": config.city, "framework": rep.framework(agg.year), **rep.slogans}
    return env.get_template(rep.template).render(
        opening=rep.opening.format(**words), intro_focus=rep.intro_focus.format(**words),
        basis_note=basis_note(config, agg),
        title=rep.title.format(city=config.city, year=agg.year), year=agg.year, next_year=agg.year + 1,
        city=config.city, framework=rep.framework(agg.year), agg=agg, report=rep, problems=problems,
        work=work, work_points=points,
        sections=sections, duty=duty_phrases(config, agg), plans=plans, ordinal=ordinal, count=count,
        plans_intro=rep.plans_intro.format(next_year=agg.year + 1, year=agg.year),
        f=agg.fmt, fig=lambda code: agg.figures[code], **(extra or {}),
    )


def to_html(title: str, markdown: str) -> str:
    body = []
    for level, text in parse_blocks(markdown):
        tag = {0: "p", 1: "h1", 2: "h2", 3: "h3", 4: "h4"}[level]
        body.append(f"<{tag}>{html.escape(text)}</{tag}>")
    css = ("body{max-width:46em;margin:2em auto;font:16pt/1.8 FangSong,'仿宋','STFangsong','Noto Serif CJK SC',serif}"
           "h1{text-align:center;font-family:'方正小标宋简体','STZhongsong','Noto Serif CJK SC',serif;font-weight:normal}"
           "h2{font:16pt SimHei,'黑体','Noto Sans CJK SC',sans-serif}h3{font:16pt KaiTi,'楷体','STKaiti',serif}"
           "p{text-indent:2em;margin:0}")
    return (f"<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
            f"<style>{css}</style></head><body>{''.join(body)}</body></html>")


def docx_options(config: CityConfig, year: int) -> dict:
    """What report.yaml says about the .docx: where the title breaks, the Latin font, the bureau's own
    Word file to write into."""
    rep = config.report
    return {"title_lines": [line.format(city=config.city, year=year) for line in rep.title_lines] or None,
            "latin_font": rep.latin_font,
            "template": config.root / rep.docx_template if rep.docx_template else None}


def render_draft(config: CityConfig, templates_dir: Path, agg: CityAggregate, problems: list[Problem], *,
                 generated_at: pendulum.DateTime, progress: Progress | None = None) -> DraftDoc:
    """``progress``: the year's work plan and the units' answers on it (None: no plan imported)."""
    md = render_markdown(config, templates_dir, agg, problems, progress=progress)
    title = config.report.title.format(city=config.city, year=agg.year)
    return DraftDoc(title=title, markdown=md, html=to_html(title, md),
                    docx=build_docx(md, issuer=config.report.issuer.format(city=config.city), date=generated_at,
                                    **docx_options(config, agg.year)),
                    appendix_xlsx=build_appendix(config, agg),
                    figures={c: f.value for c, f in agg.figures.items()},
                    notes=work_notes(config, agg.year, progress),
                    review_notes=review_notes(config, title, left_out(config, agg), work_notes(config, agg.year, progress)))


def review_notes(config: CityConfig, title: str, items: list[LeftOut], more: list[str] = ()) -> str:
    """The notes beside a draft for its writer: each highlight left out and why (report.yaml's wording),
    then why a part of the draft says less than it could (the work plan's answers)."""
    words = config.report.review_notes
    lines = [words.title.format(title=title), ""]
    notes = [item.note for item in items] + list(more)
    lines += [f"{n}. {note}" for n, note in enumerate(notes, 1)] or [words.none]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class KeyFigure:
    name: str
    value: str
    change: str  # ", 同比增长4.3%" or ""
    missed: str  # the target it missed, or ""


def leaders_figures(config: CityConfig, agg: CityAggregate) -> tuple[list[KeyFigure], list[KeyFigure]]:
    """(the figures report.yaml puts first in the leaders' mail, the targets missed)."""
    def key(f) -> KeyFigure:
        return KeyFigure(f.name, agg.fmt(f.code), change_text(config, f, agg.comparable_units),
                         with_unit(f.target.value, f.unit) if f.met is False else "")

    first = [key(agg.figures[c]) for c in config.report.leaders_figures if agg.figures[c].value is not None]
    missed = [key(f) for f in agg.figures.values() if f.met is False]
    return first, missed


def target_context(config: CityConfig, agg: CityAggregate, problems: list[Problem]) -> dict:
    """What the leaders' mail says of the figures and targets, at city level and at unit level (the draft's
    problem points, so the mail points to them)."""
    key, missed = leaders_figures(config, agg)
    return {"key": key, "missed": missed, "targets": targets_count(agg), "ordinal": ordinal,
            "shortfalls": unit_shortfalls(agg, problems, config.report.problems.names_max),
            "units_short": units_short(agg)}


def changed_figures(config: CityConfig, old: dict[str, float | None],
                    new: dict[str, float | None]) -> list[tuple[str, str, str]]:
    """(name, before, now) of every figure that changed since the last delivered draft."""
    known = {i.code: i for i in config.indicators}
    out = []
    for code, value in new.items():
        before = old.get(code)
        if before != value and not (before is not None and value is not None and abs(before - value) < 1e-9):
            ind = known.get(code)
            unit = ind.unit if ind else ""
            out.append((ind.name if ind else code, with_unit(before, unit), with_unit(value, unit)))
    return out
