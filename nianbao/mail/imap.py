"""An IMAP folder as the intake mailbox, written for the servers units and cities really use (NetEase,
QQ/Tencent Exmail, Exchange, Coremail, Dovecot).

Each message is read as its exact bytes (BODY.PEEK[], which also leaves it unread) and keyed on
(folder, UIDVALIDITY, UID). It is moved to the processed folder only when the intake says so, after its
results are committed: by MOVE, else by COPY + UID EXPUNGE of that one UID (UIDPLUS), else it is only
given the keyword ``NianbaoDone`` (a plain EXPUNGE would also remove mail a person marked deleted).
"""

from __future__ import annotations

import imaplib
from collections.abc import Callable, Iterator
from typing import TypeVar

from imap_tools.utils import encode_folder

from nianbao.errors import MailError
from nianbao.mail.inbox_types import RawMail

T = TypeVar("T")
_DROPPED = (imaplib.IMAP4.abort, OSError)  # the connection is gone: worth one reconnect


def source_key(folder: str, validity: str, uid: str) -> str:
    return f"imap:{folder}/{validity}/{uid}"


def parse_source_key(key: str) -> tuple[str, str, str]:
    """imap:<folder>/<UIDVALIDITY>/<UID> → (folder, validity, uid); the folder may itself hold '/'."""
    if not key.startswith("imap:") or key.count("/") < 2:
        raise MailError(f"not an IMAP source key: {key!r}")
    folder, validity, uid = key.removeprefix("imap:").rsplit("/", 2)
    return folder, validity, uid


class ImapInbox:
    KEYWORD = "NianbaoDone"

    def __init__(self, host: str, port: int, user: str, password: str, folder: str = "INBOX",
                 processed_folder: str | None = "已处理", ssl: bool = False, starttls: bool = False,
                 timeout: float = 60):
        self.host, self.port, self.user, self.password = host, port, user, password
        self.folder, self.processed_folder = folder, processed_folder
        self.ssl, self.starttls, self.timeout = ssl, starttls, timeout
        self.caps: set[str] = set()
        self._box = None

    def _connect(self):
        from imap_tools import MailBox, MailBoxStartTls, MailBoxUnencrypted

        cls = MailBox if self.ssl else MailBoxStartTls if self.starttls else MailBoxUnencrypted
        try:
            box = cls(self.host, self.port, timeout=self.timeout)
        except Exception as exc:  # socket and TLS errors
            raise MailError(f"IMAP {self.host}:{self.port}: {exc}") from exc
        try:
            box.login(self.user, self.password, initial_folder=None)
            # imaplib keeps the list from before login, which lacks MOVE/UIDPLUS on many servers
            typ, data = box.client.capability()
            self.caps = {c.decode().upper() for c in (data[0] or b"").split()}
            if "ID" in self.caps:  # NetEase 163/126 refuse SELECT ("Unsafe Login") without it
                box.client.xatom("ID", '("name" "nianbao" "version" "1" "vendor" "nianbao")')
            if self.processed_folder and not box.folder.exists(self.processed_folder):
                box.folder.create(self.processed_folder)
        except Exception as exc:  # imap_tools' own errors (wrong password…), imaplib's, socket errors
            self._shutdown(box)
            raise MailError(f"IMAP {self.host}:{self.port}: {exc}") from exc
        return box

    @property
    def box(self):
        if self._box is None:
            self._box = self._connect()
        return self._box

    def _call(self, op: Callable[[imaplib.IMAP4], T]) -> T:
        """Run ``op`` on the client; after a dropped connection, reconnect once and run it again."""
        for attempt in (1, 2):
            try:
                return op(self.box.client)
            except _DROPPED as exc:
                self._drop()
                if attempt == 2:
                    raise MailError(f"IMAP {self.host}:{self.port}: {exc}") from exc
            except imaplib.IMAP4.error as exc:
                raise MailError(f"IMAP {self.host}:{self.port}: {exc}") from exc
        raise AssertionError("unreachable")

    def _select(self, client: imaplib.IMAP4, folder: str) -> str:
        """SELECT (a fresh one sees mail that arrived since the last); returns UIDVALIDITY."""
        typ, data = client.select(encode_folder(folder))
        if typ != "OK":
            raise MailError(f"IMAP 无法打开文件夹 {folder}: {data}")
        return client.untagged_responses.get("UIDVALIDITY", [b"0"])[0].decode()

    def _unprocessed(self, client: imaplib.IMAP4) -> tuple[str, list[bytes]]:
        validity = self._select(client, self.folder)
        typ, data = client.uid("SEARCH", None, "UNDELETED", "UNKEYWORD", self.KEYWORD)
        if typ != "OK":
            raise MailError(f"IMAP SEARCH {self.folder}: {data}")
        return validity, (data[0] or b"").split()

    def fetch(self) -> Iterator[RawMail]:
        validity, uids = self._call(self._unprocessed)
        for uid in uids:
            raw = self._call(lambda c, uid=uid: self._body(c, uid))
            if raw is not None:  # None: gone meanwhile (another worker moved it)
                yield RawMail(source_key(self.folder, validity, uid.decode()), raw)

    def _body(self, client: imaplib.IMAP4, uid: bytes) -> bytes | None:
        typ, parts = client.uid("FETCH", uid, "(BODY.PEEK[])")  # exact bytes; not marked seen
        if typ != "OK":
            return None
        return next((p[1] for p in parts if isinstance(p, tuple)), None)

    def mark_processed(self, source_key: str) -> None:
        folder, validity, uid = parse_source_key(source_key)
        self._call(lambda c: self._mark(c, folder, validity, uid))

    def _mark(self, client: imaplib.IMAP4, folder: str, validity: str, uid: str) -> None:
        if self._select(client, folder) != validity:
            return  # the folder was rebuilt: this UID names another message; the next poll re-reads it
        target = encode_folder(self.processed_folder) if self.processed_folder else None
        if target and "MOVE" in self.caps:
            steps = [("MOVE", uid, target)]
        elif target and "UIDPLUS" in self.caps:
            steps = [("COPY", uid, target), ("STORE", uid, "+FLAGS.SILENT", r"(\Deleted)"),
                     ("EXPUNGE", uid)]  # this UID only, never other \Deleted mail
        else:
            steps = [("STORE", uid, "+FLAGS.SILENT", f"({self.KEYWORD})")]
        for command, *args in steps:
            typ, data = client.uid(command, *args)
            if typ != "OK":
                raise MailError(f"IMAP UID {command} {uid} in {folder}: {data}")

    def _drop(self) -> None:
        box, self._box = self._box, None
        if box is not None:
            self._shutdown(box)

    @staticmethod
    def _shutdown(box) -> None:
        try:
            box.client.shutdown()
        except Exception:  # already broken: nothing left to close
            pass

    def close(self) -> None:
        if self._box is not None:
            try:
                self._box.logout()
            except Exception:  # the server may have hung up first; the socket goes either way
                self._drop()
            self._box = None
