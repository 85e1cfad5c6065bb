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
from nianbao.db.models import Cycle, Narrative, Submission, Value
from nianbao.intake.prepare import PreparedWorkbook
from nianbao.workbook.checks import CheckResult, check_workbook


VALUE_COLUMNS = ("submission_id", "indicator_code", "value", "na", "note")


@dataclass
class Outcome:
    filename: str
    status: str  # accepted | rejected | held | superseded (a later file of the same batch replaced it)
    superseded_by: str | None = None  # the file that replaced it
    unit: Unit | None = None
    year: int | None = None
    reasons: list[str] = field(default_factory=list)  # Chinese, one per problem
    warnings: list[str] = field(default_factory=list)  # confirmed warnings and flags, Chinese
    check: CheckResult | None = None
    submission_id: int | None = None


@dataclass
class Job:
    """One workbook to store: what was read, who sent it and when, and (once decided) its outcome."""

    book: PreparedWorkbook
    sender: str | None
    received_at: pendulum.DateTime
    message_pk: int | None = None
    outcome: Outcome = field(init=False)
    cycle_id: int | None = field(init=False, default=None)


def store_workbooks(s: Session, config: CityConfig, jobs: list[Job]) -> list[Outcome]:
    """Decide and store every job inside the caller's transaction, in order (a later file from the same
    unit supersedes an earlier one)."""
    decide(s, config, jobs)
    write(s, jobs)
    return [j.outcome for j in jobs]


def decide(s: Session, config: CityConfig, jobs: list[Job]) -> None:
    cycles = {c.year: c for c in s.scalars(select(Cycle))}
    latest = cycles[max(cycles)] if cycles else None
    for j in jobs:
        b = j.book
        year = b.raw.identity.year if b.raw and b.raw.identity else (latest.year if latest else None)
        if b.raw is None:
            j.outcome = Outcome(b.filename, "rejected", reasons=[b.error or ""])
        else:
            j.outcome = Outcome(b.filename, "held" if b.held_reason else "accepted", unit=b.unit, year=year,
                                reasons=[b.held_reason] if b.held_reason else [], warnings=list(b.flags))
    wanted: dict[int, set[str]] = {}
    for j in jobs:
        if j.book.raw is not None and j.outcome.unit is not None and j.outcome.year:
            wanted.setdefault(j.outcome.year - 1, set()).add(j.outcome.unit.code)
    last = {y: repo.values_by_unit(s, y, codes) for y, codes in wanted.items()}
    for j in jobs:
        out = j.outcome
        if j.book.raw is not None and out.unit is not None:
            previous = last.get((out.year or 0) - 1, {}).get(out.unit.code, {})
            out.check = check_workbook(config, out.unit, j.book.raw, previous)
            out.warnings += [f.message for f in out.check.confirmed]
            if not out.check.accepted:
                out.status = "rejected" if not j.book.held_reason else "held"
                out.reasons += [f.message for f in out.check.errors + out.check.warnings]
        cycle = cycles.get(out.year) if out.year else None
        if cycle is None:
            cycle = latest
            if out.year is not None and out.status == "accepted":
                out.status = "rejected"
                out.reasons.append(f"{out.year}年度的填报尚未开启,请使用本年度下发的模板")
        if cycle is None:  # nothing open at all: the file stays archived, nothing more is recorded
            out.status = "rejected"
            out.reasons.append("目前没有开启的填报周期,请等待下发通知后再报送")
        j.cycle_id = cycle.id if cycle else None


def write(s: Session, jobs: list[Job]) -> None:
    todo = [j for j in jobs if j.cycle_id is not None]
    current: dict[tuple[int, str], Job] = {}  # the batch's last accepted file per (cycle, unit)
    for j in todo:
        if j.outcome.status == "accepted" and j.outcome.unit is not None:
            current[(j.cycle_id, j.outcome.unit.code)] = j
    # Row locks on the rows being superseded: a concurrent worker waits, then finds them superseded.
    replaced: dict[tuple[int, str], int] = {}
    for cycle_id in {c for c, _ in current}:
        codes = [u for c, u in current if c == cycle_id]
        for sid, code in s.execute(select(Submission.id, Submission.unit_code).where(
                Submission.cycle_id == cycle_id, Submission.unit_code.in_(codes),
                Submission.status == "accepted").with_for_update()):
            replaced[(cycle_id, code)] = sid
    if replaced:
        s.execute(update(Submission).where(Submission.id.in_(list(replaced.values())))
                  .values(status="superseded"))
    before: dict[tuple[int, str], int] = dict(replaced)  # what each accepted file supersedes
    chain: list[tuple[Job, tuple[int, str]]] = []
    rows = []
    for j in todo:
        out, key = j.outcome, (j.cycle_id, j.outcome.unit.code if j.outcome.unit else "")
        if out.status == "accepted":
            chain.append((j, key))
            if current.get(key) is not j:  # an earlier file of this batch, replaced by a later one
                out.status, out.superseded_by = "superseded", current[key].outcome.filename
        status = out.status
        raw = j.book.raw
        rows.append(dict(
            cycle_id=j.cycle_id, unit_code=out.unit.code if out.unit else None, message_pk=j.message_pk,
            filename=out.filename, sha256=j.book.sha256, sender=j.sender or "", received_at=j.received_at,
            status=status, errors=out.reasons, warnings=out.warnings,
            template_version=raw.identity.version if raw and raw.identity and raw.identity.signature_valid else None,
            supersedes_id=None))
    if not rows:
        return
    ids = s.scalars(insert(Submission).returning(Submission.id, sort_by_parameter_order=True), rows).all()
    for j, sid in zip(todo, ids):
        j.outcome.submission_id = sid
    links = []
    for j, key in chain:
        if key in before:
            links.append({"sid": j.outcome.submission_id, "prev": before[key]})
        before[key] = j.outcome.submission_id
    if links:
        for link in links:
            s.execute(update(Submission).where(Submission.id == link["sid"]).values(supersedes_id=link["prev"]))
    values, texts = [], []
    for j in todo:
        out, raw = j.outcome, j.book.raw
        notes = raw.notes if raw else {}
        sid = out.submission_id
        if out.check is not None:
            values += [(sid, c, v, False, notes.get(c)) for c, v in out.check.values.items()]
            values += [(sid, c, None, True, notes.get(c)) for c in out.check.na]
        if raw is not None:
            texts += [(sid, sec, kind, text) for sec, kind, text in raw.narratives]
    insert_rows(s, Value.__table__, VALUE_COLUMNS, values)
    insert_rows(s, Narrative.__table__, ("submission_id", "section", "kind", "text"), texts)

