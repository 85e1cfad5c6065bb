"""Prepared workbooks → submission rows, a whole batch at a time: a few queries for what the batch needs
(cycles, last year's values, the current accepted rows), the checks in memory, then bulk inserts.

The decisions (which cycle, which status, what the clerk is told) read as rules in `decide`; the
writes are in `write`. A batch of one is the same code path as a batch of a thousand."""

from __future__ import annotations

from dataclasses import dataclass, field

import pendulum
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from nianbao import repo
from nianbao.cityconfig import CityConfig, Unit
from nianbao.db.bulk import insert_rows
from nianbao.db.models import Cycle, Narrative, Submission, TaskAnswerRow, Value
from nianbao.intake.prepare import PreparedMail, PreparedWorkbook
from nianbao.texts import fmt_day, fmt_time
from nianbao.workbook.checks import CheckResult, Finding, check_values, check_yoy


VALUE_COLUMNS = ("submission_id", "indicator_code", "value", "na", "note")
TASK_COLUMNS = ("submission_id", "task_id", "role", "status", "measures", "documents", "reason")


@dataclass
class Outcome:
    filename: str
    status: str  # accepted | rejected | held | superseded (not current: a later version is) | unchanged (the
    # same bytes as the unit's current version: nothing stored, the current one's number given back)
    superseded_by: str | None = None  # Chinese: what replaced it, or why it did not replace the current one
    unit: Unit | None = None
    year: int | None = None
    reasons: list[str] = field(default_factory=list)  # Chinese, one per problem, each with what to do
    warnings: list[str] = field(default_factory=list)  # Chinese flags kept with the workbook
    confirmed: list[Finding] = field(default_factory=list)  # warnings the clerk confirmed with 上报说明
    check: CheckResult | None = None
    submission_id: int | None = None


@dataclass
class Job:
    """One workbook to store: what was read, who sent it and when, and (once decided) its outcome."""

    book: PreparedWorkbook
    sender: str | None
    received_at: pendulum.DateTime  # by the bureau: versions of a unit are ordered by it
    message_pk: int | None = None
    outcome: Outcome = field(init=False)
    cycle_id: int | None = field(init=False, default=None)


def known_contacts(config: CityConfig) -> frozenset[str]:
    """Every unit's contact addresses, lowercased."""
    return frozenset(c.lower() for u in config.units for c in u.contacts)


def kept_workbooks(mail: PreparedMail, contacts: frozenset[str]) -> list[PreparedWorkbook]:
    """The workbooks of a mail that become submissions. A mail no person wrote (a bounce returning our
    invitation with its template, a newsletter's spreadsheet) gives none: it is archived and counted,
    never held for an administrator, unless it comes from a unit's contact (a clerk's mail system that
    marks every mail as bulk still delivers a real workbook)."""
    if mail.kind.automatic and mail.parsed.sender not in contacts:
        return []
    return mail.workbooks


def store_workbooks(s: Session, config: CityConfig, jobs: list[Job]) -> list[Outcome]:
    """Decide and store every job inside the caller's transaction."""
    decide(s, config, jobs)
    write(s, config, jobs)
    return [j.outcome for j in jobs]


def _first_outcome(b: PreparedWorkbook, year: int | None) -> Outcome:
    if b.raw is None:
        return Outcome(b.filename, "rejected", reasons=[b.error or ""])
    return Outcome(b.filename, "held" if b.held_reason else "accepted", unit=b.unit, year=year,
                   reasons=[b.held_reason] if b.held_reason else [], warnings=list(b.flags))


