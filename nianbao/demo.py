"""A simulated cycle for the sample city: plausible figures per unit, clerks who type numbers their own
way, and a script of who mails what on which day (most on time, some late, one rejected then corrected,
two never answering). Deterministic for a given year, so two demo runs tell the same story."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

import pendulum
import yaml
from pydantic import BaseModel, ConfigDict
from sqlalchemy import insert

from nianbao import repo
from nianbao.cityconfig import CityConfig, Unit
from nianbao.db.models import Submission, Value
from nianbao.db.session import unit_of_work
from nianbao.demo_tasks import DemoShared, DemoTask, task_answers_typed
from nianbao.mail.message import compose
from nianbao.plan import CyclePlan
from nianbao.resources import Resources
from nianbao.sample_data import unit_values, warning_notes
from nianbao.workbook.fill import fill_workbook
from nianbao.workbook.template import build_template, template_filename
from nianbao.workdays import WorkCalendar

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class DemoContent(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    note: str = "经核实，数据无误。"
    subject: str = "报送：{year}年度统计表（{unit}）"
    highlights: dict[str, list[str]] = {}
    problems: list[str] = []
    tasks: dict[str, DemoTask] = {}  # the sample plan's tasks by number (nianbao.demo_tasks)
    shared: DemoShared = DemoShared()


def as_clerk_types(values: dict[str, float | None], rng: random.Random) -> dict[str, float | str | None]:
    """Clerks type some numbers as text: thousands separators, full-width digits, units after the number."""
    out: dict[str, float | str | None] = {}
    for code, x in values.items():
        if x is None:
            out[code] = "不涉及"
        elif rng.random() < 0.1 and x >= 1000 and float(x).is_integer():
            out[code] = f"{int(x):,}"
        elif rng.random() < 0.05 and float(x).is_integer():
            out[code] = str(int(x)).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        else:
            out[code] = x
    return out


def demo_content(config: CityConfig) -> DemoContent:
    """config/demo.yaml: what the sample city's clerks write (narratives, 上报说明)."""
    path = config.root / "demo.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    return DemoContent.model_validate(data or {})


def confirm_notes(config: CityConfig, values: dict[str, float | None], unit: Unit | None = None) -> dict[str, str]:
    """上报说明 a careful clerk writes where a warning rule would fire."""
    return warning_notes(config, values, demo_content(config).note, unit)


def narratives(config: CityConfig, unit: Unit, year: int) -> list[tuple[str, str, str]]:
    """One or two highlights in the sections the unit is strong in, and now and then a problem; drawn
    from config/demo.yaml, so units write different things."""
    content, rng = demo_content(config), random.Random(f"narratives-{unit.code}-{year}")
    sections = [s.code for s in config.report.sections if content.highlights.get(s.code)]
    out = []
    for section in rng.sample(sections, k=min(len(sections), rng.choice([1, 1, 2]))):
        out.append((section, "highlight", rng.choice(content.highlights[section])))
    if content.problems and rng.random() < 0.3 and sections:
        out.append((rng.choice(sections), "problem", rng.choice(content.problems)))
    return out


def seed_history(res: Resources, year: int) -> None:
    """Last year's accepted figures, as if that cycle had run (prefills 上年数值, feeds year-on-year)."""
    cfg = res.config
    now = pendulum.datetime(year + 1, 2, 8, 10, tz=cfg.timezone)
    with unit_of_work(res.db) as s:
        cycle = repo.ensure_cycle(s, cfg, year, now)
        if repo.submissions_of(s, cycle):
            return
        cycle.closed_at = now  # that cycle ran and was closed
        for unit in cfg.reporting_units:
            sub = Submission(cycle_id=cycle.id, unit_code=unit.code, filename="上年度数据", sha256="-",
                             sender="历史数据导入", received_at=now, status="accepted")
            s.add(sub)
            s.flush()
            vals = unit_values(cfg, unit, year)
            s.execute(insert(Value), [{"submission_id": sub.id, "indicator_code": c, "value": x, "na": x is None}
                                      for c, x in vals.items()])


@dataclass(frozen=True)
class MailEvent:
    day: dt.date
    unit: Unit
    raw: bytes
    note: str  # what this mail is, for the demo's narration


def _mail(res: Resources, unit: Unit, year: int, data: bytes, at: pendulum.DateTime, n: int) -> bytes:
    name = template_filename(res.config, unit, year)
    msg = compose(sender=(f"{unit.name}法制科", unit.contacts[0]), to=[res.config.intake_address],
                  subject=demo_content(res.config).subject.format(year=year, unit=unit.name), text="请查收附件。",
                  attachments=[(name, data, XLSX)], date=at,
                  message_id=f"<demo-{year}-{unit.code}-{n}@{unit.contacts[0].split('@')[1]}>")
    return msg.as_bytes()


def script(res: Resources, year: int, plan: CyclePlan) -> list[MailEvent]:
    cfg, cal = res.config, WorkCalendar(res.config.calendar)
    rng = random.Random(year)
    units = list(cfg.reporting_units)
    silent, late, corrected = units[-2:], units[-5:-3], units[2]
    last = max(d.effective for d in plan.deadlines)
    with unit_of_work(res.db) as s:
        history = repo.accepted(s, year - 1)  # prefills 上年数值, as the real invitations do
    events = []
    content = demo_content(cfg)
    for unit in units:
        if unit in silent:
            continue
        values = unit_values(cfg, unit, year)
        blank = build_template(cfg, unit, year, repo.last_year_values(history.get(unit.code)), res.hmac_key)
        if unit in late:
            day = cal.add_workdays(last, 1 + units.index(unit) % 2)
        else:
            day = cal.add_workdays(plan.open_day, rng.randint(3, 12))
        notes = confirm_notes(cfg, values, unit)
        tasks = task_answers_typed(cfg, unit, year, values, content.tasks, content.shared)
        good = fill_workbook(blank, as_clerk_types(values, rng), notes=notes, narratives=narratives(cfg, unit, year),
                             tasks=tasks)
        at = plan.at(day, 10)
        if unit == corrected:  # a clerk types a figure in 万: refused, then corrected
            code = next(c for c, v in values.items() if v and v >= 10000 or c == list(values)[-1])
            wrong = {**as_clerk_types(values, rng), code: f"{(values[code] or 0) / 10000:.1f}万"}
            bad = fill_workbook(blank, wrong, notes=notes, tasks=tasks)
            events.append(MailEvent(day, unit, _mail(res, unit, year, bad, at, 1), "数字带“万”字，将被退回"))
            day2 = cal.add_workdays(day, 2)
            events.append(MailEvent(day2, unit, _mail(res, unit, year, good, plan.at(day2, 15), 2), "修改后重报"))
        else:
            events.append(MailEvent(day, unit, _mail(res, unit, year, good, at, 1),
                                    "逾期报送" if unit in late else "按时报送"))
    return sorted(events, key=lambda e: e.day)
