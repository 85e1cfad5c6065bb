"""What an intake run says about each mail: for the CLI, the Prefect artifacts and the digest."""

from __future__ import annotations

from dataclasses import dataclass, field

import pendulum

from nianbao.intake.store import Outcome


@dataclass
class MessageReport:
    source: str
    message_id: str | None
    sender: str
    subject: str
    status: str  # processed | duplicate | failed (answered, kept apart) | retry (left for the next poll)
    attachments: list[Outcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # Chinese: ignored files, unreadable zips, …
    failure: str | None = None  # too_large | unreadable | unstorable
    received_at: pendulum.DateTime | None = None  # by the bureau's mail server
    date_header: pendulum.DateTime | None = None  # what the sender's clock said
    message_pk: int | None = None
    automatic: str | None = None  # why no person wrote it (kinds.automatic_reason): archived, never answered
    conversation: str | None = None  # the kind of our mail it answers (no workbook): shown to administrators


@dataclass
class IntakeReport:
    messages: list[MessageReport] = field(default_factory=list)
    out_of_time: bool = False  # the run's wall-clock budget was spent with mails left for the next run
    left: int = 0  # mails that were being read when it was spent (unread ones are not counted)
    note: str = ""  # Chinese: what the administrator must know about the run as a whole

    def automatic(self) -> int:
        """Mails no person wrote (auto-replies, bounces, list mail, our own): archived, not answered."""
        return sum(1 for m in self.messages if m.automatic and m.status != "duplicate")

    def count(self, status: str) -> int:
        return sum(1 for m in self.messages for a in m.attachments if a.status == status)
