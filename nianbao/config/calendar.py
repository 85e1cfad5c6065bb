"""config/calendar.yaml: open day, deadlines, reminders in working days, holiday overrides."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from nianbao.config.base import Day, Flag, Int, Model, Text, month_day, raise_problems


class MonthDay(Model):
    month: Int = Field(ge=1, le=12)
    day: Int = Field(ge=1, le=31)

    @model_validator(mode="after")
    def _exists(self) -> MonthDay:
        month_day(self.month, self.day)
        return self


class Deadline(MonthDay):
    code: Text
    name: Text = Field(min_length=1)


class YearOverride(Model):
    """A year chinese-calendar does not know yet: the State Council's schedule, or an estimate."""

    provisional: Flag = False
    source: Text = ""
    holidays: frozenset[Day] = frozenset()
    workdays: frozenset[Day] = frozenset()


class CalendarFile(Model):
    open: MonthDay = MonthDay(month=1, day=4)
    deadlines: tuple[Deadline, ...] = Field(min_length=1)
    deadline_on_holiday: Literal["keep", "next_working_day"] = "next_working_day"
    reminders_before: tuple[Int, ...] = (5, 2, 1)
    overdue_every: Int = Field(default=2, ge=1)
    overdue_max: Int = Field(default=3, ge=0)
    draft_after: Int = Field(default=2, ge=0)
    send_hour: Int = Field(default=9, ge=0, le=23)
    season_end: MonthDay = MonthDay(month=3, day=31)  # after this day a cycle's default year has passed
    overrides: dict[Int, YearOverride] = {}

    @model_validator(mode="after")
    def _checks(self) -> CalendarFile:
        problems = []
        for n, d in enumerate(self.reminders_before):
            if d < 1:
                problems.append((f"reminders_before[{n}]", f"应为正整数（截止前第几个工作日），实为 {d}"))
        codes = [d.code for d in self.deadlines]
        for n, code in enumerate(codes):
            if codes.index(code) != n:
                problems.append((f"deadlines[{n}].code", f"截止事项代码 {code} 重复"))
        for year, o in self.overrides.items():
            for key, days in (("holidays", o.holidays), ("workdays", o.workdays)):
                wrong = sorted(d for d in days if d.year != year)
                if wrong:
                    problems.append((f"overrides.{year}.{key}", f"{wrong[0].isoformat()} 不在 {year} 年"))
        raise_problems(problems)
        return self

    # What the calendar code reads, as before the config was typed.
    @property
    def open_month(self) -> int:
        return self.open.month

    @property
    def open_day(self) -> int:
        return self.open.day

    @property
    def reminders(self) -> tuple[int, ...]:
        """Reminder offsets, largest first, once each."""
        return tuple(sorted(set(self.reminders_before), reverse=True))
