"""Stages 4–6: aggregate the accepted figures, render the draft in every format, mail it to the leaders."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from nianbao import repo
from nianbao.db.models import Draft
from nianbao.db.session import unit_of_work
from nianbao.db.tallies import comparable_sums, tally_cycle
from nianbao.intake.conversation import Conversation, conversation
from nianbao.mail.message import compose
from nianbao.mail.outbox import enqueue
from nianbao.plan import build_plan
from nianbao.report.aggregate import CityAggregate, aggregate, assemble
from nianbao.report.draft import DraftDoc, changed_figures, render_draft, target_context
from nianbao.report.model import UnitReport
from nianbao.report.pdf import pdf_attachment, pdf_versions
from nianbao.report.problems import find_problems
from nianbao.report.tally import tally_reports
from nianbao.resources import Resources
from nianbao.store import write_file
from nianbao.stages.status import states_of, unit_states
from nianbao.stages.tasks import tasks_progress
from nianbao.stages.work import plan_progress
from nianbao.texts import render_mail
from nianbao.workplan.progress import summary

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LINK_SECONDS = 7 * 86400  # the draft's download links in the UI (S3): as long as approval may wait


@dataclass
class DraftResult:
    year: int
    draft_id: int
    paths: dict[str, Path]
    doc: DraftDoc
    agg: CityAggregate
    new: bool  # False when the figures and text are unchanged since the last draft
    shared: dict[str, str] = field(default_factory=dict)  # where other desks open them (a shared store)
    links: dict[str, str] = field(default_factory=dict)  # name → a browser download link (S3: presigned)


def unit_reports(res: Resources, year: int) -> tuple[list[UnitReport], list[UnitReport]]:
    """(this year's, last year's) per-unit inputs for aggregation, read in one unit of work."""
    cfg = res.config
    with unit_of_work(res.db) as s:
        states = unit_states(s, cfg, repo.get_cycle(s, year), build_plan(cfg, year))
        now_data, old_data = repo.accepted(s, year), repo.accepted(s, year - 1)
    current = []
    for st in states:
        d = now_data.get(st.unit_code)
        current.append(UnitReport(
            unit=cfg.unit(st.unit_code), status=st.status, submission_id=d.submission.id if d else None,
            received_at=st.received_at, values=d.values if d else {}, na=d.na if d else frozenset(),
            narratives=d.narratives if d else (), sender=(d.submission.sender or "管理员导入") if d else ""))
    configured = {u.code for u in cfg.units}
    previous = [UnitReport(unit=cfg.unit(code), status="on_time", submission_id=d.submission.id,
                           received_at=None, values=d.values, na=d.na)
                for code, d in old_data.items() if code in configured]
    return current, previous


def city_aggregate(res: Resources, year: int) -> CityAggregate:
    """A city's figures from every unit's values; a province's (more units than report.yaml's
    ``unit_table_max``) summed by the database, with only the per-unit figures the draft ranks by."""
    cfg = res.config
    if len(cfg.reporting_units) <= cfg.report.unit_table_max:
        return aggregate(cfg, year, *unit_reports(res, year))
    with unit_of_work(res.db) as s:
        cycle = repo.get_cycle(s, year)
        rows = repo.submission_rows(s, cycle.id)
        states = states_of(cfg, cycle, build_plan(cfg, year), rows)
        subs = {r.unit_code: r.id for r in rows if r.status == "accepted"}
        now = tally_cycle(s, cfg, cycle.id, [st.unit_code for st in states], current=subs)
        last = repo.find_cycle(s, year - 1)
        before = tally_cycle(s, cfg, last.id, [u.code for u in cfg.units]) if last else tally_reports(cfg, [])
        sums = comparable_sums(s, cfg, cycle.id, last.id) if last else {}
        texts = repo.narratives_of(s, cycle.id)
    units = [UnitReport(unit=cfg.unit(st.unit_code), status=st.status, submission_id=subs.get(st.unit_code),
                        received_at=st.received_at, values={}, na=frozenset(),
                        narratives=texts.get(st.unit_code, ())) for st in states]
    return assemble(cfg, year, units, now, before, sums)


def make_draft(res: Resources, year: int, out_dir: Path | None = None) -> DraftResult:
    cfg, now = res.config, res.clock.now()
    agg = city_aggregate(res, year)
    doc = render_draft(cfg, res.settings.templates_dir, agg, find_problems(cfg, agg), generated_at=now,
                       progress=plan_progress(res, year))
    stem = doc.title
    files = {"md": (f"{stem}.md", doc.markdown.encode("utf-8")), "html": (f"{stem}.html", doc.html.encode("utf-8")),
             "docx": (f"{stem}.docx", doc.docx), "xlsx": (f"{stem}-数据附表.xlsx", doc.appendix_xlsx),
             "notes": (f"{stem}-审阅说明.txt", doc.review_notes.encode("utf-8"))}
    pdf = pdf_versions({f"{stem}.docx": doc.docx}, config_dir=res.settings.config_dir) if cfg.report.pdf else {}
    if pdf:  # for phones; where LibreOffice is missing or fails, a logged note and no PDF
        files["pdf"] = (f"{stem}.pdf", pdf[f"{stem}.docx"])
    if out_dir is not None:  # an administrator's own folder (nianbao draft --out)
        out_dir.mkdir(parents=True, exist_ok=True)
        paths = {k: out_dir / name for k, (name, _) in files.items()}
        for k, (_, data) in files.items():
            write_file(paths[k], data, durable=False)
    else:  # the shared outputs (and this machine's copy)
        paths = {k: res.outputs.write(f"{year}/draft/{name}", data) for k, (name, data) in files.items()}
    shared = {k: res.outputs.location(f"{year}/draft/{name}") for k, (name, _) in files.items()} \
        if out_dir is None and res.outputs.remote else {}
    links = {name: url for name, url in ((name, res.outputs.download_url(f"{year}/draft/{name}", LINK_SECONDS))
                                         for name, _ in files.values()) if url} if out_dir is None else {}
    sha, _ = res.store.put(doc.markdown.encode("utf-8"), ".md")
    with unit_of_work(res.db) as s:
        cycle = repo.get_cycle(s, year)
        last = s.scalar(select(Draft).where(Draft.cycle_id == cycle.id).order_by(Draft.id.desc()))
        if last is not None and last.sha256 == sha:
            last.paths = {k: str(v) for k, v in paths.items()}
            return DraftResult(year, last.id, paths, doc, agg, new=False, shared=shared, links=links)
        row = Draft(cycle_id=cycle.id, created_at=now, sha256=sha, figures=doc.figures,
                    paths={k: str(v) for k, v in paths.items()})
        s.add(row)
        s.flush()
        return DraftResult(year, row.id, paths, doc, agg, new=True, shared=shared, links=links)


def draft_mail(res: Resources, result: DraftResult, before: dict | None, now: dict,
               edits: Sequence[Conversation] = (), tasks: dict | None = None) -> tuple[str, str]:
    """The leaders' mail: coverage, key figures, targets missed, what changed since the last draft, the
    leaders' edited drafts received since it and, with a work plan for the year, how many of its tasks are
    done and which are behind."""
    agg, cfg = result.agg, res.config
    return render_mail(res.settings.templates_dir, "draft", city=cfg, title=result.doc.title, expected=agg.expected,
                       reported=agg.reported, on_time=agg.on_time, first=before is None,
                       changes=changed_figures(cfg, before, now) if before is not None else [],
                       edits=[e for e in edits if e.files], tasks=tasks,
                       **target_context(cfg, agg, find_problems(cfg, agg)))


def deliver_draft(res: Resources, result: DraftResult) -> bool:
    """Queue the draft to the leaders with what changed since the last delivered draft; once per draft."""
    cfg, now = res.config, res.clock.now()
    leaders = [a for u in cfg.units if u.kind == "city" for a in u.leaders] or list(cfg.admin_emails)
    states = tasks_progress(res, result.year, required=False)
    tasks = summary(states) if states else None
    with unit_of_work(res.db) as s:
        cycle = repo.get_cycle(s, result.year)
        row = s.get(Draft, result.draft_id)
        before = s.scalar(select(Draft).where(Draft.cycle_id == cycle.id, Draft.delivered.is_(True),
                                              Draft.id != row.id).order_by(Draft.id.desc()))
        edits = conversation(s, cfg, before.created_at if before else cycle.opened_at, kind="draft", year=result.year)
        subject, body = draft_mail(res, result, before.figures if before else None, row.figures, edits, tasks)
        attachments = [(result.paths["docx"].name, result.doc.docx, DOCX), *pdf_attachment(result.paths),
                       (result.paths["xlsx"].name, result.doc.appendix_xlsx, XLSX)]
        msg = compose(sender=(cfg.sender_name, cfg.intake_address), to=leaders, cc=list(cfg.admin_emails),
                      subject=subject, text=body, attachments=attachments, date=now,
                      auto="auto-generated")
        _, created = enqueue(s, res.store, key=f"draft/{result.year}/{row.sha256}", kind="draft", msg=msg, now=now)
        row.delivered = True
    return created


def approve_and_deliver(res: Resources, year: int, by: str, comment: str = "") -> DraftResult:
    """The administrator approves the newest draft: it goes to the leaders (once), and the cycle is
    closed when report.yaml says the approved draft is the final one."""
    from nianbao.stages.close import close_cycle
    from nianbao.stages.review import approve, latest_draft

    latest_draft(res, year)  # says so in Chinese when there is none yet
    result = make_draft(res, year)  # the same figures give the same draft row; a new one if data changed
    approve(res, result.draft_id, by, comment)
    deliver_draft(res, result)
    if res.config.report.close_on_approval:
        close_cycle(res, year)
    return result
