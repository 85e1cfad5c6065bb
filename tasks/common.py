"""What every flow needs before its first task: resources and the report year."""

from __future__ import annotations

from nianbao.clock import FixedClock, parse_day
from nianbao.mail.inbox import open_inbox
from nianbao.resources import Resources, make_resources
from nianbao.settings import Settings


def flow_resources(today: str | None = None, folder: str | None = None) -> Resources:
    """Resources for a flow run; ``today`` (YYYY-MM-DD) pins the clock, e.g. to replay a missed day;
    ``folder`` makes this run poll one shard of the intake mailbox (an IMAP folder, or a Maildir
    under the inbox path), so several workers can share the intake."""
    res = make_resources(clock=FixedClock(parse_day(today)) if today else None)
    if folder:
        res = res.with_(open_inbox=lambda: open_inbox(with_inbound_folder(res.settings, folder)))
    return res


def with_inbound_folder(settings: Settings, folder: str) -> Settings:
    inbound = dict((settings.mail or {}).get("inbound") or {"backend": "maildir", "path": "mail/inbox"})
    if inbound.get("backend", "maildir") == "maildir":
        inbound["path"] = f"{inbound.get('path', 'mail/inbox')}/{folder}"
    else:
        inbound["folder"] = folder
    return settings.with_(mail={**(settings.mail or {}), "inbound": inbound})


def report_year(res: Resources, year: int | None) -> int:
    """The report year defaults to last year: the 2026 cycle runs in January–February 2027."""
    return year if year is not None else res.clock.now().year - 1
