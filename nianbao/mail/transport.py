"""Where outgoing mail goes: a folder of .eml files (embedded default) or an SMTP server."""

from __future__ import annotations

import hashlib
import os
import smtplib
import ssl
from pathlib import Path
from typing import Protocol

from nianbao.errors import MailError
from nianbao.settings import Settings


class Transport(Protocol):
    def send(self, data: bytes, from_addr: str, to: list[str]) -> None: ...


class FolderTransport:
    """Writes each message as <sha256>.eml: what an administrator can open; sending twice is a no-op."""

    def __init__(self, path: Path):
        self.path = path

    def send(self, data: bytes, from_addr: str, to: list[str]) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        target = self.path / f"{hashlib.sha256(data).hexdigest()}.eml"
        if target.exists():
            return
        tmp = self.path / f".{target.stem}.{os.getpid()}.tmp"  # never seen half-written, even by a twin
        tmp.write_bytes(data)
        os.replace(tmp, target)


SECURITY = ("starttls", "ssl", "none")


class SmtpTransport:
    """One connection per message: deliveries are minutes apart, and a fresh connection never meets
    a session the server already timed out. ``cafile`` trusts a private CA (e.g. a city's own)."""

    def __init__(self, host: str, port: int, security: str = "starttls", user: str | None = None,
                 password: str | None = None, timeout: float = 30, cafile: str | None = None):
        if security not in SECURITY:
            raise MailError(f"SMTP security must be one of {', '.join(SECURITY)}, not {security!r}")
        self.host, self.port, self.security = host, port, security
        self.user, self.password, self.timeout, self.cafile = user, password, timeout, cafile

    def send(self, data: bytes, from_addr: str, to: list[str]) -> None:
        try:
            context = ssl.create_default_context(cafile=self.cafile)
            if self.security == "ssl":
                smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with smtp:
                if self.security == "starttls":
                    smtp.starttls(context=context)
                if self.user:
                    smtp.login(self.user, self.password or "")
                # Recipients refused while others were accepted are not retried: a retry would send
                # the accepted ones a second copy.
                smtp.sendmail(from_addr, to, data)
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"SMTP {self.host}:{self.port}: {exc}") from exc


def open_transport(settings: Settings) -> Transport:
    conf = (settings.mail or {}).get("outbound") or {"backend": "folder", "path": "mail/outbox"}
    if conf.get("backend", "folder") == "folder":
        return FolderTransport(settings.data_dir / conf.get("path", "mail/outbox"))
    if conf["backend"] == "smtp":
        return SmtpTransport(conf["host"], int(conf.get("port", 587)), conf.get("security", "starttls"),
                             conf.get("user"), settings.secret("smtp_password"),
                             float(conf.get("timeout", 30)), conf.get("cafile"))
    raise MailError(f"unknown outbound mail backend {conf['backend']!r} (folder or smtp)")
