"""`nianbao tasks`: how the year's work plan tasks stand — each task, its lead units, the task's state
and each unit's answer (from the accepted workbooks' sheet 重点任务落实情况)."""

from __future__ import annotations

import argparse

from nianbao import output
from nianbao.cli.common import res_of, year_of

COLUMNS = ("编号", "任务", "牵头单位", "落实情况", "各单位填报")


def cmd_tasks(args: argparse.Namespace) -> int:
    from nianbao.stages.tasks import tasks_progress
    from nianbao.workplan.progress import progress_json

    res = res_of(args)
    year, _ = year_of(args, res)
    output.emit(progress_json(year, tasks_progress(res, year)), args.json, print_tasks)
    return 0


def print_tasks(data: dict) -> None:
    from rich.markup import escape
    from rich.table import Table

    from nianbao.workplan.progress import BLANK, NOT_REPORTED, STATUSES

    order = {s: n for n, s in enumerate((*STATUSES, BLANK, NOT_REPORTED))}

    table = Table(title=f"{data['year']}年度重点任务落实情况（全年 {data['total']} 项，已完成 {data['done']} 项）")
    for col in COLUMNS:
        table.add_column(col, overflow="fold")
    for t in data["tasks"]:
        groups: dict[str, list[str]] = {}
        for u in t["units"]:
            groups.setdefault(u["status"], []).append(u["name"] + ("（牵头）" if u["role"] == "lead" else ""))
        units = "；".join(f"{status}：{'、'.join(names)}" for status, names in
                         sorted(groups.items(), key=lambda kv: order.get(kv[0], 99)))
        table.add_row(*(escape(str(v)) for v in (t["id"], t["title"], "、".join(t["lead"]) or "—", t["status"],
                                                  units or "—")))
    output._console().print(table)


def register(add) -> None:
    add("tasks", cmd_tasks, "年度工作计划重点任务的落实情况：每项任务的牵头单位和各单位填报的完成情况", json_=True)
