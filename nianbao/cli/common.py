"""What every command shares: resources (with --today), the report year (with the season's guard)."""

from __future__ import annotations

import argparse

from nianbao.resources import Resources, make_resources


def res_of(args: argparse.Namespace) -> Resources:
    return make_resources(today=getattr(args, "today", None))


def year_of(args: argparse.Namespace, res: Resources) -> tuple[int, str | None]:
    """(the report year, why the default year is out of season — None when --year was given or in
    season). A command that acts on the cycle stops with that message instead of acting."""
    from nianbao.stages.season import default_year, off_season

    if args.year is not None:
        return args.year, None
    year = default_year(res)
    reason = off_season(res, year)
    return year, (f"{reason}。如需操作其他年度，请用 --year 指定（例如 --year {year + 1}）" if reason else None)


def year_in_season(args: argparse.Namespace, res: Resources) -> int | None:
    """The report year a cycle command acts on, or None after saying why the default year is out of
    season (the command then stops, exit status 0)."""
    from nianbao import output

    year, off = year_of(args, res)
    if off:
        output.say(off)
        return None
    return year


def by_argument(parser: argparse.ArgumentParser) -> None:
    """--by: the name recorded with a decision (default: this machine's login name, never a made-up one)."""
    import getpass

    parser.add_argument("--by", default=getpass.getuser(), metavar="姓名",
                        help="作出决定的人的姓名，与时间一并记入审批记录（默认：当前登录用户名）")
