"""What the outbox holds, for `nianbao status`: how many mails are sent, waiting, failed, and which are
uncertain (the server got them and never acknowledged them: perhaps delivered, perhaps not)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nianbao.db.models import OutboxMessage

LISTED = 20  # uncertain mails listed one by one; the rest are counted


@dataclass
class OutboxState:
    counts: dict[str, int]  # status → mails (queued, sending, sent, failed, uncertain)
    uncertain: list[dict] = field(default_factory=list)  # the newest first, at most LISTED

    def to_json(self) -> dict:
        return {"counts": self.counts, "uncertain": self.uncertain}


def outbox_state(s: Session, tz: str) -> OutboxState:
    counts = dict(s.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    rows = s.scalars(select(OutboxMessage).where(OutboxMessage.status == "uncertain")
                     .order_by(OutboxMessage.id.desc()).limit(LISTED)).all()
    return OutboxState(counts, [{
        "id": r.id, "kind": r.kind, "subject": r.subject, "recipients": list(r.recipients),
        "sends": r.uncertain_sends,
        "next_try": r.next_attempt_at.in_timezone(tz).format("YYYY-MM-DD HH:mm") if r.next_attempt_at else None,
    } for r in rows])
