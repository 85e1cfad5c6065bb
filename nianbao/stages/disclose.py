"""Stage: the enforcement disclosure (行政执法数据公开, due 31 January). From accepted data only: the
city's table (.xlsx and a self-contained .html for the portal), each unit's one-page table, and what
changed since the last run — so re-running after a late or corrected submission updates the files and
says how, and re-running on the same data rewrites the same bytes and says 无变化.

Files go to `outputs/<year>/disclosure/`; the figures shown are kept beside them in `.snapshot.json`
(written last: a run that fails half-way reports its changes again next time)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from nianbao import repo
from nianbao.cityconfig import CityConfig
from nianbao.db.session import unit_of_work
from nianbao.disclosure.changes import Changes, compare, describe, snapshot_bytes
from nianbao.disclosure.config import DisclosureFile, load_disclosure
from nianbao.disclosure.render_html import city_page, render, unit_page
from nianbao.disclosure.render_xlsx import city_xlsx, unit_xlsx
from nianbao.disclosure.table import Table, build_table
from nianbao.errors import NianbaoError
from nianbao.plan import PlannedDeadline, build_plan
from nianbao.resources import Resources
from nianbao.stages.season import season_end
from nianbao.texts import fmt_day
from nianbao.workbook.checks import cited
from nianbao.workbook.consistency import broken_rules
from nianbao.workdays import WorkCalendar

FOLDER = "disclosure"
SNAPSHOT = ".snapshot.json"


@dataclass
class DisclosureResult:
    year: int
    title: str
    paths: dict[str, Path]  # the city's table: "xlsx", "html"
    unit_paths: dict[str, dict[str, Path]]  # unit code → its own table: "xlsx", "html"
    changes: Changes
    reported: list[str]  # names of units with an accepted submission
    not_reported: list[str]  # names of expected units without one
    lines: list[str]  # what changed, in Chinese (config/messages.yaml), for the CLI and the flow's log
    table: Table


def disclosure_deadline(res: Resources, year: int, cal: WorkCalendar) -> PlannedDeadline:
    """The disclosure's deadline in ``year``'s plan (moved off a holiday as the plan moves it)."""
    spec = load_disclosure(res.settings.config_dir, res.config)
    return build_plan(res.config, year, cal).deadline(spec.deadline)


def disclosure_early(res: Resources, year: int) -> str | None:
    """Why today is before the disclosure's deadline, or None. Before it units may still report within
    the rules: a table made then is only a preview."""
    deadline = disclosure_deadline(res, year, WorkCalendar(res.config.calendar))
    today = res.clock.now().date()
    if today < deadline.effective:
        return res.config.text("disclosure_not_yet", year=year, name=deadline.name,
                               deadline=fmt_day(deadline.effective), today=fmt_day(today))
    return None


def disclosure_not_due(res: Resources, year: int) -> str | None:
    """Why a scheduled run should not publish today (Chinese), or None: from the deadline to the
    season's end, on working days (and on the deadline itself when the calendar keeps it on a day off)."""
    early = disclosure_early(res, year)
    if early:
        return early
    today, end = res.clock.now().date(), season_end(res, year)
    if today > end:
        return res.config.text("disclosure_season_over", year=year, end=fmt_day(end))
    cal = WorkCalendar(res.config.calendar)
    if today != disclosure_deadline(res, year, cal).effective and not cal.is_workday(today):
        return res.config.text("disclosure_day_off", today=fmt_day(today))
    return None


def _previous(res: Resources, relative: str) -> tuple[dict | None, str | None]:
    """The last run's snapshot; (None, None) on the first run, (None, a note) if it cannot be read."""
    try:
        return json.loads(res.outputs.read(relative)), None
    except FileNotFoundError:
        return None, None
    except (ValueError, OSError):
        return None, res.config.text("disclosure_snapshot_unreadable", path=res.outputs.location(relative))


