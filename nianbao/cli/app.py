"""The parser (Chinese help, Chinese errors), the checks every command runs first, and the edge where
any error becomes one Chinese line and exit status 2."""

from __future__ import annotations

import argparse
import os
import re
import signal
import sys
import traceback
from collections.abc import Callable, Sequence

from nianbao import output
from nianbao.cli import cycle_cmds, disclose_cmds, intake_cmds, prefect_cmds, report_cmds, upward_cmds
from nianbao.cli import plan_cmds, tasks_cmds
from nianbao.cli.edge import describe
from nianbao.errors import ConfigError

_ARGPARSE_ZH = [  # argparse's own messages, as a Chinese administrator reads them
    (r"the following arguments are required: (.*)", r"缺少必填参数：\1"),
    (r"argument (\S+): invalid int value: '(.*)'", r"参数 \1 应为整数，实为 “\2”"),
    (r"argument (\S+): invalid choice: '(.*)' \(choose from (.*)\)", r"参数 \1 不认识 “\2”，可选：\3"),
    (r"argument (\S+): expected one argument", r"参数 \1 后面需要一个值"),
    (r"unrecognized arguments: (.*)", r"不认识的参数：\1"),
]


class Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        return super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)


class Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", Formatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title, self._optionals.title = "参数", "选项"
        self.add_argument("-h", "--help", action="help", help="显示本帮助并退出")

    def format_help(self) -> str:
        return re.sub(r"^(\S[^\n]*?):$", r"\1：", super().format_help(), flags=re.M)

    def error(self, message: str):
        for pattern, zh in _ARGPARSE_ZH:
            message = re.sub(pattern, zh, message)
        self.print_usage(sys.stderr)
        self.exit(2, f"错误：{message}\n")


def build_parser() -> argparse.ArgumentParser:
    p = Parser(prog="nianbao", description="法治政府建设年度报送：模板、收件、提醒、汇总、起草、公开。")
    p.add_argument("--debug", action="store_true", help="出错时显示完整的错误追踪（供技术人员排查）")
    sub = p.add_subparsers(dest="command", required=True, title="命令", metavar="命令", parser_class=Parser)

    def add(name: str, fn: Callable, help: str, *, year: bool = True, json_: bool = False,
            today: bool = False) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help, description=help)
        sp.set_defaults(fn=fn)
        if year:
            sp.add_argument("--year", type=int, metavar="年度", help="报告年度（默认：上一年，如 2027 年初默认 2026）")
        if json_:
            sp.add_argument("--json", action="store_true", help="以 JSON 输出（供脚本使用）")
        if today:
            sp.add_argument("--today", metavar="日期", help="按指定日期运行（YYYY-MM-DD，本市时间），用于补跑某一天")
        return sp

    cycle_cmds.register(add)
    intake_cmds.register(add)
    report_cmds.register(add)
    disclose_cmds.register(add)
    upward_cmds.register(add)
    plan_cmds.register(add)
    tasks_cmds.register(add)
    prefect_cmds.register(add)
    return p


def _preflight(args: argparse.Namespace) -> None:
    """Every command but `check` and `init` refuses to start on a broken config or template."""
    if args.command in ("check", "init"):
        return
    from nianbao.settings import load_settings
    from nianbao.stages.check import check_setup

    problems = check_setup(load_settings())
    if problems:
        raise ConfigError(problems)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Before anything imports Prefect (a Secret block, the demo): no telemetry from a closed network,
    # and time for an embedded server to start on a busy machine. A command's own console shows Prefect's
    # warnings only; `serve` keeps INFO, which the flow runs it starts inherit: their Chinese lines
    # (a line per mail, who was reminded, what was sent) are what the administrator reads in the UI.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO" if args.command == "serve" else "WARNING")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    if hasattr(signal, "SIGPIPE"):  # `nianbao export | head` ends quietly, like any Unix tool
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        _preflight(args)
        return args.fn(args)
    except KeyboardInterrupt:
        output.fail("已中断。")
        return 130
    except Exception as exc:  # noqa: BLE001 - the edge: every error becomes one line (or, with --debug, a trace)
        if args.debug:
            traceback.print_exc()
            return 2
        message = describe(exc)
        if message is None:
            output.fail(f"程序内部错误（{type(exc).__name__}: {exc}）。请加 --debug 重试并把输出发给技术支持。")
            return 1
        output.fail(message)
        return 2
