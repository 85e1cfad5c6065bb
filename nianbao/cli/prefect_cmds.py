"""Commands that run the Prefect layer: the demo, serving the schedules, the failure alert."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from nianbao import output


def cmd_demo(args: argparse.Namespace) -> int:
    data = Path(os.environ.get("NIANBAO_DATA", "var")).resolve()
    if not os.environ.get("PREFECT_API_URL"):
        # The simulation keeps its Prefect runs beside its own data, never in the machine's Prefect home: a
        # home written by another Prefect version stops an embedded server from starting at all.
        (data / "demo-prefect").mkdir(parents=True, exist_ok=True)
        os.environ["PREFECT_HOME"] = str(data / "demo-prefect")
    from flows.demo import run_demo  # the Prefect layer, imported only here

    return run_demo(args.year, data / "demo")


def cmd_serve(args: argparse.Namespace) -> int:
    from flows.serve import serve

    return serve(args.host)


def cmd_alerts(args: argparse.Namespace) -> int:
    from flows.alerts import install_alert

    name = install_alert()
    output.say(f"已在 Prefect 服务器上创建自动化“{name}”：nianbao 的任何流程失败或崩溃时，"
               "将运行 alert 部署，给管理员发邮件。")
    return 0


def register(add) -> None:
    d = add("demo", cmd_demo, "模拟一个完整的年度周期（示例城市，数据在 $NIANBAO_DATA/demo）", year=False)
    d.add_argument("--year", type=int, default=2026, metavar="年度", help="模拟的报告年度（默认 2026）")
    s = add("serve", cmd_serve, "按 prefect.yaml 的日程运行全部定时流程", year=False)
    s.add_argument("--host", metavar="地址", help="未设置 PREFECT_API_URL 时，本地 Prefect 服务器监听的地址（默认 "
                   "NIANBAO_PREFECT_HOST 或 127.0.0.1，仅本机可访问）；非本机地址须先设置 PREFECT_SERVER_API_AUTH_STRING")
    add("alerts", cmd_alerts, "在 Prefect 服务器上创建“流程失败即邮件通知管理员”的自动化", year=False)