def decide(s: Session, config: CityConfig, jobs: list[Job]) -> None:
    """Each job's cycle and status: its year's cycle must be the newest one and still open; its values
    must pass the checks; and a workbook byte-identical to a version of that unit that was already
    replaced (an old mail delivered again) is held, never made current."""
    cycles = {c.year: c for c in s.scalars(select(Cycle))}
    newest = cycles[max(cycles)] if cycles else None
    for j in jobs:
        b = j.book
        j.outcome = _first_outcome(b, b.raw.identity.year if b.raw and b.raw.identity else
                                   (newest.year if newest else None))
    wanted: dict[int, set[str]] = {}
    for j in jobs:
        if j.book.raw is not None and j.outcome.unit is not None and j.outcome.year:
            wanted.setdefault(j.outcome.year - 1, set()).add(j.outcome.unit.code)
    last = {y: repo.values_by_unit(s, y, codes) for y, codes in wanted.items()}
    for j in jobs:
        out = j.outcome
        if j.book.raw is not None and out.unit is not None:
            previous = last.get((out.year or 0) - 1, {}).get(out.unit.code, {})
            checked = j.book.check if j.book.check is not None and j.book.unit == out.unit else \
                check_values(config, out.unit, j.book.raw)
            out.check = check_yoy(config, out.unit, j.book.raw, checked, previous)
            out.confirmed = list(out.check.confirmed)
            out.warnings += [f.message for f in out.check.notices]
            if not out.check.accepted:
                out.status = "rejected" if not j.book.held_reason else "held"
                out.reasons += [f.message for f in out.check.errors + out.check.warnings]
        cycle = _cycle_for(config, out, cycles, newest)
        j.cycle_id = cycle.id if cycle else None
    _same_as_current(s, jobs)
    _hold_old_versions(s, config, jobs)


def _cycle_for(config: CityConfig, out: Outcome, cycles: dict[int, Cycle], newest: Cycle | None) -> Cycle | None:
    """Only the newest cycle takes submissions, and only until it is closed; a refused file is still
    recorded (under its own year's cycle when there is one) so the administrator sees it."""
    cycle = cycles.get(out.year) if out.year else newest
    reason = None
    if cycle is None and newest is None:
        reason = config.text("cycle_none")  # nothing open at all: the file stays archived, nothing recorded
    elif cycle is None:
        cycle, reason = newest, config.text("cycle_not_open", year=out.year)
    elif cycle is not newest:
        reason = config.text("cycle_old_template", year=cycle.year, current=newest.year)
    elif cycle.closed_at is not None:
        reason = config.text("cycle_closed", year=cycle.year, closed=fmt_day(cycle.closed_at.in_timezone(config.timezone)),
                             bureau=config.bureau)
    if reason is not None:
        out.status = "rejected"
        out.reasons.append(reason)
    return cycle


def _same_as_current(s: Session, jobs: list[Job]) -> None:
    """A workbook byte for byte the unit's current version (a clerk sending the same file again): not a
    new version, not a review item; the clerk is told it is already the current one."""
    candidates = [j for j in jobs if j.outcome.status in ("accepted", "held") and j.cycle_id is not None
                  and j.outcome.unit is not None]
    if not candidates:
        return
    current = _stored_versions(s, candidates, "accepted")
    for j in candidates:
        sid = current.get((j.cycle_id, j.outcome.unit.code, j.book.sha256))
        if sid is not None:
            out = j.outcome
            out.status, out.submission_id, out.reasons, out.warnings, out.confirmed = "unchanged", sid, [], [], []


def _stored_versions(s: Session, jobs: list[Job], status: str) -> dict[tuple[int, str, str], int]:
    """(cycle, unit, sha256) → id of the stored submission in ``status`` with the same bytes as a job's."""
    return {(c, u, sha): sid for sid, c, u, sha in s.execute(
        select(Submission.id, Submission.cycle_id, Submission.unit_code, Submission.sha256).where(
            Submission.status == status, Submission.sha256.in_({j.book.sha256 for j in jobs}),
            Submission.unit_code.in_({j.outcome.unit.code for j in jobs})))}


def _hold_old_versions(s: Session, config: CityConfig, jobs: list[Job]) -> None:
    candidates = [j for j in jobs if j.outcome.status == "accepted" and j.cycle_id is not None]
    if not candidates:
        return
    old = _stored_versions(s, candidates, "superseded")
    for j in candidates:
        sid = old.get((j.cycle_id, j.outcome.unit.code, j.book.sha256))
        if sid is not None:
            j.outcome.status = "held"
            j.outcome.reasons.append(config.text("held_old_version_again", sid=sid))


