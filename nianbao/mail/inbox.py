"""The intake mailbox: a local Maildir (embedded default) or an IMAP folder.

Both hand out the exact raw bytes of each unprocessed message with a stable ``source_key`` and mark a
message processed only when told to (after the intake committed it). Marking twice is harmless.
"""

from __future__ import annotations

import mailbox
import os
from collections.abc import Iterator
from pathlib import Path

import pendulum

from nianbao.errors import MissingSecret
from nianbao.mail.imap import ImapInbox
from nianbao.mail.inbox_types import DEFAULT_MAX_MAIL_BYTES, HEAD_BYTES, Inbox, RawMail
from nianbao.settings import Settings

__all__ = ["ImapInbox", "Inbox", "MaildirInbox", "RawMail", "deliver_to_maildir", "open_inbox"]


class MaildirInbox:
    """Unprocessed mail is in the Maildir itself; processed mail moves to its 'processed' subfolder,
    mail that could not be taken to 'failed'. The delivery time is the file's modification time, as
    the mail server's delivery agent wrote it (never the sender's Date: header)."""

    def __init__(self, path: Path, max_bytes: int = DEFAULT_MAX_MAIL_BYTES):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.box = mailbox.Maildir(path, factory=None, create=True)
        self.max_bytes = max_bytes
        self.done, self.failed = self._folder("processed"), self._folder("failed")

    def _folder(self, name: str) -> mailbox.Maildir:
        try:
            return self.box.add_folder(name)
        except FileExistsError:  # made by this or another worker: either way it is there
            return self.box.get_folder(name)

    def _path(self, key: str) -> Path:
        return Path(self.box._path) / self.box._lookup(key)  # noqa: SLF001 - the file itself

    def fetch(self) -> Iterator[RawMail]:
        for key in sorted(self.box.iterkeys()):
            try:
                path = self._path(key)
                st = path.stat()
                with path.open("rb") as fh:
                    whole = st.st_size <= self.max_bytes
                    data = fh.read() if whole else fh.read(HEAD_BYTES)
            except (KeyError, FileNotFoundError):  # taken by another worker meanwhile
                continue
            yield RawMail(f"maildir:{key}", data, st.st_size, pendulum.from_timestamp(st.st_mtime), whole)

    def _move(self, source_key: str, folder: mailbox.Maildir) -> None:
        key = source_key.removeprefix("maildir:")
        try:
            src = self._path(key)
        except KeyError:
            return
        dst = Path(folder._path) / "cur" / f"{key}:2,S"  # noqa: SLF001 - moved atomically, mtime kept
        try:
            src.rename(dst)
        except FileNotFoundError:  # another worker moved it first
            pass

    def mark_processed(self, source_key: str) -> None:
        self._move(source_key, self.done)

    def mark_failed(self, source_key: str) -> None:
        self._move(source_key, self.failed)

    def close(self) -> None:
        self.box.close()


def deliver_to_maildir(path: Path, raw: bytes, at: pendulum.DateTime | None = None) -> str:
    """Drop a message into a Maildir as a mail server would (used by the demo and tests); ``at`` is the
    delivery time the file then carries (the demo's simulated day)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    box = mailbox.Maildir(path, factory=None, create=True)
    key = box.add(raw)
    if at is not None:
        stamp = at.timestamp()
        os.utime(Path(box._path) / box._lookup(key), (stamp, stamp))  # noqa: SLF001
    return key


def open_inbox(settings: Settings) -> Inbox:
    conf = settings.mail.inbound
    max_bytes = int(conf.max_mail_mb * 1024 * 1024)
    if conf.backend == "maildir":
        return MaildirInbox(settings.data_dir / conf.path, max_bytes)
    password = settings.secret("imap_password")
    if not password:
        raise MissingSecret("未设置收件邮箱的密码：请设置环境变量 NIANBAO_IMAP_PASSWORD，"
                            "或用 NIANBAO_IMAP_PASSWORD_BLOCK 指定保存它的 Prefect Secret 块")
    return ImapInbox(conf.host, conf.port, conf.user, password, conf.folder, conf.processed_folder,
                     ssl=conf.security == "ssl", starttls=conf.security == "starttls",
                     failed_folder=conf.failed_folder, max_bytes=max_bytes)
