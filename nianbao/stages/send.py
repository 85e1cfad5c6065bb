"""Sending what the outbox holds, within the run's time budget (mail.yaml outbound.run_budget_s)."""

from __future__ import annotations

from collections.abc import Callable

from nianbao.mail.outbox import DeliveryReport, deliver_pending
from nianbao.resources import Resources


def send_outbox(res: Resources, progress: Callable[[int], None] | None = None) -> DeliveryReport:
    budget = getattr(res.settings.mail.outbound, "run_budget_s", 300)
    return deliver_pending(res.db, res.store, res.transport, res.clock, budget_s=budget, progress=progress)
