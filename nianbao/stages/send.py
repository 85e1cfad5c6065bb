"""Sending what the outbox holds, within the run's time budget (mail.yaml outbound.run_budget_s)."""

from __future__ import annotations

from collections.abc import Callable

from nianbao.mail.outbox import UNCERTAIN_RETRIES, UNCERTAIN_RETRY_MINUTES, DeliveryReport, deliver_pending
from nianbao.resources import Resources


def send_outbox(res: Resources, progress: Callable[[int], None] | None = None) -> DeliveryReport:
    conf = res.settings.mail.outbound  # a folder outbox has neither timeouts nor retries
    return deliver_pending(res.db, res.store, res.transport, res.clock, budget_s=getattr(conf, "run_budget_s", 300),
                           uncertain_retries=getattr(conf, "uncertain_retries", UNCERTAIN_RETRIES),
                           uncertain_retry_minutes=getattr(conf, "uncertain_retry_minutes", UNCERTAIN_RETRY_MINUTES),
                           progress=progress)
