"""The clock, passed in like any other I/O so a test can set the day of the cycle."""

from __future__ import annotations

from typing import Protocol

import pendulum

TZ = "Asia/Shanghai"


class Clock(Protocol):
    def now(self) -> pendulum.DateTime: ...


class SystemClock:
    def now(self) -> pendulum.DateTime:
        return pendulum.now(TZ)


class FixedClock:
    """A clock that stands still until moved; used by tests and by the demo's simulated cycle."""

    def __init__(self, at: pendulum.DateTime):
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at.in_timezone(TZ)

    def now(self) -> pendulum.DateTime:
        return self._at

    def set(self, at: pendulum.DateTime) -> None:
        self._at = at.in_timezone(TZ)

    def advance(self, **delta: int) -> None:
        self._at = self._at.add(**delta)


def parse_day(text: str, hour: int = 9) -> pendulum.DateTime:
    """'2027-01-29' → 2027-01-29 09:00 Asia/Shanghai (a day given on the CLI means office hours)."""
    d = pendulum.parse(text, tz=TZ)
    if len(text.strip()) <= 10:
        d = d.set(hour=hour, minute=0, second=0)
    return d
