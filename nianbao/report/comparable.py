"""Year on year, like for like: a change is computed over the units that reported the figure in both
years, never over whoever happened to report each year (two units that stop reporting would otherwise
read as a fall). A city has every unit's figures in memory; a province's sums over the common units
come from the database (`db.tallies.comparable_sums`)."""

from __future__ import annotations

from dataclasses import dataclass

from nianbao.cityconfig import Indicator
from nianbao.report.tally import COMBINE, Tally, ratio


@dataclass(frozen=True)
class Comparable:
    now: float | None
    before: float | None
    units: int  # units in both years

    def change_pct(self) -> float | None:
        if self.now is None or not self.before:
            return None
        return (self.now - self.before) / self.before * 100

    def change_pp(self) -> float | None:
        return None if self.now is None or self.before is None else self.now - self.before


def comparable(ind: Indicator, now: Tally, before: Tally, sums: dict[str, Comparable] | None = None) -> Comparable | None:
    """The figure over the units behind it in both years; None when last year is unknown."""
    if ind.derived:
        if now.parts is None or before.parts is None:
            return None
        common = [u for u in now.parts if u in before.parts]
        num_now = sum(now.parts[u][0] for u in common)
        den_now = sum(now.parts[u][1] for u in common)
        num_before = sum(before.parts[u][0] for u in common)
        den_before = sum(before.parts[u][1] for u in common)
        return Comparable(ratio(ind, num_now, den_now), ratio(ind, num_before, den_before), len(common))
    if now.by_unit is not None and before.by_unit is not None:
        common = [u for u, v in now.by_unit.items() if v is not None and before.by_unit.get(u) is not None]
        if not common:
            return Comparable(None, None, 0)
        combine = COMBINE[ind.aggregate]
        return Comparable(combine(now.by_unit[u] for u in common), combine(before.by_unit[u] for u in common),
                          len(common))
    return (sums or {}).get(ind.code)
