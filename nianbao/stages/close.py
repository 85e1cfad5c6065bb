"""Closing a cycle: from then on its workbooks are refused with a clear answer, and last year's figures
can no longer be rewritten by a late or replayed mail."""

from __future__ import annotations

from dataclasses import dataclass

import pendulum

from nianbao import repo
from nianbao.db.session import unit_of_work
from nianbao.resources import Resources


@dataclass(frozen=True)
class CloseResult:
    year: int
    closed_at: pendulum.DateTime
    already: bool  # closed before this call


def close_cycle(res: Resources, year: int) -> CloseResult:
    with unit_of_work(res.db) as s:
        cycle = repo.get_cycle(s, year)
        if cycle.closed_at is not None:
            return CloseResult(year, cycle.closed_at, True)
        cycle.closed_at = res.clock.now()
        return CloseResult(year, cycle.closed_at, False)
