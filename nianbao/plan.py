"""The cycle plan on working days: open day, deadlines (moved off holidays if configured), reminder and
overdue slots, digest days and the draft day; and which slot is due for a unit on a given day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pendulum

from nianbao.cityconfig import CityConfig
from nianbao.workdays import WorkCalendar, weekday_zh

@dataclass(frozen=True)
class PlannedDeadline:
    code: str
    name: str
    nominal: dt.date
    effective: dt.date
    moved: bool


@dataclass(frozen=True)
class Slot:
    deadline: str
    slot: str  # before-5 | overdue-2 …
    day: dt.date
    kind: str  # reminder | overdue


@dataclass
class CyclePlan:
    year: int
    tz: str  # the city's time zone: every planned moment is a local office hour
    open_day: dt.date
    deadlines: list[PlannedDeadline]
    slots: list[Slot]
    draft_day: dt.date
    digest_days: list[dt.date] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def at(self, d: dt.date, hour: int) -> pendulum.DateTime:
        return pendulum.datetime(d.year, d.month, d.day, hour, tz=self.tz)

    def deadline(self, code: str) -> PlannedDeadline:
        return next(d for d in self.deadlines if d.code == code)


def _zh(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def build_plan(config: CityConfig, year: int, cal: WorkCalendar | None = None) -> CyclePlan:
    c = config.calendar
    cal = cal or WorkCalendar(c)
    y = year + 1
    cover = cal.coverage(y)
    warnings = [config.text(f"calendar_{cover.source}", year=y, source=cover.detail)] if cover.provisional else []
    open_day = cal.next_workday(dt.date(y, c.open_month, c.open_day))
    deadlines, slots = [], []
    for d in c.deadlines:
        nominal = dt.date(y, d.month, d.day)
        effective = nominal
        if not cal.is_workday(nominal):
            if c.deadline_on_holiday == "next_working_day":
                effective = cal.next_workday(nominal)
                warnings.append(config.text("deadline_moved", name=d.name, nominal=_zh(nominal),
                                            kind=cal.day_kind(nominal), effective=_zh(effective),
                                            weekday=weekday_zh(effective)))
            else:
                warnings.append(config.text("deadline_kept", name=d.name, nominal=_zh(nominal),
                                            kind=cal.day_kind(nominal)))
        deadlines.append(PlannedDeadline(d.code, d.name, nominal, effective, effective != nominal))
        for n in c.reminders:
            day = cal.add_workdays(effective if cal.is_workday(effective) else cal.next_workday(effective), -n)
            if day >= open_day:
                slots.append(Slot(d.code, f"before-{n}", day, "reminder"))
        for k in range(1, c.overdue_max + 1):
            slots.append(Slot(d.code, f"overdue-{k}", cal.add_workdays(effective, k * c.overdue_every), "overdue"))
    last = max(d.effective for d in deadlines)
    draft_day = cal.add_workdays(last, c.draft_after)
    digest_days = [open_day + dt.timedelta(days=i) for i in range((draft_day - open_day).days + 1)]
    digest_days = [d for d in digest_days if cal.is_workday(d)]
    return CyclePlan(year, config.timezone, open_day, deadlines, sorted(slots, key=lambda s: (s.day, s.deadline)), draft_day,
                     digest_days, warnings)


def due_slots(plan: CyclePlan, today: dt.date, already_sent: set[tuple[str, str]], cal: WorkCalendar,
              sent_today: bool = False) -> list[Slot]:
    """Slots to send today to ONE unit without an accepted workbook: per deadline only the most recent
    due slot (a late run never sends a burst of stale reminders), never twice, never on a day off;
    once a deadline has passed only overdue notices remain. At most one mail a day per unit: an overdue
    notice outranks a reminder, an earlier deadline a later one."""
    if sent_today or not cal.is_workday(today):
        return []
    out: list[Slot] = []
    for d in plan.deadlines:
        kind = "reminder" if today <= d.effective else "overdue"
        due = [s for s in plan.slots if s.deadline == d.code and s.kind == kind and s.day <= today]
        if due and (d.code, due[-1].slot) not in already_sent:
            out.append(due[-1])
    out.sort(key=lambda s: (s.kind != "overdue", plan.deadline(s.deadline).effective))
    return out[:1]


def is_on_time(plan: CyclePlan, deadline_code: str, received: pendulum.DateTime) -> bool:
    end = plan.at(plan.deadline(deadline_code).effective, 0).add(days=1)
    return received < end


def slot_label(slot: str) -> str:
    """before-5 → 截止前第5个工作日; overdue-2 → 第2次逾期通知 (what an administrator reads)."""
    kind, _, n = slot.partition("-")
    return f"截止前第{n}个工作日" if kind == "before" else f"第{n}次逾期通知" if kind == "overdue" else slot


def plan_rows(plan: CyclePlan, cal: WorkCalendar) -> list[dict]:
    """A chronological table of the plan for `nianbao calendar`."""
    events: list[tuple[dt.date, str]] = [(plan.open_day, "开启填报，向各单位发送模板")]
    for d in plan.deadlines:
        label = f"{d.name}截止" + (f"（原定{_zh(d.nominal)}，顺延）" if d.moved else "")
        events.append((d.effective, label))
    names = {d.code: d.name for d in plan.deadlines}
    for s in plan.slots:
        what = "提醒未报单位" if s.kind == "reminder" else "逾期通知（抄送单位负责人）"
        events.append((s.day, f"{names[s.deadline]}：{what}（{slot_label(s.slot)}）"))
    events.append((plan.draft_day, "汇总数据，生成报告初稿并送领导审阅"))
    events.sort(key=lambda e: e[0])
    return [{"date": d, "weekday": weekday_zh(d), "day_kind": cal.day_kind(d), "event": e} for d, e in events]
