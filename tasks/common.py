"""What every flow needs before its first task: resources, the report year, whether its cycle is in
season, a logger, and a run name an administrator can read in the UI."""

from __future__ import annotations

import functools
import inspect
import logging
import typing
from collections.abc import Callable
from typing import Any

import pendulum

from nianbao.mail.inbox import open_inbox
from nianbao.resources import Resources, make_resources
from nianbao.settings import Settings


def flow_resources(today: str | None = None, folder: str | None = None) -> Resources:
    """Resources for a flow run; ``today`` (YYYY-MM-DD) pins the clock, e.g. to replay a missed day;
    ``folder`` makes this run poll one shard of the intake mailbox (an IMAP folder, or a Maildir
    under the inbox path), so several workers can share the intake."""
    res = make_resources(today=today)
    if folder:
        res = res.with_(open_inbox=lambda: open_inbox(with_inbound_folder(res.settings, folder)))
    return res


def with_inbound_folder(settings: Settings, folder: str) -> Settings:
    inbound = settings.mail.inbound
    shard = ({"path": f"{inbound.path}/{folder}"} if inbound.backend == "maildir" else {"folder": folder})
    return settings.with_(mail=settings.mail.model_copy(update={"inbound": inbound.model_copy(update=shard)}))


def report_year(res: Resources, year: int | None) -> int:
    """The report year defaults to last year: the 2026 cycle runs in January–March 2027."""
    from nianbao.stages.season import default_year

    return year if year is not None else default_year(res)


def log() -> logging.Logger | logging.LoggerAdapter:
    """The run's logger (shipped to the Prefect UI), or a plain one outside a run."""
    from prefect import get_run_logger
    from prefect.exceptions import MissingContextError

    try:
        return get_run_logger()
    except MissingContextError:
        return logging.getLogger("nianbao")


def in_season(res: Resources, year: int, stage: str, quiet: bool = False) -> bool:
    """Whether ``stage`` (open, draft, status) should act today; if not, the run says why and ends
    as Completed (a schedule looking in on a day with nothing to do is not a failure)."""
    from nianbao.stages.gates import not_due
    from nianbao.stages.season import off_season

    reason = not_due(res, year, stage) if stage in ("open", "draft") else off_season(res, year)
    if reason and not quiet:
        log().info(res.config.text("log_skipped", reason=reason))
    return reason is None


def run_name(kind: str) -> Callable[[], str]:
    """`收件 2027-01-08 09:15`: what the run is (messages.yaml: run_<kind>) and the moment, in the city's
    time zone; `收件 2027-01-08（补跑）` for a replayed day; the year when one is given."""
    def name() -> str:
        from prefect.runtime import flow_run

        from nianbao.cityconfig import load_city_config
        from nianbao.settings import load_settings

        cfg = load_city_config(load_settings().config_dir)
        params = flow_run.parameters or {}
        label = cfg.text(f"run_{kind}") + (f" {params['year']}年度" if params.get("year") else "")
        if params.get("today"):
            return f"{label} {params['today']}（{cfg.text('run_replayed')}）"
        return f"{label} {pendulum.now(cfg.timezone).format('YYYY-MM-DD HH:mm')}"

    return name


def explained(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Under @flow: an error ends the run Failed with the one Chinese sentence of `nianbao.explain` as
    its state message (what the UI shows and the alert mails), never "Flow run encountered an
    exception: …". A bug (no sentence for it) says so and logs its traceback for the maintainers."""
    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        from prefect.states import Failed

        from nianbao.explain import describe

        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - the flow's edge, as main() is the CLI's
            message = describe(exc)
            if message is None:
                message = f"程序内部错误（{type(exc).__name__}：{exc}），请把本次运行的日志转给技术支持。"
                log().error(message, exc_info=True)
            else:
                log().error(message)
            return Failed(message=message)

    # The flow's parameters are read from this wrapper: its annotations resolved where they were written.
    run.__signature__ = inspect.signature(fn, eval_str=True)
    run.__annotations__ = typing.get_type_hints(fn, include_extras=True)
    return run
