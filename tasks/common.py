"""What every flow needs before its first task: resources and the report year."""

from __future__ import annotations

from nianbao.mail.inbox import open_inbox
from nianbao.resources import Resources, make_resources
from nianbao.settings import Settings


def flow_resources(today: str | None = None, folder: str | None = None) -> Resources:
    """Resources for a flow run; ``today`` (YYYY-MM-DD) pins the clock, e.g. to replay a missed day;
    ``folder`` makes this run poll one shard of the intake mailbox (an IMAP folder, or a Maildir
    under the inbox path), so several workers can share the intake."""
    res = make_resources(today=today)
    if folder:
        res = res.with_(open_inbox=lambda: open_inbox(with_inbound_folder(res.settings, folder)))
    return res


def with_inbound_folder(settings: Settings, folder: str) -> Settings:
    inbound = settings.mail.inbound
    shard = ({"path": f"{inbound.path}/{folder}"} if inbound.backend == "maildir" else {"folder": folder})
    return settings.with_(mail=settings.mail.model_copy(update={"inbound": inbound.model_copy(update=shard)}))


def report_year(res: Resources, year: int | None) -> int:
    """The report year defaults to last year: the 2026 cycle runs in January–February 2027."""
    return year if year is not None else res.clock.now().year - 1
