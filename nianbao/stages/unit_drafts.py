"""Each reporting unit's own annual report draft, made once for each accepted workbook (a correction
makes a new one), written under outputs/<year>/units/ and mailed to the unit's contacts for reference.
The intake flow runs it after the receipts, so a clerk gets both from the same run."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from nianbao.db.models import Cycle, Submission, UnitDraft
from nianbao.db.session import unit_of_work
from nianbao.errors import CannotWrite
from nianbao.intake.undelivered import reachable
from nianbao.mail.message import compose
from nianbao.mail.outbox import enqueue
from nianbao.report.aggregate import aggregate
from nianbao.report.pdf import pdf_versions
from nianbao.report.unit_draft import medians, render_unit_draft
from nianbao.resources import Resources
from nianbao.stages.draft import DOCX, unit_reports
from nianbao.texts import fmt_day, fmt_time, render_mail


@dataclass
class UnitDraftsReport:
    made: list[tuple[str, Path]] = field(default_factory=list)  # (unit name, .docx)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (unit name, why)
    pdfs: list[Path] = field(default_factory=list)  # beside the .docx made (none where LibreOffice is missing)


def pending(res: Resources, year: int | None = None) -> dict[int, dict[str, int]]:
    """Year → unit code → accepted submission that has no draft yet, in ``year``'s cycle or else the
    newest cycle still open (an old year's units are never mailed unasked)."""
    rules = res.config.report.unit_drafts
    kinds = set(rules.kinds) if rules else set()
    q = (select(Cycle.year, Submission.unit_code, Submission.id)
         .join(Cycle, Cycle.id == Submission.cycle_id)
         .outerjoin(UnitDraft, UnitDraft.submission_id == Submission.id)
         .where(Submission.status == "accepted", UnitDraft.id.is_(None)))
    out: dict[int, dict[str, int]] = {}
    with unit_of_work(res.db) as s:
        if year is None:  # the running cycle; asked for a year, a closed one is drafted too
            year = s.scalar(select(func.max(Cycle.year)))
            q = q.where(Cycle.closed_at.is_(None))
        q = q.where(Cycle.year == year)
        for y, code, sid in s.execute(q):
            unit = res.config.unit_or_none(code) if code else None
            if unit is not None and unit.kind in kinds:
                out.setdefault(y, {})[code] = sid
    return out


def make_unit_drafts(res: Resources, year: int | None = None) -> UnitDraftsReport:
    """Draft every accepted unit that has none for its current workbook; one unit's failure is its own."""
    report = UnitDraftsReport()
    for y, todo in sorted(pending(res, year).items()):
        current, previous = unit_reports(res, y)
        city = aggregate(res.config, y, current, previous)
        city_medians = medians(res.config, city)
        before = {r.unit.code: r for r in previous}
        for unit in current:
            if unit.submission_id is None or todo.get(unit.unit.code) != unit.submission_id:
                continue  # not pending, or superseded meanwhile
            try:
                path = _draft_one(res, city, unit, before.get(unit.unit.code), city_medians)
            except IntegrityError:  # another intake worker drafted the same workbook a moment ago
                continue
            except CannotWrite:  # a full disk is every unit's problem: the run stops and fails
                raise
            except Exception as exc:  # noqa: BLE001 - one unit's draft failing must not stop the others
                report.failed.append((unit.unit.name, f"{type(exc).__name__}: {exc}"))
                continue
            report.made.append((unit.unit.name, path))
    if report.made and res.config.report.unit_drafts.pdf:  # every draft of the run in one LibreOffice run
        pdfs = pdf_versions({p.name: p.read_bytes() for _, p in report.made}, config_dir=res.settings.config_dir)
        report.pdfs = [res.outputs.write(p.relative_to(res.outputs.local_root).with_suffix(".pdf").as_posix(),
                                         pdfs[p.name]) for _, p in report.made if p.name in pdfs]
    return report


def _draft_one(res: Resources, city, unit, previous, city_medians) -> Path:
    cfg, now = res.config, res.clock.now()
    received = fmt_time(unit.received_at, cfg.timezone) if unit.received_at else ""
    late_on = fmt_day(unit.received_at.in_timezone(cfg.timezone)) if unit.received_at and unit.status == "late" else ""
    doc = render_unit_draft(cfg, res.settings.templates_dir, unit, previous, city, generated_at=now,
                            received=late_on, city_medians=city_medians)  # prose names the day, not the minute
    folder = f"{city.year}/units"
    paths = {"docx": res.outputs.write(f"{folder}/{doc.title}（初稿）.docx", doc.docx),
             "md": res.outputs.write(f"{folder}/{doc.title}（初稿）.md", doc.markdown.encode("utf-8")),
             "notes": res.outputs.write(f"{folder}/{doc.title}（初稿）-审阅说明.txt", doc.review_notes.encode("utf-8"))}
    sha, _ = res.store.put(doc.markdown.encode("utf-8"), ".md")
    subject, body = render_mail(res.settings.templates_dir, "unit_draft", city=cfg, unit=unit.unit, year=city.year,
                                title=doc.title, received=received, compared=bool(city_medians))
    with unit_of_work(res.db) as s:
        to = reachable(s, unit.unit)  # not an address whose mail came back
    msg = compose(sender=(cfg.sender_name, cfg.intake_address), to=to, cc=[], subject=subject,
                  text=body, attachments=[(paths["docx"].name, doc.docx, DOCX)], date=now,
                  auto="auto-generated")
    with unit_of_work(res.db) as s:
        cycle_id = s.scalar(select(Submission.cycle_id).where(Submission.id == unit.submission_id))
        s.add(UnitDraft(cycle_id=cycle_id, unit_code=unit.unit.code, submission_id=unit.submission_id,
                        created_at=now, sha256=sha, paths={k: str(v) for k, v in paths.items()}))
        enqueue(s, res.store, key=f"unit-draft/{unit.submission_id}", kind="unit_draft", msg=msg, now=now)
    return paths["docx"]
