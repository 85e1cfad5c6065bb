"""A simulated cycle for the sample city: plausible figures per unit, clerks who type numbers their own
way, and a script of who mails what on which day (most on time, some late, one rejected then corrected,
two never answering). Deterministic for a given year, so two demo runs tell the same story."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

import pendulum
from sqlalchemy import insert

from nianbao import repo
from nianbao.cityconfig import CityConfig, Unit
from nianbao.db.models import Submission, Value
from nianbao.db.session import unit_of_work
from nianbao.mail.message import compose
from nianbao.plan import CyclePlan
from nianbao.resources import Resources
from nianbao.workbook.fill import fill_workbook
from nianbao.workbook.template import build_template, template_filename
from nianbao.workdays import WorkCalendar

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PENALTY_PARTS = ("E_CF_JG", "E_CF_FK", "E_CF_MS", "E_CF_ZK", "E_CF_DX", "E_CF_XZ", "E_CF_JL", "E_CF_QT")


def unit_values(config: CityConfig, unit: Unit, year: int) -> dict[str, float | None]:
    """Figures a unit of this kind could report; None = 不涉及. Consistent with config/rules.yaml, and
    stable from year to year (the unit's profile is fixed, each year adds ±10% of noise)."""
    rng = random.Random(unit.code)  # the unit's profile
    noise = random.Random(f"{unit.code}-{year}")
    scale = {"district": 1.0, "county_city": 1.1, "county": 0.8, "zone": 0.35, "department": 0.6}[unit.kind]
    growth = 1 + (year - 2020) * 0.04

    def drift() -> float:
        return growth * noise.uniform(0.92, 1.08)

    v: dict[str, float | None] = {}
    for ind in config.input_indicators(unit):
        base = {"件": 120, "次": 8, "人": 40, "项": 300, "万元": 900.0, "学时": 2400, "个": 3, "台": 60,
                "期": 4, "场": 30, "人次": 50}.get(ind.unit, 10)
        v[ind.code] = round(base * scale * rng.uniform(0.7, 1.3) * drift())
    v["F1_01"], v["F1_05"] = rng.randint(3, 8), rng.randint(1, 4)
    v["F1_03"] = 1.0
    v["F2_02"] = min(v["F2_01"], round(v["F2_01"] * rng.uniform(0.95, 1.0)))
    v["F3_02"] = v["F3_01"] if rng.random() < 0.85 else v["F3_01"] - 1
    v["E_CF_JL"] = v["E_CF_JL"] if unit.name.endswith("公安局") else None
    if unit.kind == "department" and unit.code != "D12":
        v["E_XK"] = v["E_XK"] if rng.random() < 0.5 else None
    v["E_CF_HJ"] = float(sum(v[c] or 0 for c in PENALTY_PARTS))
    v["E_CF_JE"] = round(rng.uniform(200, 3000) * scale * drift(), 2)
    v["E_ZFRY"] = round(v["E_ZFRY"] * 4)
    v["E_CZRS"] = round(v["E_ZFRY"] * rng.uniform(0.86, 1.0))
    v["E_FZSH"] = max(1, round(v["E_ZFRY"] * rng.uniform(0.04, 0.08)))
    v["F5_04"] = round(v["E_ZFRY"] * rng.uniform(45, 75) * noise.uniform(0.95, 1.05))
    if "F4_01" in v:
        v["F4_02"] = round(v["F4_01"] * rng.uniform(0.85, 1.0))
        v["F4_03"] = round(v["F4_02"] * rng.uniform(0.05, 0.2))
    v["F4_06"] = round(v["F4_05"] * rng.uniform(0.02, 0.12))
    v["F4_09"] = min(v["F4_08"], round(v["F4_08"] * rng.uniform(0.9, 1.0)))
    v["F4_12"] = round(v["F4_11"] * rng.uniform(0.93, 1.0))
    return v


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


def confirm_notes(config: CityConfig, values: dict[str, float | None]) -> dict[str, str]:
    """上报说明 a careful clerk writes where a warning rule would fire (e.g. few 法制审核 staff)."""
    notes = {}
    num = lambda code: values.get(code) if isinstance(values.get(code), (int, float)) else 0  # noqa: E731
    if num("E_FZSH") < 0.05 * num("E_ZFRY"):
        notes["E_FZSH"] = "机构改革后法制审核人员尚在配备中,已列入下年度招录计划"
    return notes


def seed_history(res: Resources, year: int) -> None:
    """Last year's accepted figures, as if that cycle had run (prefills 上年数值, feeds year-on-year)."""
    cfg = res.config
    now = pendulum.datetime(year + 1, 2, 8, 10, tz="Asia/Shanghai")
    with unit_of_work(res.db) as s:
        cycle = repo.ensure_cycle(s, cfg, year, now)
        if repo.submissions_of(s, cycle):
            return
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
                  subject=f"报送:{year}年度法治政府建设统计表({unit.name})", text="请查收附件。",
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
    for unit in units:
        if unit in silent:
            continue
        values = unit_values(cfg, unit, year)
        blank = build_template(cfg, unit, year, repo.last_year_values(history.get(unit.code)), res.hmac_key)
        if unit in late:
            day = cal.add_workdays(last, 1 + units.index(unit) % 2)
        else:
            day = cal.add_workdays(plan.open_day, rng.randint(3, 12))
        good = fill_workbook(blank, as_clerk_types(values, rng), notes=confirm_notes(cfg, values),
                             narratives=[("F3", "highlight", f"推行“首违不罚”清单,全年适用{int(values['E_CF_JG'] or 12)}件")])
        at = plan.at(day, 10)
        if unit == corrected:
            wrong = dict(values, E_CF_HJ=(values["E_CF_HJ"] or 0) + 7)
            bad = fill_workbook(blank, as_clerk_types(wrong, rng), notes=confirm_notes(cfg, values))
            events.append(MailEvent(day, unit, _mail(res, unit, year, bad, at, 1), "处罚合计与分项不符,将被退回"))
            day2 = cal.add_workdays(day, 2)
            events.append(MailEvent(day2, unit, _mail(res, unit, year, good, plan.at(day2, 15), 2), "修改后重报"))
        else:
            events.append(MailEvent(day, unit, _mail(res, unit, year, good, at, 1),
                                    "逾期报送" if unit in late else "按时报送"))
    return sorted(events, key=lambda e: e.day)
