"""The intake mailbox: a local Maildir (embedded default) or an IMAP folder.

Both hand out the exact raw bytes of each unprocessed message with a stable ``source_key`` and mark a
message processed only when told to (after the intake committed it). Marking twice is harmless.
"""

from __future__ import annotations

import mailbox
from collections.abc import Iterator
from pathlib import Path

from nianbao.errors import MailError
from nianbao.mail.imap import ImapInbox
from nianbao.mail.inbox_types import Inbox, RawMail
from nianbao.settings import Settings

__all__ = ["ImapInbox", "Inbox", "MaildirInbox", "RawMail", "deliver_to_maildir", "open_inbox"]


class MaildirInbox:
    """Unprocessed mail is in the Maildir itself; processed mail moves to its 'processed' subfolder."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.box = mailbox.Maildir(path, factory=None, create=True)
        try:
            self.done = self.box.add_folder("processed")
        except FileExistsError:  # made by this or another worker: either way it is there
            self.done = self.box.get_folder("processed")

    def fetch(self) -> Iterator[RawMail]:
        for key in sorted(self.box.iterkeys()):
            try:
                with self.box.get_file(key) as fh:
                    data = fh.read()
            except (KeyError, FileNotFoundError):  # taken by another worker meanwhile
                continue
            yield RawMail(f"maildir:{key}", data)

    def mark_processed(self, source_key: str) -> None:
        key = source_key.removeprefix("maildir:")
        try:
            src = Path(self.box._path) / self.box._lookup(key)  # noqa: SLF001 - the file itself, moved atomically
        except KeyError:
            return
        dst = Path(self.done._path) / "cur" / f"{key}:2,S"  # noqa: SLF001
        try:
            src.rename(dst)
        except FileNotFoundError:
            pass

    def close(self) -> None:
        self.box.close()


def deliver_to_maildir(path: Path, raw: bytes) -> str:
    """Drop a message into a Maildir as a mail server would (used by the demo and tests)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return mailbox.Maildir(path, factory=None, create=True).add(raw)


def open_inbox(settings: Settings) -> Inbox:
    conf = (settings.mail or {}).get("inbound") or {"backend": "maildir", "path": "mail/inbox"}
    if conf.get("backend", "maildir") == "maildir":
        return MaildirInbox(settings.data_dir / conf.get("path", "mail/inbox"))
    if conf["backend"] == "imap":
        password = settings.secret("imap_password")
        if not password:
            raise MailError("IMAP password missing: set NIANBAO_IMAP_PASSWORD or NIANBAO_IMAP_PASSWORD_BLOCK")
        return ImapInbox(conf["host"], int(conf.get("port", 993)), conf["user"], password,
                         conf.get("folder", "INBOX"), conf.get("processed_folder", "已处理"),
                         ssl=conf.get("security") == "ssl", starttls=conf.get("security") == "starttls")
    raise MailError(f"unknown inbound mail backend {conf['backend']!r} (maildir or imap)")
