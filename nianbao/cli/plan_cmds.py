"""`nianbao plan`: the city's yearly work plan. `plan import FILE --year Y` reads a plan (.docx, .txt,
.md) into config/tasks/<Y>.yaml; it prints what it found and every unit name it cannot resolve, and
writes nothing (exit status 2) while any is unresolved, unless --keep-unresolved keeps such names as
text. `plan draft --year Y --out 计划.docx` drafts Y's plan from Y-1's unfinished tasks, the draft's plans
and the standing tasks, in the shape `plan import` reads back. Further subcommands are added beside
these (``register`` returns their subparsers)."""

from __future__ import annotations

import argparse
from pathlib import Path

from nianbao import output
from nianbao.workplan import PlanImport

COLUMNS = ("编号", "所属部分", "任务", "牵头单位", "责任单位", "完成时限")


def cmd_plan_import(args: argparse.Namespace) -> int:
    from nianbao.cityconfig import load_city_config
    from nianbao.settings import load_settings
    from nianbao.workplan import UnresolvedUnitsError, import_plan, write_task_file

    settings = load_settings()
    config = load_city_config(settings.config_dir)
    plan = import_plan(Path(args.file), args.year, config, keep_unresolved=args.keep_unresolved)
    out = Path(args.out) if args.out else settings.config_dir / "tasks" / f"{args.year}.yaml"
    data, refused, existed = plan_json(plan, config), plan.unresolved and not args.keep_unresolved, out.exists()
    if not refused:
        data["written"] = str(write_task_file(plan, out))
    output.emit(data, args.json, print_plan)
    if refused:
        raise UnresolvedUnitsError(plan.unresolved_lines())
    if not args.json:
        output.say(f"已{'覆盖' if existed else '写入'} {len(plan.tasks)} 项任务：{out}"
                   + ("（未能对应的单位名称按原文保留在 unresolved 中）" if plan.unresolved else ""))
    return 0


def cmd_plan_draft(args: argparse.Namespace) -> int:
    from nianbao.cli.common import res_of
    from nianbao.stages.next_plan import make_next_plan

    res = res_of(args)
    result = make_next_plan(res, args.year, Path(args.out) if args.out else None)
    data = {"year": result.year, "path": str(result.path), "notes": result.notes,
            "tasks": [{"number": n, "section": t.section, "text": t.text, "lead": list(t.lead),
                       "responsible": list(t.responsible), "origin": t.origin}
                      for n, t in enumerate(result.draft.tasks, 1)]}
    output.emit(data, args.json, print_next_plan)
    return 0


ORIGIN = {"carried": "上年未完成", "plan": "报告工作打算", "standing": "常设任务"}


def print_next_plan(data: dict) -> None:
    tasks = data["tasks"]
    by = {label: sum(1 for t in tasks if t["origin"] == key) for key, label in ORIGIN.items()}
    output.say(f"已起草{data['year']}年度工作计划（{len(tasks)} 项任务：" + "，".join(f"{k} {v} 项" for k, v in by.items())
               + f"）：{data['path']}")
    for note in data["notes"]:
        output.say(f"请注意：{note}")
    output.say(f"在 Word 中修改后，运行 nianbao plan import 文件 --year {data['year']} 导入。")


def _names(plan: PlanImport, task, role: str, config) -> list[str]:
    names = [config.unit(code).name for code in getattr(task, role)] + list(getattr(task, f"{role}_groups"))
    missing = dict.fromkeys(u.name for u in plan.unresolved if u.task == task.id and u.role == role)
    return names + [f"{name}（未识别）" for name in missing]


def plan_json(plan: PlanImport, config) -> dict:
    tasks = [{"id": t.id, "part": t.section or t.chapter or "", "title": t.title,
              "lead": _names(plan, t, "lead", config), "responsible": _names(plan, t, "responsible", config),
              "deadline": t.deadline.isoformat() if t.deadline else None, "deadline_text": t.deadline_text,
              "source": t.source} for t in plan.tasks]
    return {"year": plan.year, "source": plan.source, "tasks": tasks, "unresolved": plan.unresolved_lines(),
            "warnings": list(plan.warnings), "keep_unresolved": plan.keep_unresolved, "written": None}


def print_plan(data: dict) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"{data['year']}年度工作计划任务（{data['source']}，共 {len(data['tasks'])} 项）")
    for col in COLUMNS:
        table.add_column(col, overflow="fold")
    for t in data["tasks"]:
        when = t["deadline"] or t["deadline_text"] or ""
        table.add_row(*(escape(str(v)) for v in (t["id"], t["part"], t["title"], "、".join(t["lead"]) or "—",
                                                  "、".join(t["responsible"]) or "—", when)))
    con = output._console()  # the shared console settings (no highlighting, wrapped)
    con.print(table)
    if data["unresolved"] and data["keep_unresolved"]:  # otherwise the refusal lists them
        con.print("[yellow]以下单位名称未能对应到单位名单或单位组，按原文保留：[/yellow]")
        for line in data["unresolved"]:
            con.print(f"  {line}", markup=False)
    for w in data["warnings"]:
        con.print(f"[yellow]提示：[/yellow]{escape(w)}")


def register(add) -> argparse._SubParsersAction:
    p = add("plan", None, "年度工作计划：导入任务分工（牵头单位、责任单位、完成时限）", year=False)
    sub = p.add_subparsers(dest="plan_command", required=True, title="子命令", metavar="子命令", parser_class=type(p))
    imp = sub.add_parser("import", help="把工作计划（.docx、.txt、.md）导入为 config/tasks/年度.yaml",
                         description="读取工作计划中的编号任务或分工表格，把牵头单位、责任单位对应到单位名单"
                                     "（units.yaml）和单位组（groups.yaml），写入 config/tasks/年度.yaml。"
                                     "有单位名称无法对应时不写入任何文件（退出码 2），除非加 --keep-unresolved。")
    imp.set_defaults(fn=cmd_plan_import)
    imp.add_argument("file", metavar="文件", help="工作计划文件（.docx、.txt 或 .md）")
    imp.add_argument("--year", type=int, required=True, metavar="年度", help="计划所属年度，如 2026")
    imp.add_argument("--keep-unresolved", action="store_true",
                     help="无法对应到单位名单或单位组的名称按原文保留（写入 unresolved），而不是拒绝导入")
    imp.add_argument("--out", metavar="路径", help="写入的文件（默认：config/tasks/年度.yaml）")
    imp.add_argument("--json", action="store_true", help="以 JSON 输出（供脚本使用）")
    dr = sub.add_parser("draft", help="起草下一年度工作计划（.docx）：上年未完成任务、报告的工作打算和常设任务",
                        description="按本市工作计划的格式（一、部分，（一）板块，编号任务，"
                                    "“（牵头单位：…，责任单位：…）”）起草指定年度的工作计划：上一年度未完成的重点任务"
                                    "（按各单位填报）、上一年度报告中的工作打算和 report.yaml 中的常设任务。"
                                    "在 Word 中修改后用 nianbao plan import 导入。")
    dr.set_defaults(fn=cmd_plan_draft)
    dr.add_argument("--year", type=int, required=True, metavar="年度", help="计划所属年度，如 2027（结转 2026 年的任务）")
    dr.add_argument("--out", metavar="路径", help="写入的 .docx（默认：数据目录下 outputs/年度/plan）")
    dr.add_argument("--json", action="store_true", help="以 JSON 输出（供脚本使用）")
    return sub
