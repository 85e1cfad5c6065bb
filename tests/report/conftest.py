"""Report fixtures: per-unit data built from chosen figures."""

from __future__ import annotations

import pendulum
import pytest

from nianbao.sample_data import unit_values
from nianbao.report.model import UnitReport

AT = pendulum.datetime(2027, 2, 1, 10, tz="Asia/Shanghai")


def report(unit, values, status="on_time", sid=1, narratives=()):
    return UnitReport(unit, status, sid, AT, {k: v for k, v in values.items() if v is not None},
                      frozenset(k for k, v in values.items() if v is None), tuple(narratives))


@pytest.fixture
def current(city):
    return [report(u, unit_values(city, u, 2026), sid=n) for n, u in enumerate(city.reporting_units, 1)]


@pytest.fixture
def previous(city):
    return [report(u, unit_values(city, u, 2025), sid=100 + n) for n, u in enumerate(city.reporting_units, 1)]
