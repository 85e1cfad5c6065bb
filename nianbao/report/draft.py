"""The draft: one Jinja template (templates/<report.template>) renders Markdown; the .docx, the HTML and
the data appendix are built from it and from the same figures."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import jinja2
import pendulum

from nianbao.cityconfig import CityConfig
from nianbao.report.aggregate import CityAggregate
from nianbao.report.appendix import build_appendix
from nianbao.report.docx_writer import build_docx, parse_blocks
from nianbao.report.fmt import ordinal, with_unit
from nianbao.report.mdtext import plain
from nianbao.report.plans import Plan, load_plans
from nianbao.report.problems import Problem


@dataclass
class DraftDoc:
    title: str
    markdown: str
    html: str
    docx: bytes
    appendix_xlsx: bytes
    figures: dict[str, float | None]


def _plans(config: CityConfig, templates_dir: Path, problems: list[Problem]) -> list[Plan]:
    plans = load_plans(templates_dir / config.report.plans_file)
    return [plans.by_problem[p.kind] for p in problems if p.kind in plans.by_problem] + list(plans.standing)


def render_markdown(config: CityConfig, templates_dir: Path, agg: CityAggregate, problems: list[Problem],
                    extra: dict | None = None) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir)), undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)

    def change(code: str) -> str:
        f = agg.figures[code]
        if f.change_pct is None or abs(f.change_pct) < 0.05:
            return ""
        return f",同比{'增长' if f.change_pct > 0 else '下降'}{abs(f.change_pct):.1f}%"

    def highlights(section: str) -> str:
        items = [(u.unit.name, t) for u in agg.units for s, k, t in u.narratives if s == section and k == "highlight"]
        if not items:
            return ""
        return "各地各部门亮点纷呈:" + ";".join(f"{plain(name)}{plain(text.rstrip('。;;'))}" for name, text in items[:6]) + "。"

    title = config.report.title.format(city=config.city, year=agg.year)
    return env.get_template(config.report.template).render(
        title=title, year=agg.year, city=config.city, agg=agg, sections=config.report.sections,
        report=config.report, problems=problems, plans=_plans(config, templates_dir, problems),
        f=agg.fmt, fig=lambda code: agg.figures[code], change=change, highlights=highlights, ordinal=ordinal,
        **(extra or {}),
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


def render_draft(config: CityConfig, templates_dir: Path, agg: CityAggregate, problems: list[Problem], *,
                 generated_at: pendulum.DateTime) -> DraftDoc:
    md = render_markdown(config, templates_dir, agg, problems)
    title = config.report.title.format(city=config.city, year=agg.year)
    return DraftDoc(title=title, markdown=md, html=to_html(title, md),
                    docx=build_docx(md, issuer=config.report.issuer.format(city=config.city), date=generated_at),
                    appendix_xlsx=build_appendix(config, agg),
                    figures={c: f.value for c, f in agg.figures.items()})


def leaders_summary(agg: CityAggregate, n: int) -> list[str]:
    """The first figures a leader wants in the mail: coverage, then targets missed, then key totals."""
    lines = [f"报送情况:应报{agg.expected}家,已报{agg.reported}家,按时{agg.on_time}家"]
    missed = [f for f in agg.figures.values() if f.met is False]
    lines += [f"{f.name}{agg.fmt(f.code)}(未达目标)" for f in missed]
    lines += [f"{f.name}{agg.fmt(f.code)}" for f in agg.figures.values() if f.met is True]
    return lines[:n]


def change_summary(old: dict[str, float | None], new: dict[str, float | None],
                   names: dict[str, tuple[str, str]] | None = None) -> list[str]:
    """What changed since the last draft, one line per figure."""
    lines = []
    for code, value in new.items():
        before = old.get(code)
        if before != value and not (before is not None and value is not None and abs(before - value) < 1e-9):
            name, unit = (names or {}).get(code, (code, ""))
            lines.append(f"{name}:{with_unit(before, unit)} → {with_unit(value, unit)}")
    return lines
