"""The enforcement disclosure's task: one stage call. Retried: it only reads the database and rewrites
the same files, so a second attempt after a store or database hiccup does no harm."""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NO_CACHE

from nianbao.resources import Resources
from nianbao.stages.disclose import DisclosureResult, disclose
from tasks.params import text


@task(name="disclose", task_run_name=text("task_disclose"), cache_policy=NO_CACHE, retries=2, retry_delay_seconds=30)
def disclose_task(res: Resources, year: int) -> DisclosureResult:
    return disclose(res, year)
