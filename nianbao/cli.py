"""`nianbao`: the administrator's command line. Library first; this module only parses arguments,
calls stages and prints (Chinese for people, --json for scripts). Errors become messages only here."""

from __future__ import annotations

import argparse
import os
import re
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from nianbao import output
from nianbao.errors import ConfigError, MailError, MissingSecret, NianbaoError, UnknownYearError
from nianbao.resources import Resources, make_resources


def _res(args: argparse.Namespace) -> Resources:
    today = getattr(args, "today", None)
    return make_resources(today=today)


def _year(args: argparse.Namespace, res: Resources) -> int:
    return args.year if args.year is not None else res.clock.now().year - 1


def cmd_templates(args: argparse.Namespace) -> int:
    from nianbao.stages.open_cycle import write_templates

    res = _res(args)
    with output.spinner("正在生成模板…"):
        paths = write_templates(res, _year(args, res), Path(args.out))
    output.say(f"已生成 {len(paths)} 个单位的填报模板:{Path(args.out).resolve()}")
    return 0


def cmd_open(args: argparse.Namespace) -> int:
    from nianbao.stages.send import send_outbox
    from nianbao.stages.open_cycle import open_cycle

    res = _res(args)
    result = open_cycle(res, _year(args, res))
    sent = send_outbox(res)
    output.say(f"{result.year}年度填报已开启:新发出 {len(result.invited)} 份通知,已发过 {len(result.already)} 份;"
               f"发送成功 {sent.sent},待重试 {sent.pending}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from nianbao.settings import load_settings
    from nianbao.stages.check import check_setup

    settings = load_settings()
    problems = check_setup(settings)
    if problems:
        raise ConfigError(problems)
    output.say(f"配置与模板检查通过:{settings.config_dir},{settings.templates_dir}")
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from nianbao.settings import load_settings

    settings = load_settings()
    if settings.secret("hmac_secret"):
        output.say("已通过 NIANBAO_HMAC_SECRET(或 Secret 块)配置工作簿签名密钥,无需生成。")
        return 0
    if settings.key_file.exists():
        output.say(f"签名密钥已存在:{settings.key_file}(未改动;更换密钥会使已下发的工作簿全部无法通过校验)。")
        return 0
    path = settings.write_key_file()
    output.say(f"已生成工作簿签名密钥:{path}(仅本机可读)。多台机器共用一套数据时,请把同一密钥配置到各台机器"
               "(NIANBAO_HMAC_SECRET 或 Prefect Secret 块),并妥善备份。")
    return 0


def cmd_close(args: argparse.Namespace) -> int:
    from nianbao.stages.close import close_cycle

    res = _res(args)
    result = close_cycle(res, _year(args, res))
    when = result.closed_at.in_timezone(res.config.timezone).format("YYYY-MM-DD HH:mm")
    output.say(f"{result.year}年度填报{'早已' if result.already else '已'}于 {when} 关闭,此后收到的该年度报表将被退回。")
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    from nianbao.intake.release import ingest_workbook_file
    from nianbao.intake.run import ingest_mail

    res = _res(args)
    reports = []
    for path in output.progress([Path(p) for p in args.files], "正在导入"):
        data = path.read_bytes()
        if path.suffix.lower() == ".eml" or looks_like_mail(data):
            reports.append(output.message_json(ingest_mail(res, data, None), str(path)))
        else:
            reports.append(output.workbook_json(ingest_workbook_file(res, data, path.name), str(path)))
    from nianbao.stages.send import send_outbox

    send_outbox(res)
    output.emit(reports, args.json, output.print_ingest)
    return 0 if all(a["status"] == "accepted" for r in reports for a in r["attachments"]) else 3


def looks_like_mail(data: bytes) -> bool:
    """A Maildir file or a saved message without the .eml ending: RFC 5322 header lines first."""
    head = data[:200].split(b"\n", 1)[0]
    return bool(re.match(rb"^[A-Za-z][A-Za-z0-9-]*: ", head)) and not data.startswith((b"PK", b"\xd0\xcf"))


def cmd_intake(args: argparse.Namespace) -> int:
    from nianbao.stages.send import send_outbox
    from nianbao.intake.run import poll_inbox

    res = _res(args)
    with output.spinner("正在读取收件箱…"):
        report = poll_inbox(res)
    send_outbox(res)
    reports = [output.message_json(m, m.source) for m in report.messages]
    output.emit(reports, args.json, output.print_ingest)
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from nianbao.stages.status import cycle_status

    res = _res(args)
    output.emit(output.status_json(cycle_status(res, _year(args, res))), args.json, output.print_status)
    return 0


def cmd_remind(args: argparse.Namespace) -> int:
    from nianbao.stages.send import send_outbox
    from nianbao.stages.remind import remind

    res = _res(args)
    report = remind(res, _year(args, res), dry_run=args.dry_run)
    if not args.dry_run:
        send_outbox(res)
    output.emit(output.remind_json(report), args.json, output.print_remind)
    return 0


def cmd_calendar(args: argparse.Namespace) -> int:
    from nianbao.plan import build_plan, plan_rows
    from nianbao.workdays import WorkCalendar

    res = _res(args)
    cal = WorkCalendar(res.config.calendar)
    plan = build_plan(res.config, _year(args, res), cal)
    data = {"year": plan.year, "warnings": plan.warnings,
            "rows": [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()}
                     for r in plan_rows(plan, cal)]}
    output.emit(data, args.json, output.print_calendar)
    return 0


