"""`nianbao plan draft --year Y`: Y's work plan drafted from Y-1's — its unfinished tasks (the units'
answers), the plans of Y-1's draft and the standing tasks of report.yaml `next_plan` — as a .docx the
administrator edits in Word and reads back with `plan import`: the yearly cycle closes on itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from nianbao.errors import UnknownYearError
from nianbao.report.draft import report_parts
from nianbao.report.plans import choose_plans, load_plans
from nianbao.report.problems import find_problems
from nianbao.report.worktext import quoted
from nianbao.resources import Resources
from nianbao.stages.work import plan_progress
from nianbao.workplan.drafting import PlanDraft, draft_plan, plan_docx
from nianbao.workplan.resolve import Resolver


@dataclass
class NextPlanResult:
    year: int
    path: Path
    draft: PlanDraft
    notes: list[str] = field(default_factory=list)


def _unknown(res: Resources, draft: PlanDraft) -> list[str]:
    resolver = Resolver(res.config)
    names = dict.fromkeys(n for t in draft.tasks for n in (*t.lead, *t.responsible))
    return [n for n in names if not resolver.resolve(n).targets]


def make_next_plan(res: Resources, year: int, out: Path | None = None) -> NextPlanResult:
    from nianbao.stages.draft import city_aggregate

    cfg, last = res.config, year - 1
    shape = cfg.report.next_plan
    if shape is None:
        from nianbao.errors import BadInput

        raise BadInput("report.yaml 中没有 next_plan（下一年度工作计划的格式），无法起草工作计划")
    notes = []
    progress = plan_progress(res, last)
    if progress is None:
        notes.append(shape.notes.no_plan.format(year=last))
    elif not progress.answered:
        notes.append(shape.notes.no_answers.format(year=last))
    elif awaiting := [t for t in progress.tasks if t.status is None and t.missing]:
        notes.append(shape.notes.awaiting.format(year=last, tasks="、".join(
            f"{t.task.id}“{quoted(t.task.title)}”（{'、'.join(t.missing)}）" for t in awaiting)))
    plans_file = load_plans(res.settings.templates_dir / cfg.report.plans_file, cfg.area)
    try:
        agg = city_aggregate(res, last)
        plans = report_parts(cfg, res.settings.templates_dir, agg, find_problems(cfg, agg), progress)[3]
    except UnknownYearError:
        notes.append(shape.notes.no_cycle.format(year=last))
        plans = choose_plans(plans_file, [], year, cfg.report.plans_count)
    skip = frozenset({plans_file.carry_forward.heading} if plans_file.carry_forward else ())
    draft = draft_plan(cfg, year, progress, plans, skip)
    data = plan_docx(cfg, draft, res.clock.now())
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
        path = out
    else:
        path = res.outputs.write(f"{year}/plan/{draft.title}.docx", data)
    if unknown := _unknown(res, draft):
        notes.append(shape.notes.unresolved.format(names="、".join(unknown)))
    return NextPlanResult(year, Path(path), draft, notes)
