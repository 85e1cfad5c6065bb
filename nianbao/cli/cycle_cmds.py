"""Commands of the cycle itself: init, check, calendar, templates, open, remind, status, close."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nianbao import output
from nianbao.cli.common import res_of, year_in_season, year_of
from nianbao.errors import ConfigError, NianbaoError


def cmd_check(args: argparse.Namespace) -> int:
    from nianbao.settings import load_settings
    from nianbao.stages.check import check_setup

    settings = load_settings()
    problems = check_setup(settings)
    if problems:
        raise ConfigError(problems)
    output.say(f"配置与模板检查通过：{settings.config_dir}，{settings.templates_dir}")
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from nianbao.settings import load_settings

    settings = load_settings()
    if settings.secret("hmac_secret"):
        output.say("已通过 NIANBAO_HMAC_SECRET（或 Secret 块）配置工作簿签名密钥，无需生成。")
        return 0
    if settings.key_file.exists():
        output.say(f"签名密钥已存在：{settings.key_file}（未改动；更换密钥会使已下发的工作簿全部无法通过校验）。")
        return 0
    path = settings.write_key_file()
    output.say(f"已生成工作簿签名密钥：{path}（仅本机可读）。多台机器共用一套数据时，请把同一密钥配置到各台机器"
               "（NIANBAO_HMAC_SECRET 或 Prefect Secret 块），并妥善备份。")
    return 0


def cmd_calendar(args: argparse.Namespace) -> int:
    from nianbao.plan import build_plan, plan_rows
    from nianbao.workdays import WorkCalendar

    res = res_of(args)
    year, _ = year_of(args, res)
    cal = WorkCalendar(res.config.calendar)
    plan = build_plan(res.config, year, cal)
    data = {"year": plan.year, "warnings": plan.warnings,
            "rows": [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()}
                     for r in plan_rows(plan, cal)]}
    output.emit(data, args.json, output.print_calendar)
    return 0


def cmd_templates(args: argparse.Namespace) -> int:
    from nianbao.stages.open_cycle import write_templates

    res = res_of(args)
    year, _ = year_of(args, res)
    out = Path(args.out)
    with output.counting(f"正在生成{year}年度各单位模板", len(res.config.reporting_units)) as tick:
        paths = write_templates(res, year, out, progress=tick)
    output.say(f"已生成 {len(paths)} 个单位的填报模板：{out.resolve()}")
    return 0


def cmd_open(args: argparse.Namespace) -> int:
    from nianbao.explain import why_stopped
    from nianbao.stages.open_cycle import invitations, open_cycle
    from nianbao.stages.season import default_year, open_refusal
    from nianbao.stages.send import send_outbox

    res = res_of(args)
    year = args.year if args.year is not None else default_year(res)
    refusal = open_refusal(res, year)
    planned = invitations(res, year)
    if args.dry_run:
        output.print_invitations(year, planned)
        if refusal:
            output.say(f"注意：{refusal}，实际开启时需加 --force。")
        return 0
    if refusal and not args.force:
        raise NianbaoError(f"未开启：{refusal}。如确需补发，请加 --force；只想看将发给谁，请加 --dry-run。")
    if sys.stdin.isatty() and not args.yes and not output.confirm(
            f"将开启{year}年度填报，并向 {len(planned)} 家单位发送模板和截止日期。确认发送？"):
        output.say("已取消，未发送任何邮件。")
        return 1
    with output.counting("正在生成模板并排入发件箱", len(planned)) as tick:
        result = open_cycle(res, year, progress=tick)
    with output.counting("正在发送", len(result.invited)) as tick:
        sent = send_outbox(res, progress=tick)
    output.say(f"{result.year}年度填报已开启：新发出 {len(result.invited)} 份通知，已发过 {len(result.already)} 份；"
               f"发送成功 {sent.sent} 封，待重试 {sent.pending} 封。" + (f"（{why_stopped(sent.stopped)}）" if sent.stopped else ""))
    return 0


def cmd_remind(args: argparse.Namespace) -> int:
    from nianbao.stages.remind import remind
    from nianbao.stages.send import send_outbox

    res = res_of(args)
    year = year_in_season(args, res)
    if year is None:
        return 0
    report = remind(res, year, dry_run=args.dry_run)
    if not args.dry_run:
        send_outbox(res)
    output.emit(output.remind_json(report), args.json, output.print_remind)
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from nianbao.errors import UnknownYearError
    from nianbao.stages.status import cycle_status

    res = res_of(args)
    year, off = year_of(args, res)
    try:
        report = cycle_status(res, year)
    except UnknownYearError:
        if off is None:
            raise
        output.say(off)  # the default year off season: nothing to show is not an error
        return 0
    output.emit(output.status_json(report), args.json, output.print_status)
    return 0


def cmd_close(args: argparse.Namespace) -> int:
    from nianbao.stages.close import close_cycle

    res = res_of(args)
    if args.year is None:
        raise NianbaoError("关闭年度必须明确指定：nianbao close --year 年度")
    result = close_cycle(res, args.year)
    when = result.closed_at.in_timezone(res.config.timezone).format("YYYY-MM-DD HH:mm")
    output.say(f"{result.year}年度填报{'早已' if result.already else '已'}于 {when} 关闭，此后收到的该年度报表将被退回。")
    return 0


def register(add) -> None:
    add("init", cmd_init, "生成工作簿签名密钥（首次部署时运行一次）", year=False)
    add("check", cmd_check, "检查 config/ 与 templates/ 是否有误（有误时退出码为 2）", year=False)
    add("calendar", cmd_calendar, "年度日程（按工作日排定）", json_=True)
    add("templates", cmd_templates, "生成各单位填报模板（不发送）").add_argument(
        "--out", required=True, metavar="文件夹", help="模板写入的文件夹")
    op = add("open", cmd_open, "开启年度填报并向各单位发送模板", today=True)
    op.add_argument("--dry-run", action="store_true", help="只列出将发给哪些单位、哪些地址，不发送")
    op.add_argument("--force", action="store_true", help="在计划日期之前或填报期已过时仍然开启")
    op.add_argument("--yes", action="store_true", help="不再询问确认（用于脚本）")
    r = add("remind", cmd_remind, "发送今天到期的提醒和逾期通知", json_=True, today=True)
    r.add_argument("--dry-run", action="store_true", help="只列出将发送的提醒，不发送")
    add("status", cmd_status, "各单位报送情况和报送率", json_=True, today=True)
    add("close", cmd_close, "关闭某年度填报（此后该年度的报表一律退回）")