def cmd_draft(args: argparse.Namespace) -> int:
    from nianbao.stages.send import send_outbox
    from nianbao.stages.draft import deliver_draft, make_draft

    res = _res(args)
    with output.spinner("正在汇总数据并生成报告初稿…"):
        result = make_draft(res, _year(args, res), Path(args.out) if args.out else None)
    if args.deliver:
        deliver_draft(res, result)
        send_outbox(res)
    output.print_draft(result)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from nianbao.stages.export import export_values, export_workbook

    res = _res(args)
    if args.xlsx:
        path = Path(args.xlsx)
        units = export_workbook(res, _year(args, res), path)
        print(f"已导出 {units} 家单位的全部已入库数据:{path}")
        return 0
    output.emit(export_values(res, _year(args, res)), args.json, output.print_csv)
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    from nianbao.intake.release import release_held

    res = _res(args)
    out = release_held(res, args.submission)
    output.emit([output.workbook_json(out, f"#{args.submission}")], args.json, output.print_ingest)
    return 0 if out.status == "accepted" else 3


def cmd_history(args: argparse.Namespace) -> int:
    from nianbao.stages.history import unit_history

    res = _res(args)
    output.emit(unit_history(res, _year(args, res), args.unit), args.json, output.print_history)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    # Before Prefect is imported: its logging is configured at import.
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from flows.demo import run_demo  # the Prefect layer, imported only here

    return run_demo(args.year, Path(os.environ.get("NIANBAO_DATA", "var")).resolve() / "demo")


def cmd_serve(args: argparse.Namespace) -> int:
    from flows.serve import serve

    return serve()


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="nianbao", description="法治政府建设年度报送:模板、收件、提醒、汇总、起草")
    sub = p.add_subparsers(dest="command", required=True)

    def add(name: str, fn: Callable, help: str, *, year=True, json_=False, today=False) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help)
        sp.set_defaults(fn=fn)
        if year:
            sp.add_argument("--year", type=int, help="报告年度(默认:上一年)")
        if json_:
            sp.add_argument("--json", action="store_true", help="以 JSON 输出")
        if today:
            sp.add_argument("--today", help="按指定日期运行(YYYY-MM-DD,上海时间)")
        return sp

    d = add("demo", cmd_demo, "模拟一个完整的年度周期(示例城市)")
    d.set_defaults(year=2026)
    add("templates", cmd_templates, "生成各单位填报模板").add_argument("--out", required=True)
    add("open", cmd_open, "开启年度填报并向各单位发送模板", today=True)
    ing = add("ingest", cmd_ingest, "导入 .eml 邮件或工作簿文件", year=False, json_=True, today=True)
    ing.add_argument("files", nargs="+")
    add("intake", cmd_intake, "读取收件箱一次", year=False, json_=True, today=True)
    add("init", cmd_init, "生成工作簿签名密钥(首次部署时运行一次)", year=False)
    add("check", cmd_check, "检查 config/ 与 templates/ 是否有误(有误时退出码为 2)", year=False)
    add("close", cmd_close, "关闭某年度填报(此后该年度的报表一律退回)")
    add("status", cmd_status, "报送情况", json_=True)
    r = add("remind", cmd_remind, "发送到期提醒", json_=True, today=True)
    r.add_argument("--dry-run", action="store_true", help="只列出将发送的提醒")
    add("calendar", cmd_calendar, "年度日程(工作日)", json_=True)
    dr = add("draft", cmd_draft, "生成年度报告初稿", today=True)
    dr.add_argument("--out")
    dr.add_argument("--no-deliver", dest="deliver", action="store_false", help="不发送给领导")
    add("export", cmd_export, "导出全部已入库数据", json_=True).add_argument(
        "--xlsx", metavar="文件", help="写成工作簿:一家单位一行、一项指标一列")
    add("history", cmd_history, "某单位的历次报送及版本间变化", json_=True).add_argument("unit", help="单位代码")
    add("release", cmd_release, "管理员核实后接收一份待核实的报送", year=False, json_=True).add_argument(
        "submission", type=int, help="报送编号(见 ingest/intake 输出或 history)")
    add("serve", cmd_serve, "按日程运行全部定时任务", year=False)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    if hasattr(signal, "SIGPIPE"):  # `nianbao export | head` ends quietly, like any Unix tool
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    args = build_parser().parse_args(argv)
    try:
        if args.command not in ("check", "init"):  # refuse to start on a broken config or template
            from nianbao.settings import load_settings
            from nianbao.stages.check import check_setup

            problems = check_setup(load_settings())
            if problems:
                raise ConfigError(problems)
        return args.fn(args)
    except ConfigError as exc:
        output.fail("配置有误,请逐项修改:\n" + "\n".join(f"  - {p}" for p in exc.problems))
    except UnknownYearError:
        output.fail(f"{args.year or '该'}年度的填报尚未开启。请先运行:nianbao open --year {args.year or 'Y'}")
    except MissingSecret:
        output.fail("未配置工作簿签名密钥。首次部署请运行 nianbao init 生成(或设置 NIANBAO_HMAC_SECRET / "
                    "NIANBAO_HMAC_SECRET_BLOCK);已有密钥的,请确认本机使用的是同一密钥。")
    except MailError as exc:
        output.fail(f"邮件服务器连接失败:{exc}。未处理的邮件仍保留在队列中,稍后会重试。")
    except NianbaoError as exc:
        output.fail(f"操作失败:{exc}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
