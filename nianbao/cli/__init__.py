"""`nianbao`: the administrator's command line. Library first; this package only parses arguments,
calls stages and prints (Chinese for people, --json for scripts). Errors become messages only here
(`edge.describe`), with exit status 2; `--debug` shows the traceback instead."""

from nianbao.cli.app import build_parser, main

__all__ = ["build_parser", "main"]
