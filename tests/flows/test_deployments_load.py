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


@pytest.mark.parametrize("spec", SPECS, ids=[s["name"] for s in SPECS])
def test_every_schedule_is_in_shanghai_time(spec):
    assert spec["schedules"] and all(s["timezone"] == "Asia/Shanghai" for s in spec["schedules"])
