"""The enforcement disclosure (行政执法数据公开), scheduled from its deadline (see prefect.yaml): the
city's public table and each unit's, and in the run's log and artifact what changed since the last run."""

from __future__ import annotations

from prefect import flow
from prefect.artifacts import create_markdown_artifact

from nianbao.stages.disclose import disclosure_not_due
from tasks.common import explained, flow_resources, log, report_year, run_name
from tasks.disclosure import disclose_task
from tasks.params import Force, Today, Year, text


@flow(name="disclose", flow_run_name=run_name("disclose"), description=text("flow_disclose"))
@explained
def disclose_flow(year: Year = None, today: Today = None, force: Force = False) -> list[str]:
    """Make the disclosure from the accepted data (on working days from the deadline to the season's end)."""
    res = flow_resources(today)
    y = report_year(res, year)
    reason = None if force else disclosure_not_due(res, y)
    if reason:
        log().info(res.config.text("disclosure_skipped", reason=reason))
        return []
    result = disclose_task(res, y)
    lines = [res.config.text("disclosure_city_files", **result.paths), *result.lines]
    for line in lines:
        log().info(line)
    create_markdown_artifact(key=f"disclosure-{y}", markdown="\n".join(f"- {line}" for line in lines),
                             description=result.title)
    return [str(p) for p in result.paths.values()]