def write(s: Session, config: CityConfig, jobs: list[Job]) -> None:
    """Insert the batch's submissions. Per (cycle, unit), the accepted versions are ordered by when the
    bureau received them: the latest becomes current, unless the stored current one was received later
    still (then this batch's are stale); each version links to the one it replaced."""
    todo = [j for j in jobs if j.cycle_id is not None and j.outcome.status != "unchanged"]
    if not todo:
        return
    versions: dict[tuple[int, str], list[tuple[pendulum.DateTime, int, Job]]] = {}
    for n, j in enumerate(todo):
        if j.outcome.status == "accepted" and j.outcome.unit is not None:
            versions.setdefault((j.cycle_id, j.outcome.unit.code), []).append((j.received_at, n, j))
    current = _lock_current(s, versions)
    chains: dict[tuple[int, str], list[Job]] = {}
    for key, found in versions.items():
        found.sort(key=lambda v: (v[0], v[1]))
        cur = current.get(key)
        chain = [j for at, _, j in found if cur is None or at >= cur[1]]
        for at, _, j in found:
            if j not in chain:  # older than what is stored: never replaces a correction
                j.outcome.status = "superseded"
                j.outcome.superseded_by = config.text("stale_submission", sid=cur[0],
                                                      received=fmt_time(cur[1], config.timezone))
        for older, newer in zip(chain, chain[1:]):
            older.outcome.status = "superseded"
            older.outcome.superseded_by = (config.text("superseded_in_mail", other=newer.outcome.filename)
                                           if older.message_pk == newer.message_pk and older.message_pk is not None
                                           else config.text("superseded_later"))
        if chain:
            chains[key] = chain
    replaced = [current[k][0] for k in chains if k in current]
    if replaced:
        s.execute(update(Submission).where(Submission.id.in_(replaced)).values(status="superseded"))
    ids = s.scalars(insert(Submission).returning(Submission.id, sort_by_parameter_order=True),
                    [_row(j) for j in todo]).all()
    for j, sid in zip(todo, ids):
        j.outcome.submission_id = sid
    for key, chain in chains.items():
        previous = current[key][0] if key in current else None
        for j in chain:
            if previous is not None:
                s.execute(update(Submission).where(Submission.id == j.outcome.submission_id)
                          .values(supersedes_id=previous))
            previous = j.outcome.submission_id
    _write_values(s, todo)


def _lock_current(s: Session, versions: dict) -> dict[tuple[int, str], tuple[int, pendulum.DateTime]]:
    """The stored current version per (cycle, unit), row-locked: a concurrent worker waits for this
    transaction, then finds them superseded."""
    current = {}
    for cycle_id in {c for c, _ in versions}:
        codes = [u for c, u in versions if c == cycle_id]
        for sid, code, at in s.execute(select(Submission.id, Submission.unit_code, Submission.received_at).where(
                Submission.cycle_id == cycle_id, Submission.unit_code.in_(codes),
                Submission.status == "accepted").with_for_update()):
            current[(cycle_id, code)] = (sid, at)
    return current


def _row(j: Job) -> dict:
    out, raw = j.outcome, j.book.raw
    return dict(cycle_id=j.cycle_id, unit_code=out.unit.code if out.unit else None, message_pk=j.message_pk,
                filename=out.filename, sha256=j.book.sha256, sender=j.sender or "", received_at=j.received_at,
                status=out.status, errors=out.reasons + ([out.superseded_by] if out.superseded_by else []),
                warnings=out.warnings + [f.what for f in out.confirmed],
                template_version=raw.identity.version if raw and raw.identity and raw.identity.signature_valid else None,
                supersedes_id=None)


def _write_values(s: Session, todo: list[Job]) -> None:
    values, texts, answers = [], [], []
    for j in todo:
        out, raw = j.outcome, j.book.raw
        notes = raw.notes if raw else {}
        sid = out.submission_id
        if out.check is not None:
            values += [(sid, c, v, False, notes.get(c)) for c, v in out.check.values.items()]
            values += [(sid, c, None, True, notes.get(c)) for c in out.check.na]
            answers += [(sid, a.task_id, a.role, a.status, a.measures, "\n".join(a.documents), a.reason)
                        for a in out.check.answers]
        if raw is not None:
            texts += [(sid, sec, kind, text) for sec, kind, text in raw.narratives]
    insert_rows(s, Value.__table__, VALUE_COLUMNS, values)
    insert_rows(s, Narrative.__table__, ("submission_id", "section", "kind", "text"), texts)
    insert_rows(s, TaskAnswerRow.__table__, TASK_COLUMNS, answers)