def _stamp(data: dict[str, repo.AcceptedData], codes: list[str], year: int) -> dt.datetime:
    """The workbooks' creation time: when the newest figure they show was received (UTC). Not now: the
    same figures must give the same bytes."""
    times = [data[c].submission.received_at for c in codes if c in data]
    t = max(times) if times else dt.datetime(year + 1, 1, 1, tzinfo=dt.timezone.utc)
    return dt.datetime(t.year, t.month, t.day, t.hour, t.minute, t.second)


def _file(name: str) -> str:
    """A unit's name as part of a file name (a name with a slash must not open a folder)."""
    return name.replace("/", "／").replace("\\", "＼")


def _files(res: Resources, spec: DisclosureFile, table: Table,
           stamp: dt.datetime) -> list[tuple[str | None, str, bytes]]:
    """Every file of the disclosure: (unit code, or None for the city's table; path under
    `<year>/disclosure/`; bytes)."""
    author, tpl = res.config.bureau, res.settings.templates_dir
    files: list[tuple[str | None, str, bytes]] = [
        (None, f"{table.title}.xlsx", city_xlsx(table, spec, author, stamp)),
        (None, f"{table.title}.html", render(city_page(table, spec), tpl).encode("utf-8"))]
    for row in table.rows:
        if row.kind not in spec.unit_pages:
            continue
        page = unit_page(table, row, spec)
        stem = f"units/{_file(page.title)}"
        files.append((row.code, f"{stem}.html", render(page, tpl).encode("utf-8")))
        files.append((row.code, f"{stem}.xlsx", unit_xlsx(table, row, spec, page.title, author, stamp)))
    return files


class DisclosureRefused(NianbaoError):
    """Accepted figures break an error rule of rules.yaml: the table would publish a contradiction."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        super().__init__("\n".join(lines))


def inconsistent_rows(cfg: CityConfig, codes: list[str], data: dict[str, repo.AcceptedData]) -> list[str]:
    """One line a unit whose accepted figures break an error rule (accepted before the rule existed, or
    by an administrator's decision): the unit, the figures and the rule, in the city's wording."""
    lines = []
    for code in codes:
        d = data.get(code)
        if d is None:
            continue
        unit = cfg.unit(code)
        asked = {i.code for i in cfg.input_indicators(unit)}
        for b in broken_rules(cfg.rules, code, unit.kind, asked, d.values, d.na):
            if b.rule.severity == "error":
                lines.append(cfg.text("disclosure_inconsistent_row", unit=unit.name, message=b.rule.message,
                                      cited=cited(cfg, b.codes, d.values, d.na)))
    return lines


def disclose(res: Resources, year: int, force: bool = False) -> DisclosureResult:
    """The disclosure's files. Refused (`DisclosureRefused`, naming every row and why) while an accepted
    row contradicts itself, unless ``force``: then published, and the lines say which rows."""
    cfg = res.config
    spec = load_disclosure(res.settings.config_dir, cfg)
    with unit_of_work(res.db) as s:
        cycle = repo.get_cycle(s, year)
        codes = repo.expected_codes(cfg, cycle)
        data = repo.accepted(s, year)
    bad = inconsistent_rows(cfg, codes, data)
    if bad and not force:
        raise DisclosureRefused([cfg.text("disclosure_refused", count=len(bad)), *bad])
    table = build_table(spec, cfg, year, codes, data)
    base = f"{year}/{FOLDER}"
    before, note = _previous(res, f"{base}/{SNAPSHOT}")
    changes = compare(before, table, spec.words)
    paths: dict[str, Path] = {}
    unit_paths: dict[str, dict[str, Path]] = {}
    for code, name, blob in _files(res, spec, table, _stamp(data, codes, year)):
        path = res.outputs.write(f"{base}/{name}", blob)
        (paths if code is None else unit_paths.setdefault(code, {}))[path.suffix.lstrip(".")] = path
    res.outputs.write(f"{base}/{SNAPSHOT}", snapshot_bytes(table))
    forced = [cfg.text("disclosure_forced", count=len(bad)), *bad] if bad else []
    lines = forced + ([note] if note else []) + describe(changes, table, cfg.text)
    return DisclosureResult(year, table.title, paths, unit_paths, changes, [r.name for r in table.reported],
                            [r.name for r in table.missing], lines, table)
