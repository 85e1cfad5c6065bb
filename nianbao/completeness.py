"""Completeness and timeliness per unit and as rates, after DHIS2's reporting-rate summary (expected,
actual, on time) — but counted only over the units expected for the cycle, so units added or removed
mid-cycle never push a rate over 100%."""

from __future__ import annotations

from dataclasses import dataclass

import pendulum

LABELS = {"on_time": "按时", "late": "逾期", "missing": "未报", "rejected": "退回待改", "held": "待核实"}


@dataclass(frozen=True)
class UnitState:
    unit_code: str
    name: str
    status: str  # on_time | late | missing | rejected | held
    received_at: pendulum.DateTime | None


@dataclass(frozen=True)
class Rates:
    expected: int
    actual: int
    on_time: int
    rate: float  # percent
    on_time_rate: float  # percent of expected


def unit_status(first_accepted_at: pendulum.DateTime | None, has_rejected: bool, has_held: bool,
                deadline_end: pendulum.DateTime) -> str:
    """An accepted workbook decides (on time if the first accepted one came before the deadline's end);
    without one, a held workbook outranks a rejected one, which outranks nothing at all."""
    if first_accepted_at is not None:
        return "on_time" if first_accepted_at < deadline_end else "late"
    if has_held:
        return "held"
    return "rejected" if has_rejected else "missing"


def reporting_rates(states: list[UnitState], expected_codes: set[str]) -> Rates:
    counted = [s for s in states if s.unit_code in expected_codes]
    expected = len(expected_codes)
    actual = sum(s.status in ("on_time", "late") for s in counted)
    on_time = sum(s.status == "on_time" for s in counted)
    pct = (lambda n: round(100.0 * n / expected, 2) if expected else 0.0)
    return Rates(expected, actual, on_time, pct(actual), pct(on_time))


def status_label(status: str) -> str:
    return LABELS[status]
