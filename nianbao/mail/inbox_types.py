"""What every intake mailbox hands out and accepts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import pendulum

DEFAULT_MAX_MAIL_BYTES = 30 * 1024 * 1024  # larger mails are answered "too large" without being read whole
HEAD_BYTES = 64 * 1024  # what is read of such a mail: enough for any real header block


@dataclass(frozen=True)
class RawMail:
    source_key: str  # stable for one message in one mailbox: 'maildir:<key>' or 'imap:<folder>/<UIDVALIDITY>/<UID>'
    data: bytes  # exactly as the server holds it (only its start when ``whole`` is False)
    size: int = -1  # bytes of the whole mail as the mailbox reports it (-1: len(data))
    received_at: pendulum.DateTime | None = None  # when the bureau's mail server took it, if the mailbox knows
    whole: bool = True  # False: too large, only the header block was read

    @property
    def length(self) -> int:
        return self.size if self.size >= 0 else len(self.data)


class Inbox(Protocol):
    def fetch(self) -> Iterator[RawMail]:
        """Messages not yet processed, exact bytes, without marking them."""
        ...

    def mark_processed(self, source_key: str) -> None:
        """Called once the message's results are committed; marking twice is harmless."""
        ...

    def mark_failed(self, source_key: str) -> None:
        """The message could not be taken (and its sender was told): kept apart, never deleted."""
        ...

    def close(self) -> None: ...
