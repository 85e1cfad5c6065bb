"""An IMAP folder as the intake mailbox, written for the servers units and cities really use (NetEase,
QQ/Tencent Exmail, Exchange, Coremail, Dovecot).

Each message is read as its exact bytes (BODY.PEEK[], which also leaves it unread) and keyed on
(folder, UIDVALIDITY, UID); its size and INTERNALDATE (when the server took it: the bureau's receipt
time) come first, so a mail over the size limit is never downloaded whole. It is moved to the processed
folder only when the intake says so, after its results are committed: by MOVE, else by COPY + UID
EXPUNGE of that one UID (UIDPLUS), else it is only given the keyword ``NianbaoDone`` (a plain EXPUNGE
would also remove mail a person marked deleted). Mail that could not be taken goes to the failed folder
(or gets ``NianbaoFailed``). When another intake worker moved the message first, the server answers
NO [EXPUNGEISSUED] or [NONEXISTENT]: that is the other worker's success, not an error.
"""

from __future__ import annotations

import datetime as dt
import imaplib
import re
from collections.abc import Callable, Iterator
from typing import TypeVar

import pendulum
from imap_tools.utils import encode_folder

from nianbao.errors import MailError
from nianbao.mail.inbox_types import DEFAULT_MAX_MAIL_BYTES, HEAD_BYTES, RawMail

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


_TAKEN = re.compile(rb"\[(EXPUNGEISSUED|NONEXISTENT)\]")  # another session expunged or moved it first
_TRYCREATE = re.compile(rb"\[TRYCREATE\]")
_META = re.compile(rb"UID (\d+)|RFC822\.SIZE (\d+)|INTERNALDATE \"([^\"]+)\"")


def _meta(line: bytes) -> tuple[str | None, int, pendulum.DateTime | None]:
    uid = size = when = None
    for m in _META.finditer(line):
        uid = m[1].decode() if m[1] else uid
        size = int(m[2]) if m[2] else size
        if m[3]:
            try:  # RFC 3501 date-time: "17-Jul-1996 02:44:25 -0700" (the day may be space-padded)
                when = pendulum.instance(dt.datetime.strptime(m[3].decode().strip(), "%d-%b-%Y %H:%M:%S %z"))
            except ValueError:
                when = None
    return uid, size if size is not None else -1, when


class ImapInbox:
    KEYWORD = "NianbaoDone"
    FAILED_KEYWORD = "NianbaoFailed"

    def __init__(self, host: str, port: int, user: str, password: str, folder: str = "INBOX",
                 processed_folder: str | None = "已处理", ssl: bool = False, starttls: bool = False,
                 timeout: float = 60, failed_folder: str | None = "处理失败",
                 max_bytes: int = DEFAULT_MAX_MAIL_BYTES):
        self.host, self.port, self.user, self.password = host, port, user, password
        self.folder, self.processed_folder, self.failed_folder = folder, processed_folder, failed_folder
        self.max_bytes = max_bytes
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
            for name in (self.processed_folder, self.failed_folder):
                if name and not box.folder.exists(name):
                    box.folder.create(name)
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

    def _unprocessed(self, client: imaplib.IMAP4) -> tuple[str, list[tuple[str, int, pendulum.DateTime | None]]]:
        """UIDVALIDITY and (UID, size, INTERNALDATE) of every message not yet processed."""
        validity = self._select(client, self.folder)
        typ, data = client.uid("SEARCH", None, "UNDELETED", "UNKEYWORD", self.KEYWORD,
                               "UNKEYWORD", self.FAILED_KEYWORD)
        if typ != "OK":
            raise MailError(f"IMAP SEARCH {self.folder}: {data}")
        uids = (data[0] or b"").split()
        if not uids:
            return validity, []
        typ, lines = client.uid("FETCH", b",".join(uids), "(UID RFC822.SIZE INTERNALDATE)")
        if typ != "OK":
            raise MailError(f"IMAP FETCH {self.folder}: {lines}")
        found = {}
        for line in lines:
            uid, size, when = _meta(line if isinstance(line, bytes) else line[0])
            if uid:
                found[uid] = (uid, size, when)
        return validity, [found[u.decode()] for u in uids if u.decode() in found]

    def fetch(self) -> Iterator[RawMail]:
        validity, found = self._call(self._unprocessed)
        for uid, size, when in found:
            whole = 0 <= size <= self.max_bytes
            raw = self._call(lambda c, uid=uid, whole=whole: self._body(c, uid, whole))
            if raw is not None:  # None: gone meanwhile (another worker moved it)
                yield RawMail(source_key(self.folder, validity, uid), raw, size, when, whole)

    def _body(self, client: imaplib.IMAP4, uid: str, whole: bool) -> bytes | None:
        item = "BODY.PEEK[]" if whole else f"BODY.PEEK[]<0.{HEAD_BYTES}>"  # exact bytes; not marked seen
        typ, parts = client.uid("FETCH", uid, f"({item})")
        if typ != "OK":
            return None
        return next((p[1] for p in parts if isinstance(p, tuple)), None)

    def mark_processed(self, source_key: str) -> None:
        folder, validity, uid = parse_source_key(source_key)
        self._call(lambda c: self._mark(c, folder, validity, uid, self.processed_folder, self.KEYWORD))

    def mark_failed(self, source_key: str) -> None:
        folder, validity, uid = parse_source_key(source_key)
        self._call(lambda c: self._mark(c, folder, validity, uid, self.failed_folder, self.FAILED_KEYWORD))

    def _mark(self, client: imaplib.IMAP4, folder: str, validity: str, uid: str, target_folder: str | None,
              keyword: str) -> None:
        if self._select(client, folder) != validity:
            return  # the folder was rebuilt: this UID names another message; the next poll re-reads it
        target = encode_folder(target_folder) if target_folder else None
        if target and "MOVE" in self.caps:
            steps = [("MOVE", uid, target)]
        elif target and "UIDPLUS" in self.caps:
            steps = [("COPY", uid, target), ("STORE", uid, "+FLAGS.SILENT", r"(\Deleted)"),
                     ("EXPUNGE", uid)]  # this UID only, never other \Deleted mail
        else:
            steps = [("STORE", uid, "+FLAGS.SILENT", f"({keyword})")]
        for command, *args in steps:
            typ, data = client.uid(command, *args)
            text = b" ".join(d for d in data if isinstance(d, bytes))
            if typ == "OK":
                continue
            if _TAKEN.search(text):
                return  # another worker took it first: done, by them
            if _TRYCREATE.search(text) and target_folder:  # the folder was removed meanwhile
                client.create(target)
                typ, data = client.uid(command, *args)
                if typ == "OK":
                    continue
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
