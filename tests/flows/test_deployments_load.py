"""The deployments load: every prefect.yaml entrypoint imports and its parameters fit the flow."""

from __future__ import annotations

import inspect

import pytest

from flows.serve import flow_of, load_deployments

SPECS = load_deployments()


@pytest.mark.parametrize("spec", SPECS, ids=[s["name"] for s in SPECS])
def test_entrypoint_imports_and_parameters_fit(spec):
    flow = flow_of(spec["entrypoint"])
    accepted = set(inspect.signature(flow.fn).parameters)
    assert set(spec.get("parameters") or {}) <= accepted


SCHEDULED = [s for s in SPECS if s.get("schedules")]


def test_the_cycle_is_scheduled_and_the_decisions_are_on_demand():
    assert {s["name"] for s in SCHEDULED} == {"open-cycle", "intake", "remind", "draft", "disclose"}
    assert {s["name"] for s in SPECS} - {s["name"] for s in SCHEDULED} == {"review", "alert"}


@pytest.mark.parametrize("spec", SCHEDULED, ids=[s["name"] for s in SCHEDULED])
def test_every_schedule_is_in_shanghai_time(spec):
    assert all(s["timezone"] == "Asia/Shanghai" for s in spec["schedules"])
