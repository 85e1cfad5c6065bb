"""Queries the stages share. Each takes the caller's session: the caller owns the unit of work."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

import pendulum
from sqlalchemy import select
from sqlalchemy.orm import Session

from nianbao.cityconfig import CityConfig
from nianbao.db.models import Cycle, Narrative, Submission, Unit, Value
from nianbao.errors import UnknownYearError


def sync_units(session: Session, config: CityConfig) -> None:
    """Make the unit table match config/units.yaml; units no longer configured become inactive."""
    existing = {u.code: u for u in session.scalars(select(Unit))}
    for u in config.units:
        row = existing.pop(u.code, None) or Unit(code=u.code)
        row.name, row.kind, row.parent_code = u.name, u.kind, u.parent
        row.contacts, row.leaders, row.active = list(u.contacts), list(u.leaders), u.reports
        session.add(row)
    for row in existing.values():
        row.active = False


def find_cycle(session: Session, year: int) -> Cycle | None:
    return session.scalar(select(Cycle).where(Cycle.year == year))


def get_cycle(session: Session, year: int) -> Cycle:
    cycle = find_cycle(session, year)
    if cycle is None:
        raise UnknownYearError(year)
    return cycle


def ensure_cycle(session: Session, config: CityConfig, year: int, now: pendulum.DateTime) -> Cycle:
    """The cycle row for ``year``, created on first call; the expected units are fixed then."""
    sync_units(session, config)
    cycle = session.scalar(select(Cycle).where(Cycle.year == year))
    if cycle is None:
        cycle = Cycle(year=year, opened_at=now, expected_units=[u.code for u in config.reporting_units])
        session.add(cycle)
        session.flush()
    return cycle


def expected_codes(config: CityConfig, cycle: Cycle) -> list[str]:
    """Units expected for the cycle: those expected at opening that are still configured to report,
    plus units added since (so a unit removed mid-cycle never counts, and rates stay ≤ 100%)."""
    now_reporting = [u.code for u in config.reporting_units]
    at_opening = set(cycle.expected_units)
    return [c for c in now_reporting if c in at_opening] + [c for c in now_reporting if c not in at_opening]


@dataclass(frozen=True)
class AcceptedData:
    submission: Submission
    values: dict[str, float]
    na: frozenset[str]
    narratives: tuple[tuple[str, str, str], ...]


def accepted(session: Session, year: int, unit_code: str | None = None) -> dict[str, AcceptedData]:
    """Each unit's (or one unit's) current accepted submission for ``year`` with its values."""
    cycle = find_cycle(session, year)
    if cycle is None:
        return {}
    q = select(Submission).where(Submission.cycle_id == cycle.id, Submission.status == "accepted")
    if unit_code is not None:
        q = q.where(Submission.unit_code == unit_code)
    subs = {s.id: s for s in session.scalars(q)}
    values: dict[int, dict[str, float]] = {sid: {} for sid in subs}
    nas: dict[int, set[str]] = {sid: set() for sid in subs}
    if subs:
        # Plain rows, not ORM objects: a province has hundreds of thousands of values.
        rows = session.execute(select(Value.submission_id, Value.indicator_code, Value.value, Value.na)
                               .where(Value.submission_id.in_(subs)))
        for sid, code, value, na in rows:
            if na:
                nas[sid].add(code)
            elif value is not None:
                values[sid][code] = value
    texts: dict[int, list[tuple[str, str, str]]] = {sid: [] for sid in subs}
    if subs:
        for n in session.scalars(select(Narrative).where(Narrative.submission_id.in_(subs))
                                 .order_by(Narrative.id)):
            texts[n.submission_id].append((n.section, n.kind, n.text))
    return {
        s.unit_code: AcceptedData(s, values[sid], frozenset(nas[sid]), tuple(texts[sid]))
        for sid, s in subs.items() if s.unit_code
    }


class SubmissionRow(NamedTuple):
    id: int
    unit_code: str | None
    status: str
    received_at: pendulum.DateTime


def submission_rows(session: Session, cycle_id: int) -> list[SubmissionRow]:
    """Every submission of the cycle as plain rows, oldest first (a province has thousands: no ORM objects)."""
    rows = session.connection().execute(
        select(Submission.id, Submission.unit_code, Submission.status, Submission.received_at)
        .where(Submission.cycle_id == cycle_id).order_by(Submission.received_at, Submission.id)).all()
    return [SubmissionRow(*r) for r in rows]


def current_submissions(session: Session, cycle_id: int) -> dict[str, int]:
    """Unit code → id of its current accepted submission."""
    return dict(session.execute(select(Submission.unit_code, Submission.id).where(
        Submission.cycle_id == cycle_id, Submission.status == "accepted", Submission.unit_code.is_not(None))).all())


def narratives_of(session: Session, cycle_id: int) -> dict[str, tuple[tuple[str, str, str], ...]]:
    """Unit code → (section, highlight/problem, text) of its current accepted submission, in order."""
    rows = session.execute(
        select(Submission.unit_code, Narrative.section, Narrative.kind, Narrative.text)
        .join(Submission, Submission.id == Narrative.submission_id)
        .where(Submission.cycle_id == cycle_id, Submission.status == "accepted").order_by(Narrative.id))
    out: dict[str, list[tuple[str, str, str]]] = {}
    for unit, *text in rows:
        out.setdefault(unit, []).append(tuple(text))
    return {u: tuple(t) for u, t in out.items()}


def values_by_unit(session: Session, year: int, unit_codes: Iterable[str]) -> dict[str, dict[str, float | None]]:
    """Each listed unit's current accepted values for ``year`` (None marks 不涉及), in one query."""
    rows = session.execute(
        select(Submission.unit_code, Value.indicator_code, Value.value, Value.na)
        .join(Value, Value.submission_id == Submission.id).join(Cycle, Cycle.id == Submission.cycle_id)
        .where(Cycle.year == year, Submission.status == "accepted", Submission.unit_code.in_(list(unit_codes))))
    out: dict[str, dict[str, float | None]] = {}
    for code, ind, value, na in rows:
        if na or value is not None:
            out.setdefault(code, {})[ind] = None if na else value
    return out


def last_year_values(data: AcceptedData | None) -> dict[str, float | None]:
    """Values to prefill as 上年数值: None marks 不涉及."""
    if data is None:
        return {}
    return {**data.values, **{c: None for c in data.na}}


def submissions_of(session: Session, cycle: Cycle, statuses: Iterable[str] | None = None) -> list[Submission]:
    q = select(Submission).where(Submission.cycle_id == cycle.id).order_by(Submission.received_at)
    if statuses is not None:
        q = q.where(Submission.status.in_(list(statuses)))
    return list(session.scalars(q))
