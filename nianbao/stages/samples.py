"""A sample of everything the program hands its templates, from the configured units and catalogue:
`nianbao check` renders each template against it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pendulum

from nianbao.cityconfig import CityConfig
from nianbao.completeness import Rates, status_label
from nianbao.plan import build_plan
from nianbao.report.aggregate import aggregate
from nianbao.report.draft import render_markdown, target_context
from nianbao.report.model import UnitReport
from nianbao.report.problems import find_problems
from nianbao.sample_data import unit_values
from nianbao.texts import fmt_day, fmt_time, render_mail

SAMPLE_UNITS = 30  # enough units for every sentence and problem; a province's thousands are not needed


def _units(config: CityConfig, year: int) -> list[UnitReport]:
    out = []
    for n, unit in enumerate(config.reporting_units[:SAMPLE_UNITS], 1):
        values = unit_values(config, unit, year)
        status = "missing" if n % 7 == 0 else "late" if n % 5 == 0 else "on_time"
        out.append(UnitReport(
            unit=unit, status=status, submission_id=None if status == "missing" else n, received_at=None,
            values={} if status == "missing" else {c: v for c, v in values.items() if v is not None},
            na=frozenset() if status == "missing" else frozenset(c for c, v in values.items() if v is None),
            narratives=()))
    return out


def sample_renders(config: CityConfig, templates_dir: Path) -> list[tuple[str, Callable[[], object]]]:
    year = 2026
    plan = build_plan(config, year)
    unit, deadline = config.reporting_units[0], plan.deadlines[0]
    today = plan.open_day
    agg = aggregate(config, year, _units(config, year), _units(config, year - 1))
    rates = Rates(expected=len(agg.units), actual=agg.reported, on_time=agg.on_time, rate=90.0, on_time_rate=80.0)
    rows = [{"name": u.unit.name, "label": status_label(u.status), "received": ""} for u in agg.units]

    def mail(name: str, **context: object) -> Callable[[], object]:
        return lambda: render_mail(templates_dir, name, city=config, **context)

    common = dict(unit=unit, year=year, deadline=deadline, due=fmt_day(deadline.effective), today=fmt_day(today))
    renders = [
        ("mail/invitation.txt.j2", mail("invitation", unit=unit, year=year, plan=plan, filename="统计表.xlsx",
                                        deadlines=[(d.name, fmt_day(d.effective)) for d in plan.deadlines])),
        ("mail/reminder.txt.j2", mail("reminder", **common, days_left=3, days_late=0, last_status="退回")),
        ("mail/overdue.txt.j2", mail("overdue", **common, days_left=0, days_late=2, last_status="")),
        ("mail/digest.txt.j2", mail("digest", year=year, today=fmt_day(today), rates=rates, rows=rows,
                                    warnings=plan.warnings, sent_reminders=1, sent_overdue=1,
                                    failed=[{"sender": "clerk@example.cn", "subject": "报送", "kind": "too_large",
                                             "received": fmt_day(today), "answered": True}],
                                    automatic={"auto_submitted": 3, "list": 1},
                                    undelivered=[{"unit": unit.name, "what": "填报邀请", "address": "clerk@example.cn",
                                                  "diagnostic": "550 5.1.1 User unknown", "status": "5.1.1",
                                                  "received": fmt_day(today)}],
                                    replies=[{"received": fmt_day(today), "unit": unit.name, "sender": "clerk@example.cn",
                                              "answers": "回复《填报邀请》", "text": "第12项是否包含调解结案？",
                                              "files": []}])),
        ("mail/draft.txt.j2", mail("draft", title=config.report.title, expected=agg.expected, reported=agg.reported,
                                   on_time=agg.on_time, first=False, changes=[("示例", "1件", "2件")],
                                   edits=[{"sender": "leader@example.cn", "received": fmt_day(today),
                                           "files": ["2026/draft/示例（领导修改稿）.docx"]}],
                                   tasks={"total": 2, "done": 1, "behind": [{"id": "2", "title": "示例任务",
                                                                            "lead": ["示例单位"], "status": "正在推进"}]},
                                   **target_context(config, agg, find_problems(config, agg)))),
        (config.report.template, lambda: render_markdown(config, templates_dir, agg, find_problems(config, agg))),
        ("mail/alert.txt.j2", mail("alert", run_id="0", run_name="intake-2027-01-08-0915", flow_name="intake",
                                   state="Failed", message="示例", when="2027年1月8日 09:15")),
        ("mail/sent_back.txt.j2", mail("sent_back", filename="统计表.xlsx", unit=unit, reason="示例",
                                       received="2027年1月10日 10:00", original_subject="示例", by="管理员")),
    ]
    received = fmt_time(pendulum.datetime(year + 1, 1, 10, 10, tz=config.timezone), config.timezone)
    if config.report.unit_drafts:
        from nianbao.report.unit_draft import unit_markdown

        first = next(u for u in agg.units if u.submission_id is not None)
        renders += [
            (config.report.unit_drafts.template,
             lambda: unit_markdown(config, templates_dir, first, None, agg, received)),
            ("mail/unit_draft.txt.j2", mail("unit_draft", unit=first.unit, year=year, title="示例", received=received,
                                            compared=True)),
        ]
    for kind in ("receipt", "rejection", "held", "superseded", "no_attachment", "too_large", "unreadable", "unstorable"):
        renders.append(("mail/reply.txt.j2", mail("reply", kind=kind, outcomes=[], notes=["示例"], figures=[],
                                                 received=received, original_subject="示例", max_mail_mb=30,
                                                 quote_original=True)))
    return renders
