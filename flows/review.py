"""The administrator's review in the Prefect UI: one form per held workbook (release, or send back
with a reason), then the status table."""

from __future__ import annotations

from prefect import flow

from nianbao.stages.review import held_submissions
from tasks.common import explained, flow_resources, log, report_year, run_name
from tasks.cycle import check_outbox_task, cycle_status_task, send_outbox_task
from tasks.artifacts import publish_status
from tasks.decisions import decide
from tasks.params import TimeoutHours, Year, text


@flow(name="review", flow_run_name=run_name("review"), description=text("flow_review"))
@explained
def review_flow(year: Year = None, timeout_hours: TimeoutHours = 24) -> dict[str, int]:
    """Ask, one held workbook after another, whether to release it or send it back."""
    res = flow_resources()
    y = report_year(res, year)
    held = held_submissions(res, y)
    if not held:
        log().info("%s年度没有待核实的报送", y)
    done: dict[str, int] = {}
    for h in held:
        decision = decide(res, h, timeout_hours)
        done[decision] = done.get(decision, 0) + 1
    send_outbox_task(res)
    publish_status(cycle_status_task(res, y))
    check_outbox_task(res)
    return done
