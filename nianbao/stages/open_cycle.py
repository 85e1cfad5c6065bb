"""Stage 1, open the cycle: one prefilled workbook per unit, mailed with the deadlines.

Re-running is safe: the cycle row is created once and each invitation is queued under a stable key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from nianbao import repo
from nianbao.cityconfig import Unit
from nianbao.db.session import unit_of_work
from nianbao.mail.message import compose
from nianbao.mail.outbox import enqueue
from nianbao.plan import build_plan
from nianbao.resources import Resources
from nianbao.store import write_file
from nianbao.texts import fmt_day, render_mail
from nianbao.workbook.template import build_template, template_filename

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class OpenResult:
    year: int
    invited: list[str] = field(default_factory=list)  # unit codes newly invited
    already: list[str] = field(default_factory=list)  # invited by an earlier run
    files: list[Path] = field(default_factory=list)


def unit_template(res: Resources, unit: Unit, year: int, last: dict[str, float | None]) -> tuple[str, bytes]:
    return template_filename(res.config, unit, year), build_template(res.config, unit, year, last, res.hmac_key)


def write_templates(res: Resources, year: int, out_dir: Path,
                    progress: Callable[[], None] | None = None) -> list[Path]:
    """Write every unit's workbook to ``out_dir`` (for `nianbao templates`), prefilled from last year."""
    res.hmac_key  # noqa: B018 - no signing key, no templates: fail before writing anything
    out_dir.mkdir(parents=True, exist_ok=True)
    with unit_of_work(res.db) as s:
        previous = repo.accepted(s, year - 1)
    paths = []
    for unit in res.config.reporting_units:
        name, data = unit_template(res, unit, year, repo.last_year_values(previous.get(unit.code)))
        path = out_dir / name
        write_file(path, data, durable=False)
        paths.append(path)
        if progress:
            progress()
    return paths


@dataclass(frozen=True)
class Invitation:
    unit: Unit
    filename: str
    deadlines: list[tuple[str, str]]  # (name, effective day in Chinese)


def invitations(res: Resources, year: int) -> list[Invitation]:
    """Who `open` would mail, with what (for --dry-run): nothing is created or queued."""
    plan = build_plan(res.config, year)
    deadlines = [(d.name, fmt_day(d.effective)) for d in plan.deadlines]
    return [Invitation(u, template_filename(res.config, u, year), deadlines) for u in res.config.reporting_units]


def open_cycle(res: Resources, year: int, progress: Callable[[], None] | None = None) -> OpenResult:
    """Create the cycle and queue an invitation with the unit's workbook to every reporting unit."""
    cfg, now = res.config, res.clock.now()
    res.hmac_key  # noqa: B018 - no signing key, no invitations: fail before anything is queued
    plan = build_plan(cfg, year)
    result = OpenResult(year)
    with unit_of_work(res.db) as s:
        repo.ensure_cycle(s, cfg, year, now)
        previous = repo.accepted(s, year - 1)
        for unit in cfg.reporting_units:
            name, data = unit_template(res, unit, year, repo.last_year_values(previous.get(unit.code)))
            result.files.append(res.outputs.write(f"{year}/templates/{name}", data))
            subject, body = render_mail(
                res.settings.templates_dir, "invitation", city=cfg, unit=unit, year=year, plan=plan,
                deadlines=[(d.name, fmt_day(d.effective)) for d in plan.deadlines], filename=name,
            )
            msg = compose(sender=(cfg.sender_name, cfg.intake_address), to=list(unit.contacts),
                          subject=subject, text=body, attachments=[(name, data, XLSX)], date=now, auto="auto-generated")
            _, created = enqueue(s, res.store, key=f"invitation/{year}/{unit.code}", kind="invitation",
                                 msg=msg, now=now)
            (result.invited if created else result.already).append(unit.code)
            if progress:
                progress()
    return result
