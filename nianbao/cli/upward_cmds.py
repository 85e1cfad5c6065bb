"""Commands of the city's figures sent up: fill-up (a province's workbook filled with the city's totals)."""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from nianbao import output
from nianbao.cli.common import res_of, year_in_season

if TYPE_CHECKING:
    from nianbao.resources import Resources
    from nianbao.upward.fill import FillResult


def _json(result: FillResult) -> dict:
    return {**asdict(result), "overwritten": [asdict(f) for f in result.overwritten]}


def _num(x: float | int | str | None) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def _printer(res: Resources) -> Callable[[FillResult], None]:
    cfg = res.config

    def show(result: FillResult) -> None:
        how = Counter(f.how for f in result.filled)
        output.say(cfg.text("upward_summary", city=cfg.city, year=result.year, filled=len(result.filled),
                            by_code=how["code"], by_name=how["name"], by_mapping=how["mapping"], out=result.out))
        if result.reported < result.expected:  # the province should know the totals are not final
            output.say(cfg.text("upward_coverage", expected=result.expected, reported=result.reported))
        for line in result.warnings:
            output.say(line)
        if result.overwritten:
            output.say(cfg.text("upward_overwritten_head", count=len(result.overwritten)))
            for f in result.overwritten:
                output.say("  " + cfg.text("upward_overwritten_row", sheet=f.sheet, cell=f.cell, label=f.label,
                                           old=_num(f.previous), new=_num(f.value)))
        if result.unfilled:
            output.say(cfg.text("upward_unfilled_head", count=len(result.unfilled)))
            for u in result.unfilled:
                output.say("  " + cfg.text("upward_unfilled_row", sheet=u.sheet, row=u.row, label=u.label,
                                           reason=u.reason))
        else:
            output.say(cfg.text("upward_all_filled"))
        if result.skipped_sheets:
            output.say(cfg.text("upward_skipped_sheets", sheets="、".join(result.skipped_sheets)))
        if result.kept_sheets:
            output.say(cfg.text("upward_kept_sheets", sheets="、".join(result.kept_sheets)))

    return show


def cmd_fill_up(args: argparse.Namespace) -> int:
    from nianbao.stages.fill_up import fill_up

    res = res_of(args)
    year = year_in_season(args, res)
    if year is None:
        return 0
    result = fill_up(res, year, Path(args.src), Path(args.out))
    output.emit(_json(result) if args.json else result, args.json, _printer(res))
    return 0


def register(add) -> None:
    fu = add("fill-up", cmd_fill_up, "用全市汇总数据填写上级（省）下发的工作簿，列出未填写的行及原因", json_=True)
    fu.add_argument("src", metavar="输入文件", help="上级下发的工作簿（.xlsx；不会被改动）")
    fu.add_argument("--out", required=True, metavar="文件", help="填好的工作簿写到这里（.xlsx，不能与输入文件相同）")
