"""What every flow needs before its first task: resources and the report year."""

from __future__ import annotations

from nianbao.clock import FixedClock, parse_day
from nianbao.resources import Resources, make_resources


def flow_resources(today: str | None = None) -> Resources:
    """Resources for a flow run; ``today`` (YYYY-MM-DD) pins the clock, e.g. to replay a missed day."""
    return make_resources(clock=FixedClock(parse_day(today)) if today else None)


def report_year(res: Resources, year: int | None) -> int:
    """The report year defaults to last year: the 2026 cycle runs in January–February 2027."""
    return year if year is not None else res.clock.now().year - 1
