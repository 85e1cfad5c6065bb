"""The demo: a complete simulated cycle for the sample city, day by day, on the embedded default."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pendulum
from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from nianbao.demo import MailEvent, script, seed_history
from nianbao.demo_tasks import import_demo_plan
from nianbao.mail.inbox import deliver_to_maildir
from nianbao.plan import build_plan
from nianbao.clock import FixedClock
from nianbao.resources import Resources, make_resources
from nianbao.settings import load_settings
from tasks.artifacts import publish_status, publish_tasks
from nianbao.stages.disclose import disclosure_deadline
from nianbao.workdays import WorkCalendar
from tasks.disclosure import disclose_task
from tasks.params import text
from tasks.cycle import (
    cycle_status_task, deliver_draft_task, make_draft_task, open_cycle_task, poll_intake_task,
    remind_task, send_outbox_task, tasks_progress_task, unit_drafts_task,
)


@task(name="simulate-units", task_run_name=text("task_simulate_units"), cache_policy=NO_CACHE)
def simulate_units_task(res: Resources, year: int) -> list[MailEvent]:
    seed_history(res, year - 1)
    return script(res, year, build_plan(res.config, year))


@task(name="import-plan", cache_policy=NO_CACHE)
def import_plan_task(res: Resources, year: int) -> int:
    """The sample work plan (config/demo_plan.txt) as the year's tasks, as `nianbao plan import` does."""
    return import_demo_plan(res.config, year)


@task(name="units-mail-in", task_run_name=text("task_units_mail_in"), cache_policy=NO_CACHE)
def units_mail_in_task(res: Resources, events: list[MailEvent]) -> int:
    for e in events:  # delivered at the simulated moment, as the bureau's mail server would stamp it
        deliver_to_maildir(res.settings.data_dir / "mail" / "inbox", e.raw, at=res.clock.now())
    return len(events)


@flow(name="demo-cycle", log_prints=False, flow_run_name=text("run_demo"), description=text("flow_demo"))
def demo_cycle_flow(year: int, data_dir: str) -> dict:
    """Open → every day: reminders at 09:00, units mail in, intake at 17:00 (receipts and each unit's own
    draft), the enforcement disclosure on its deadline → disclosure again, draft → leaders."""
    res = demo_resources(data_dir)
    plan = build_plan(res.config, year)
    res.clock.set(plan.at(plan.open_day, 8))
    import_plan_task(res, year)
    events = simulate_units_task(res, year)
    open_cycle_task(res, year)
    send_outbox_task(res)
    day, disclosure_day = plan.open_day, disclosure_deadline(res, year, WorkCalendar(res.config.calendar)).effective
    while day <= plan.draft_day:
        res.clock.set(plan.at(day, res.config.calendar.send_hour))
        remind_task(res, year)
        send_outbox_task(res)
        res.clock.set(plan.at(day, 17))
        units_mail_in_task(res, [e for e in events if e.day == day])
        poll_intake_task(res)
        unit_drafts_task(res)
        send_outbox_task(res)
        if day == disclosure_day:
            disclose_task(res, year)
        day += dt.timedelta(days=1)
    res.clock.set(plan.at(plan.draft_day, 18))
    disclosure = disclose_task(res, year)  # again after the late reports: it says what changed
    result = make_draft_task(res, year)
    deliver_draft_task(res, result)
    send_outbox_task(res)
    status = cycle_status_task(res, year)
    publish_status(status)
    tasks = tasks_progress_task(res, year)
    publish_tasks(year, tasks)
    return {"status": status, "draft": result, "events": events, "disclosure": disclosure, "tasks": tasks}


def demo_resources(data_dir: str) -> Resources:
    """A fresh embedded setup under ``data_dir`` (SQLite, Maildir, .eml outbox) with a settable clock, on
    its own copy of the configuration (the demo imports its sample plan there, never into config/)."""
    env = {k: v for k, v in os.environ.items() if k != "NIANBAO_DATABASE_URL"}
    env["NIANBAO_DATA"] = data_dir
    config = Path(data_dir) / "config"
    if not config.exists():
        shutil.copytree(load_settings(env).config_dir, config, ignore=shutil.ignore_patterns("tasks"))
    env["NIANBAO_CONFIG"] = str(config)
    env.setdefault("NIANBAO_HMAC_SECRET", "nianbao-demo")  # the demo's own sample city signs its own workbooks
    return make_resources(load_settings(env), clock=FixedClock(pendulum.now("UTC")), cached=False)


def run_demo(year: int, data_dir: Path) -> int:
    """`nianbao demo`: run the demo flow on a fresh data folder and print where everything is."""
    from nianbao import output

    if data_dir.exists():
        shutil.rmtree(data_dir)  # the demo's own folder only, so every run tells the same story
    data_dir.mkdir(parents=True)
    with quiet_prefect(), output.spinner(f"正在模拟{year}年度完整报送周期（开启→收件→提醒→公开→汇总→起草）…"):
        state = demo_cycle_flow(year, str(data_dir), return_state=True)
        result = state.result()
        wait_until_recorded(state.state_details.flow_run_id)
    output.print_status(output.status_json(result["status"]))
    con = output.say
    con(f"模拟邮件：{len(result['events'])} 封来件；发出的邮件在 {data_dir / 'mail' / 'outbox'}")
    con(f"各单位年度报告初稿：{data_dir / 'outputs' / str(year) / 'units'}")
    con(f"行政执法数据公开：{result['disclosure'].paths['html'].parent}")
    if result["tasks"]:
        from nianbao.workplan.progress import summary

        done = summary(result["tasks"])
        con(f"重点任务：全年 {done['total']} 项，已完成 {done['done']} 项；逐项情况：NIANBAO_DATA={data_dir} "
            f"NIANBAO_CONFIG={data_dir / 'config'} nianbao tasks --year {year}")
    output.print_draft(result["draft"])
    return 0


def wait_until_recorded(flow_run_id, patience: float = 30.0) -> None:
    """The embedded server records task runs a little after they finish; stopping it earlier (at exit)
    drops those records with a traceback. Wait until every task run of the flow is recorded as final."""
    import time

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    deadline, last, steady_since = time.monotonic() + patience, -1, time.monotonic()
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            runs, page = [], None
            while page is None or len(page) == 200:  # the API serves at most 200 a call
                page = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])),
                                             limit=200, offset=len(runs))
                runs += page
            done = all(r.state is not None and r.state.is_final() for r in runs)
            if len(runs) != last or not done:
                last, steady_since = len(runs), time.monotonic()
            elif time.monotonic() - steady_since > 1.0:
                return
            time.sleep(0.3)


@contextmanager
def quiet_prefect() -> Iterator[None]:
    """No heartbeat wait at exit, warnings only (the demo prints its own summary)."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, PREFECT_LOGGING_LEVEL, temporary_settings

    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None, PREFECT_LOGGING_LEVEL: "WARNING"}):
        yield
