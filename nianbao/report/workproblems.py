"""The problems the year's work shows before any figure does: the tasks not completed, each named with its
lead units and the reason they gave (and those still awaiting a lead unit's answer), and what the units
wrote under 存在问题, grouped by the themes of report.yaml `tasks.themes`. Each is one numbered point of the draft, worded here from config and the
units' own text; the figure-based problems (`report/problems.py`) follow, reporting timeliness last."""

from __future__ import annotations

from dataclasses import dataclass

from nianbao.cityconfig import CityConfig
from nianbao.config.report_tasks import Theme
from nianbao.report.aggregate import CityAggregate
from nianbao.report.mdtext import plain
from nianbao.report.problems import Problem
from nianbao.report.work import Progress, TaskState, split_reason
from nianbao.report.worktext import clean, quoted


@dataclass(frozen=True)
class WorkPoint:
    kind: str  # "tasks" or "theme"
    lead: str
    body: str  # worded, escaped, ending with 。
    theme: str = ""  # the theme's name (plans.yaml by_theme)


def reason_of(t: TaskState, names: dict[str, str], missing: str) -> str:
    """What the lead units that did not finish gave as the reason (the part before 下一步)."""
    behind = [a for a in t.answers if not a.done]
    by_reason: dict[str, list[str]] = {}
    for a in behind:
        if reason := clean(split_reason(a.reason)[0] or a.reason):
            by_reason.setdefault(reason, []).append(names.get(a.unit_code, a.unit_code))
    if not by_reason:
        return missing
    if len(by_reason) == 1:  # one reason, however many units gave it
        return plain(next(iter(by_reason)))
    return "，".join(f"{plain('、'.join(units))}{plain(r)}" for r, units in by_reason.items())


def tasks_point(config: CityConfig, p: Progress | None) -> WorkPoint | None:
    w = config.report.tasks
    if w is None or p is None or not p.answered:
        return None
    awaiting = [t for t in p.tasks if t.status is None and t.missing]
    if not p.unfinished and not awaiting:
        return None
    names = {u.code: u.name for u in config.units}
    items = [w.problem_task.format(number=plain(t.task.id), task=quoted(t.task.title),
                                   leads=plain("、".join(t.lead_names) or "未写明"),
                                   status=w.status_words.get(t.status, t.status),
                                   reason=reason_of(t, names, w.problem_no_reason))
             for t in p.unfinished]
    body = (w.problem_intro.format(n=len(p.tasks), k=len(items)) + "；".join(items) + "。") if items else ""
    if awaiting:  # as the leaders' mail counts them: not done while a lead unit has not answered
        units = dict.fromkeys(n for t in awaiting for n in t.missing)
        body += w.problem_unanswered.format(k=len(awaiting), tasks=f"第{'、'.join(t.task.id for t in awaiting)}项",
                                            units=plain("、".join(units))) + "。"
    return WorkPoint("tasks", w.problem_lead, body)


def _theme(text: str, themes: tuple[Theme, ...]) -> Theme | None:
    for t in themes:
        if t.words and any(word in text for word in t.words):
            return t
    return next((t for t in themes if not t.words), None)


def theme_points(config: CityConfig, agg: CityAggregate) -> list[WorkPoint]:
    """The units' 存在问题 by theme, the themes most units wrote about first; one text several units
    wrote alike is told once with all their names."""
    w = config.report.tasks
    if w is None or not w.themes or not w.themes_max:
        return []
    limit = config.report.problems.names_max
    grouped: dict[str, dict[str, list[str]]] = {}
    for u in agg.units:
        for _, kind, text in u.narratives:
            if kind != "problem" or not (said := clean(text)) or (theme := _theme(said, w.themes)) is None:
                continue
            units = grouped.setdefault(theme.name, {}).setdefault(said, [])
            if u.unit.name not in units:
                units.append(u.unit.name)
    order = {t.name: n for n, t in enumerate(w.themes)}
    ranked = sorted(grouped.items(), key=lambda kv: (-sum(map(len, kv[1].values())), order[kv[0]]))
    out = []
    for name, texts in ranked[:w.themes_max]:
        theme = w.themes[order[name]]
        items = [w.theme_item.format(units=plain("、".join(units)), text=plain(text))
                 for text, units in list(texts.items())[:limit]]
        more = sum(len(units) for units in list(texts.values())[limit:])
        body = "；".join(items) + (("，" + w.theme_more.format(n=more)) if more else "") + "。"
        out.append(WorkPoint("theme", theme.lead, body, theme=name))
    return out


def arrange(config: CityConfig, work: list[WorkPoint], problems: list[Problem]) -> tuple[list[WorkPoint], list[Problem]]:
    """The points in the draft's order — unfinished tasks, the units' themes, the figures' problems,
    reporting timeliness last — cut to `tasks.points_max` from the end."""
    problems = [p for p in problems if p.kind != "late_missing"] + [p for p in problems if p.kind == "late_missing"]
    w = config.report.tasks
    if w is None:
        return work, problems
    room = max(0, w.points_max - len(work))
    return work[:w.points_max], problems[:room]
