"""Sending what the outbox holds, within the run's time budget (mail.yaml outbound.run_budget_s)."""

from __future__ import annotations

from collections.abc import Callable

from nianbao.errors import NianbaoError
from nianbao.mail.outbox import UNCERTAIN_RETRIES, UNCERTAIN_RETRY_MINUTES, DeliveryReport, deliver_pending, stuck
from nianbao.resources import Resources
from nianbao.texts import fmt_time


class OutboxStuck(NianbaoError):
    """Mail has not gone out for longer than mail.yaml's outbound.alert_after_minutes."""


def send_outbox(res: Resources, progress: Callable[[int], None] | None = None) -> DeliveryReport:
    conf = res.settings.mail.outbound  # a folder outbox has neither timeouts nor retries
    return deliver_pending(res.db, res.store, res.transport, res.clock, budget_s=getattr(conf, "run_budget_s", 300),
                           uncertain_retries=getattr(conf, "uncertain_retries", UNCERTAIN_RETRIES),
                           uncertain_retry_minutes=getattr(conf, "uncertain_retry_minutes", UNCERTAIN_RETRY_MINUTES),
                           progress=progress)


def check_outbox(res: Resources) -> None:
    """Raise OutboxStuck, in the administrator's words, when mail tried and queued longer than
    ``alert_after_minutes`` (mail.yaml outbound, 30) is still undelivered."""
    from nianbao.explain import mail_reason

    minutes = getattr(res.settings.mail.outbound, "alert_after_minutes", 30)
    found = stuck(res.db, res.clock.now(), minutes)
    if found is not None:
        cfg = res.config
        raise OutboxStuck(cfg.text("outbox_stuck", count=found.count, minutes=f"{minutes:g}", subject=found.subject,
                                   since=fmt_time(found.since, cfg.timezone), error=mail_reason(found.error)))
