"""Bounces of nianbao's own mail, understood: a delivery failure is matched to the outbox message it
returns by Message-ID (the outbox gives every message a stable one), and only for addresses that very
message was sent to; each dead address is recorded against its unit. The next mail to that unit goes
to its other contacts (or its leaders), and the administrators are asked to fix config/units.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from email import message_from_bytes, policy
from email.utils import format_datetime

import pendulum
from sqlalchemy import select
from sqlalchemy.orm import Session

from nianbao.cityconfig import CityConfig, Unit
from nianbao.db.models import Cycle, OutboxMessage, Undelivered
from nianbao.mail.bounces import Bounce
from nianbao.mail.message import id_token, token_of
from nianbao.mail.outbox import enqueue
from nianbao.store import BlobStore
from nianbao.texts import fmt_time

UNIT_KEYED = ("invitation", "reminder", "overdue")  # outbox keys '<kind>/<year>/<unit code>/…'


def unit_of(config: CityConfig, row: OutboxMessage, address: str) -> Unit | None:
    """The unit a returned mail was for: named in its key, else the unit whose contact or leader the
    dead address is (a receipt, a unit's own draft)."""
    parts = row.key.split("/")
    if parts[0] in UNIT_KEYED and len(parts) > 2 and config.unit_or_none(parts[2]) is not None:
        return config.unit_or_none(parts[2])
    return next((u for u in config.units if address in {a.lower() for a in (*u.contacts, *u.leaders)}), None)


def record_bounce(s: Session, config: CityConfig, bounce: Bounce | None, message_pk: int | None,
                  at: pendulum.DateTime) -> list[Undelivered]:
    """Record each address ``bounce`` says failed for a mail nianbao sent to it; nothing for a delay, a
    bounce of a mail that is not ours, or an address the returned mail was never sent to (a forged or
    garbled report cannot mark a unit's good address dead). Safe to call again: a pair is kept once."""
    if bounce is None or bounce.delayed or not bounce.failed:
        return []
    tokens = {t for t in map(token_of, bounce.original_ids) if t}
    if not tokens:
        return []
    rows = s.scalars(select(OutboxMessage).where(OutboxMessage.id_token.in_(tokens))).all()
    known = set(s.execute(select(Undelivered.outbox_id, Undelivered.address).where(
        Undelivered.outbox_id.in_([r.id for r in rows]))).tuples().all()) if rows else set()
    added = []
    for row in rows:
        sent_to = {a.lower() for a in row.recipients}
        for failed in bounce.failed:
            if failed.address not in sent_to or (row.id, failed.address) in known:
                continue
            known.add((row.id, failed.address))
            unit = unit_of(config, row, failed.address)
            added.append(Undelivered(outbox_id=row.id, kind=row.kind, unit_code=unit.code if unit else None,
                                     address=failed.address, status=failed.status[:20],
                                     diagnostic=failed.diagnostic, message_pk=message_pk, received_at=at))
    s.add_all(added)
    s.flush()
    return added


def kind_label(config: CityConfig, kind: str) -> str:
    return config.text(f"mail_kind_{kind}" if kind in UNIT_KEYED else "mail_kind_other")


def undelivered_note(config: CityConfig, row: Undelivered) -> str:
    unit = config.unit_or_none(row.unit_code or "")
    what, diagnostic = kind_label(config, row.kind), row.diagnostic or row.status or "-"
    if unit is None:
        return config.text("note_undelivered_nobody", what=what, address=row.address, diagnostic=diagnostic)
    return config.text("note_undelivered", unit=unit.name, what=what, address=row.address, diagnostic=diagnostic)


def dead_addresses(s: Session, unit_code: str) -> set[str]:
    return set(s.scalars(select(Undelivered.address).where(Undelivered.unit_code == unit_code)))


def reachable(s: Session, unit: Unit) -> list[str]:
    """Where a mail to ``unit``'s contacts goes: the contacts whose mail has not come back; when every
    one has, the unit's leaders; when theirs has too, the contacts still (the administrators are told)."""
    dead = dead_addresses(s, unit.code)
    alive = [a for a in unit.contacts if a.lower() not in dead]
    return alive or [a for a in unit.leaders if a.lower() not in dead] or list(unit.contacts)


def resend_invitations(s: Session, config: CityConfig, store: BlobStore, added: list[Undelivered],
                       now: pendulum.DateTime) -> list[str]:
    """A returned invitation goes again, as it was (its workbook attached), to the unit's addresses that
    have not bounced (its other contacts, else its leaders) — once per set of addresses. Its key keeps
    the unit's code, so a bounce of the new one is understood too. Returns the new keys."""
    keys = []
    for row_id in dict.fromkeys(u.outbox_id for u in added if u.kind == "invitation" and u.unit_code):
        row = s.get(OutboxMessage, row_id)
        code = next(u.unit_code for u in added if u.outbox_id == row_id)
        unit = config.unit_or_none(code)
        if row is None or row.sha256 is None or unit is None:
            continue
        to = reachable(s, unit)
        if not {a.lower() for a in to} - {a.lower() for a in row.recipients}:
            continue
        msg = message_from_bytes(store.get(row.sha256, ".eml"), policy=policy.default)
        del msg["To"], msg["Cc"], msg["Date"]
        msg["To"], msg["Date"] = ", ".join(to), format_datetime(now)
        base = "/".join(row.key.split("/")[:3])
        key = f"{base}/again/{id_token('|'.join(sorted(a.lower() for a in to)))[:12]}"
        _, created = enqueue(s, store, key=key, kind="invitation", msg=msg, now=now)
        if created:
            keys.append(key)
    return keys


@dataclass(frozen=True)
class Returned:
    unit_code: str | None
    unit: str  # the unit's name, or '' when the address belongs to no unit
    kind: str  # the returned mail's kind (invitation, reminder, receipt…)
    what: str  # that kind in Chinese
    address: str
    status: str
    diagnostic: str
    received: str  # when the bounce arrived, the city's time
    still_listed: bool  # the dead address is still in units.yaml: the administrator has to fix it


def returned_mail(s: Session, config: CityConfig, cycle: Cycle) -> list[Returned]:
    """The dead addresses found since ``cycle`` opened, oldest first."""
    rows = s.scalars(select(Undelivered).where(Undelivered.received_at >= cycle.opened_at)
                     .order_by(Undelivered.received_at, Undelivered.id)).all()
    out = []
    for r in rows:
        unit = config.unit_or_none(r.unit_code or "")
        listed = unit is not None and r.address in {a.lower() for a in (*unit.contacts, *unit.leaders)}
        out.append(Returned(r.unit_code, unit.name if unit else "", r.kind, kind_label(config, r.kind), r.address,
                            r.status, r.diagnostic,
                            fmt_time(r.received_at, config.timezone), listed))
    return out
