"""The clock, passed in like any other I/O so a test can set the day of the cycle. Times are in the
city's time zone (city.yaml: timezone)."""

from __future__ import annotations

from typing import Protocol

import pendulum

from nianbao.errors import BadInput


class Clock(Protocol):
    def now(self) -> pendulum.DateTime: ...


class SystemClock:
    def __init__(self, tz: str):
        self.tz = tz

    def now(self) -> pendulum.DateTime:
        return pendulum.now(self.tz)


class FixedClock:
    """A clock that stands still until moved; used by tests and by the demo's simulated cycle."""

    def __init__(self, at: pendulum.DateTime):
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at

    def now(self) -> pendulum.DateTime:
        return self._at

    def set(self, at: pendulum.DateTime) -> None:
        self._at = at

    def advance(self, **delta: int) -> None:
        self._at = self._at.add(**delta)


def parse_day(text: str, tz: str, hour: int = 9) -> pendulum.DateTime:
    """'2027-01-29' → 2027-01-29 09:00 in ``tz`` (a day given on the CLI means office hours).
    Raises BadInput for anything that is not a date or a date and time."""
    try:
        d = pendulum.parse(text.strip(), tz=tz, strict=True)
    except (ValueError, TypeError, pendulum.parsing.exceptions.ParserError):
        d = None
    if not isinstance(d, pendulum.DateTime):
        raise BadInput(f"日期“{text}”无效，应为 YYYY-MM-DD（例如 2027-01-08）")
    if len(text.strip()) <= 10:
        d = d.set(hour=hour, minute=0, second=0)
    return d
