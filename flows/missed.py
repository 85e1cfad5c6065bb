"""Runs that fell due while no `nianbao serve` was running. Serve pauses nothing on exit, so the server's
scheduler goes on making runs; the next serve would start every one of them at once (a weekend of
quarter-hourly intakes is a hundred processes). Each flow acts on the day it runs, not on the time it was
scheduled for, so one run catches up: per deployment the newest missed run is kept, the older ones are
cancelled with a Chinese state message saying why. Only runs the scheduler made are touched: a run an
administrator started by hand still runs."""

from __future__ import annotations

from nianbao.cityconfig import CityConfig

PAGE = 200


def cancel_missed(cfg: CityConfig, deployment_ids: dict[str, object]) -> dict[str, int]:
    """Deployment name → how many missed runs were cancelled (only names with some)."""
    import pendulum
    from prefect import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter, FlowRunFilterDeploymentId, FlowRunFilterExpectedStartTime, FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.client.schemas.sorting import FlowRunSort
    from prefect.states import Cancelled

    now = pendulum.now("UTC")
    out: dict[str, int] = {}
    with get_client(sync_client=True) as client:
        for name, deployment_id in deployment_ids.items():
            due = FlowRunFilter(deployment_id=FlowRunFilterDeploymentId(any_=[deployment_id]),
                                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.SCHEDULED])),
                                expected_start_time=FlowRunFilterExpectedStartTime(before_=now))
            runs: list = []
            while True:  # every page first: cancelling shifts the pages
                page = client.read_flow_runs(flow_run_filter=due, sort=FlowRunSort.EXPECTED_START_TIME_ASC,
                                             limit=PAGE, offset=len(runs))
                runs += page
                if len(page) < PAGE:
                    break
            missed = [r for r in runs if r.auto_scheduled]
            def at(run) -> str:
                return pendulum.instance(run.expected_start_time).in_timezone(cfg.timezone).format("YYYY-MM-DD HH:mm")

            for run in missed[:-1]:
                client.set_flow_run_state(run.id, Cancelled(message=cfg.text(
                    "serve_missed_run", when=at(run), kept=at(missed[-1]))), force=True)
            if len(missed) > 1:
                out[name] = len(missed) - 1
    return out
