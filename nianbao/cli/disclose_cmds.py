"""The enforcement disclosure command: the city's table and each unit's, and what changed since the
last run."""

from __future__ import annotations

import argparse

from nianbao import output
from nianbao.cli.common import res_of, year_in_season


def cmd_disclose(args: argparse.Namespace) -> int:
    from nianbao.stages.disclose import disclose, disclosure_early

    res = res_of(args)
    year = year_in_season(args, res)
    if year is None:
        return 0
    text = res.config.text
    early = disclosure_early(res, year)
    with output.spinner(text("disclosure_working")):
        result = disclose(res, year, force=args.force)
    if early:  # an administrator may look before the deadline; the public table waits for it
        output.say(text("disclosure_preview", reason=early))
    output.say(text("disclosure_city_files", xlsx=result.paths["xlsx"], html=result.paths["html"]))
    if result.unit_paths:
        folder = next(iter(next(iter(result.unit_paths.values())).values())).parent
        output.say(text("disclosure_unit_files", count=len(result.unit_paths), folder=folder))
    if result.not_reported:
        output.say(text("disclosure_missing", count=len(result.not_reported), units="、".join(result.not_reported)))
    for line in result.lines:
        output.say(line)
    return 0


def register(add) -> None:
    d = add("disclose", cmd_disclose, "生成行政执法数据公开表（.xlsx、.html 及各单位公开表）", today=True)
    d.add_argument("--force", action="store_true", help="有自相矛盾的数据时仍然生成（默认列出并拒绝，退出码为 2）")
