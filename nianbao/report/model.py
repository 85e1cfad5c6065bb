"""What aggregation starts from: each unit's current accepted figures (plain data, no database)."""

from __future__ import annotations

from dataclasses import dataclass

import pendulum

from nianbao.cityconfig import Unit


@dataclass(frozen=True)
class UnitReport:
    unit: Unit
    status: str  # on_time | late | missing | rejected | held
    submission_id: int | None
    received_at: pendulum.DateTime | None
    values: dict[str, float]
    na: frozenset[str]
    narratives: tuple[tuple[str, str, str], ...] = ()
    sender: str = ""  # who sent the current workbook (the appendix's 数据来源)
