"""What every intake mailbox hands out and accepts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class RawMail:
    source_key: str  # stable for one message in one mailbox: 'maildir:<key>' or 'imap:<folder>/<UIDVALIDITY>/<UID>'
    data: bytes  # exactly as the server holds it


class Inbox(Protocol):
    def fetch(self) -> Iterator[RawMail]:
        """Messages not yet processed, exact bytes, without marking them."""
        ...

    def mark_processed(self, source_key: str) -> None:
        """Called once the message's results are committed; marking twice is harmless."""
        ...

    def close(self) -> None: ...
