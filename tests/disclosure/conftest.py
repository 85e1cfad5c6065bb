"""Disclosure fixtures: the shipped disclosure.yaml and units' accepted data built from chosen figures."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from nianbao.disclosure import load_disclosure
from nianbao.sample_data import unit_values
from nianbao.settings import REPO_ROOT


@dataclass(frozen=True)
class Data:
    """A unit's accepted figures as the table reads them (``repo.AcceptedData`` without the database)."""

    values: dict[str, float] = field(default_factory=dict)
    na: frozenset[str] = frozenset()


def data_of(figures: dict[str, float | None]) -> Data:
    """None = 不涉及, as the factories write it."""
    return Data({k: v for k, v in figures.items() if v is not None},
                frozenset(k for k, v in figures.items() if v is None))


@pytest.fixture(scope="session")
def spec(city):
    return load_disclosure(REPO_ROOT / "config", city)


@pytest.fixture(scope="session")
def sample(city):
    """Every reporting unit's plausible figures but the last two units' (not reported)."""
    units = list(city.reporting_units)
    return {u.code: data_of(unit_values(city, u, 2026)) for u in units[:-2]}
