"""The intake mailbox: a local Maildir (embedded default) or an IMAP folder.

Both hand out the exact raw bytes of each unprocessed message with a stable ``source_key`` and mark a
message processed only when told to (after the intake committed it). Marking twice is harmless.
"""

from __future__ import annotations

import mailbox
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from nianbao.errors import MailError
from nianbao.settings import Settings


@dataclass(frozen=True)
class RawMail:
    source_key: str
    data: bytes


class Inbox(Protocol):
    def fetch(self) -> Iterator[RawMail]: ...
    def mark_processed(self, source_key: str) -> None: ...
    def close(self) -> None: ...


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


_UID = re.compile(rb"UID (\d+)")


class ImapInbox:
    """An IMAP folder. Processed mail moves to ``processed_folder`` (MOVE, or COPY + UID EXPUNGE so no
    other deleted message is expunged), or gets the keyword ``NianbaoDone`` when neither is possible."""

    KEYWORD = "NianbaoDone"

    def __init__(self, host: str, port: int, user: str, password: str, folder: str = "INBOX",
                 processed_folder: str | None = "processed", ssl: bool = False, starttls: bool = False):
        self.args = (host, port, user, password, ssl, starttls)
        self.folder, self.processed_folder = folder, processed_folder
        self._box = None

    def _connect(self):
        from imap_tools import MailBox, MailBoxStartTls, MailBoxUnencrypted

        host, port, user, password, ssl_, starttls = self.args
        cls = MailBox if ssl_ else MailBoxStartTls if starttls else MailBoxUnencrypted
        try:
            box = cls(host, port).login(user, password, initial_folder=None)
        except Exception as exc:  # imap_tools raises its own and socket errors
            raise MailError(f"IMAP {host}:{port}: {exc}") from exc
        caps = box.client.capability()[1][0].upper().split()  # imaplib keeps the pre-login list
        self.caps = {c.decode() for c in caps}
        if "ID" in self.caps:  # NetEase 163/126 refuse SELECT without it
            box.client.xatom("ID", '("name" "nianbao" "version" "1")')
        if self.processed_folder and not box.folder.exists(self.processed_folder):
            box.folder.create(self.processed_folder)
        return box

    @property
    def box(self):
        if self._box is None:
            self._box = self._connect()
        return self._box

    def fetch(self) -> Iterator[RawMail]:
        client = self.box.client
        typ, data = client.select(f'"{self.folder}"')  # a fresh SELECT sees mail that arrived since
        if typ != "OK":
            raise MailError(f"IMAP SELECT {self.folder}: {data}")
        validity = client.untagged_responses.get("UIDVALIDITY", [b"0"])[0].decode()
        typ, data = client.uid("SEARCH", None, "UNDELETED", "UNKEYWORD", self.KEYWORD)
        for uid in (data[0] or b"").split():
            typ, parts = client.uid("FETCH", uid, "(BODY.PEEK[])")  # exact bytes, not marked seen
            raw = next((p[1] for p in parts if isinstance(p, tuple)), None)
            if typ == "OK" and raw is not None:
                yield RawMail(f"imap:{self.folder}/{validity}/{uid.decode()}", raw)

    def mark_processed(self, source_key: str) -> None:
        _, rest = source_key.split(":", 1)
        folder, _validity, uid = rest.rsplit("/", 2)
        client = self.box.client
        client.select(f'"{folder}"')
        if self.processed_folder and "MOVE" in self.caps:
            client.uid("MOVE", uid, f'"{self.processed_folder}"')
        elif self.processed_folder and "UIDPLUS" in self.caps:
            client.uid("COPY", uid, f'"{self.processed_folder}"')
            client.uid("STORE", uid, "+FLAGS.SILENT", r"(\Deleted)")
            client.uid("EXPUNGE", uid)  # this message only, never other \Deleted ones
        else:
            client.uid("STORE", uid, "+FLAGS.SILENT", f"({self.KEYWORD})")

    def close(self) -> None:
        if self._box is not None:
            try:
                self._box.logout()
            except Exception:
                pass
            self._box = None


def open_inbox(settings: Settings) -> Inbox:
    conf = (settings.mail or {}).get("inbound") or {"backend": "maildir", "path": "mail/inbox"}
    if conf.get("backend", "maildir") == "maildir":
        return MaildirInbox(settings.data_dir / conf.get("path", "mail/inbox"))
    if conf["backend"] == "imap":
        password = settings.secret("imap_password")
        if not password:
            raise MailError("IMAP password missing: set NIANBAO_IMAP_PASSWORD or NIANBAO_IMAP_PASSWORD_BLOCK")
        return ImapInbox(conf["host"], int(conf.get("port", 993)), conf["user"], password,
                         conf.get("folder", "INBOX"), conf.get("processed_folder", "processed"),
                         ssl=conf.get("security") == "ssl", starttls=conf.get("security") == "starttls")
    raise MailError(f"unknown inbound mail backend {conf['backend']!r} (maildir or imap)")
