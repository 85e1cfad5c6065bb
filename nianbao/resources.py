"""The I/O a stage needs, behind one small interface: settings, city config, database, blob store,
mailbox, mail transport and clock. Tests swap in a temp folder, a loopback server or a fixed clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from nianbao.cityconfig import CityConfig, load_city_config
from nianbao.clock import Clock, FixedClock, SystemClock, parse_day
from nianbao.db.session import make_sessionmaker
from nianbao.intake.sandbox import Limits, Sandbox, sandbox_for
from nianbao.mail.inbox import Inbox, open_inbox
from nianbao.mail.transport import Transport, open_transport
from nianbao.settings import Settings, load_settings
from nianbao.store import BlobStore, Outputs


@dataclass(frozen=True)
class Resources:
    settings: Settings
    config: CityConfig
    db: sessionmaker[Session]
    store: BlobStore
    outputs: Outputs
    open_inbox: Callable[[], Inbox]
    transport: Transport
    clock: Clock

    def with_(self, **changes: Any) -> Resources:
        return replace(self, **changes)

    @property
    def hmac_key(self) -> bytes:
        return self.settings.hmac_key()

    def sandbox(self) -> Sandbox:
        """The child processes that parse untrusted bytes, started on first use and kept per process."""
        s = self.settings
        hook = {"reader": s.sandbox_reader} if s.sandbox_reader else {}
        return sandbox_for(self.config, Limits(s.intake_processes, s.sandbox_memory_mb, s.seconds_per_mail, **hook))


_CACHE: dict[tuple, Resources] = {}


def make_resources(settings: Settings | None = None, *, clock: Clock | None = None, today: str | None = None,
                   cached: bool = True) -> Resources:
    """Build (or reuse, per process) the resources for ``settings``; migrates the database once.
    ``today`` (YYYY-MM-DD, in the city's time zone) pins the clock to that day's office hours."""
    settings = settings or load_settings()
    key = (settings.database_url, str(settings.data_dir), str(settings.config_dir))
    if cached and key in _CACHE:
        res = _CACHE[key]
        clock = clock or (FixedClock(parse_day(today, res.config.timezone)) if today else None)
        return res.with_(clock=clock) if clock else res
    config = load_city_config(settings.config_dir)
    clock = clock or (FixedClock(parse_day(today, config.timezone)) if today else None)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    res = Resources(
        settings=settings,
        config=config,
        db=make_sessionmaker(settings.database_url),
        store=BlobStore(settings.archive_url),
        outputs=Outputs(settings.outputs_url, settings.outputs_dir),
        open_inbox=lambda: open_inbox(settings),
        transport=open_transport(settings),
        clock=SystemClock(config.timezone),
    )
    if cached:
        _CACHE[key] = res
    return res.with_(clock=clock) if clock else res
