"""Where outgoing mail goes: a folder of .eml files (embedded default) or an SMTP server.

A delivery run opens one session (`Transport.session()`) and sends every due message through it: one
SMTP connection for the run, replaced when the server dropped it while idle. A server that does not
answer in time raises `ServerDown`, so the run stops after one timeout instead of one per message; one
that drops the connection mid-message raises it with ``dropped`` set (the run may try one new
connection). A message whose every byte reached the server but whose answer never came (a slow
acknowledger, or a connection lost after the final dot) raises `Uncertain`: the server may hold it."""

from __future__ import annotations

import hashlib
import smtplib
import ssl
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Protocol

from nianbao.errors import MailError
from nianbao.settings import Settings
from nianbao.store import write_file


class ServerDown(MailError):
    """The mail server cannot be reached, did not answer in time or dropped the connection."""

    def __init__(self, message: str, *, dropped: bool = False):
        super().__init__(message)
        self.dropped = dropped  # the connection broke (not a silence): a new one may well work


class Uncertain(MailError):
    """The whole message reached the server, whose answer never came: it may well have been delivered."""


class Session(Protocol):
    def send(self, data: bytes, from_addr: str, to: list[str]) -> None: ...


class Transport(Protocol):
    def session(self) -> AbstractContextManager[Session]: ...


class FolderTransport:
    """Writes each message as <sha256>.eml: what an administrator can open; sending twice is a no-op."""

    def __init__(self, path: Path):
        self.path = path

    @contextmanager
    def session(self) -> Iterator[FolderTransport]:
        yield self

    def send(self, data: bytes, from_addr: str, to: list[str]) -> None:
        target = self.path / f"{hashlib.sha256(data).hexdigest()}.eml"
        if target.exists():
            return
        write_file(target, data, durable=False)  # never seen half-written, even by a twin


SECURITY = ("starttls", "ssl", "none")


class _Handover:
    """Knows whether the message itself has gone: smtplib's data() sends the DATA command, then the
    message with its final dot, then waits for the answer; after the second send the server holds
    every byte, and a missing answer no longer means the message was not delivered."""

    handed_over = False
    _data_sends: int | None = None

    def data(self, msg):  # noqa: ANN001, ANN201 - smtplib's signature
        self.handed_over, self._data_sends = False, 0
        try:
            return super().data(msg)
        finally:
            self._data_sends = None

    def send(self, s):  # noqa: ANN001, ANN201
        super().send(s)
        if self._data_sends is not None:
            self._data_sends += 1
            self.handed_over = self._data_sends >= 2


class _SMTP(_Handover, smtplib.SMTP):
    pass


class _SMTP_SSL(_Handover, smtplib.SMTP_SSL):
    pass


class SmtpTransport:
    """SMTP over one connection per session; ``cafile`` trusts a private CA (e.g. a city's own)."""

    def __init__(self, host: str, port: int, security: str = "starttls", user: str | None = None,
                 password: str | None = None, timeout: float = 30, cafile: str | None = None):
        if security not in SECURITY:
            raise MailError(f"SMTP security must be one of {', '.join(SECURITY)}, not {security!r}")
        self.host, self.port, self.security = host, port, security
        self.user, self.password, self.timeout, self.cafile = user, password, timeout, cafile

    def connect(self) -> smtplib.SMTP:
        try:
            context = ssl.create_default_context(cafile=self.cafile)
            if self.security == "ssl":
                smtp = _SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
            else:
                smtp = _SMTP(self.host, self.port, timeout=self.timeout)
            if self.security == "starttls":
                smtp.starttls(context=context)
            if self.user:
                smtp.login(self.user, self.password or "")
            return smtp
        except (OSError, smtplib.SMTPException) as exc:
            raise ServerDown(f"SMTP {self.host}:{self.port}: {exc}") from exc

    @contextmanager
    def session(self) -> Iterator[SmtpSession]:
        session = SmtpSession(self)
        try:
            yield session
        finally:
            session.close()

    def send(self, data: bytes, from_addr: str, to: list[str]) -> None:
        """One message over its own connection (tests, one-off sends)."""
        with self.session() as s:
            s.send(data, from_addr, to)


def _timed_out(exc: BaseException) -> bool:
    """smtplib reports a read that timed out as SMTPServerDisconnected raised while handling it."""
    return isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError)


class SmtpSession:
    IDLE_CHECK_S = 5.0  # a connection unused this long is asked NOOP before the next message

    def __init__(self, transport: SmtpTransport):
        self.transport, self.smtp, self.used_at = transport, None, 0.0

    def send(self, data: bytes, from_addr: str, to: list[str]) -> None:
        """Send one message. A connection that sat idle is checked by NOOP and replaced if the server
        dropped it; one whose MAIL FROM is answered 421 (a server's messages-per-connection limit:
        nothing of the message has gone) is replaced once. Once the message is on its way nothing is
        retried here: a message the server got whole but never answered raises `Uncertain` (the outbox
        decides whether and when to send it again, with the same Message-ID)."""
        if self.smtp is not None and time.monotonic() - self.used_at > self.IDLE_CHECK_S and not self._alive():
            self.close(polite=False)
        for attempt in (1, 2):
            try:
                return self._send(data, from_addr, to)
            except smtplib.SMTPSenderRefused as exc:
                if exc.smtp_code != 421:
                    self._reset()
                    raise MailError(f"{self._where}: {exc}") from exc
                self.close(polite=False)
                if attempt == 2:
                    raise ServerDown(f"{self._where}: {exc}") from exc

    @property
    def _where(self) -> str:
        return f"SMTP {self.transport.host}:{self.transport.port}"

    def _send(self, data: bytes, from_addr: str, to: list[str]) -> None:
        where = self._where
        if self.smtp is None:
            self.smtp = self.transport.connect()
        try:
            # Recipients refused while others were accepted are not retried: a retry would send the
            # accepted ones a second copy.
            self.smtp.handed_over = False
            self.smtp.sendmail(from_addr, to, data)
            self.used_at = time.monotonic()
        except smtplib.SMTPSenderRefused:
            raise  # the caller decides: a 421 to MAIL FROM is retried on a new connection
        except smtplib.SMTPRecipientsRefused as exc:  # every address refused: this message, not the server
            self._reset()
            raise MailError(f"{where}: {exc}") from exc
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code == 421:  # the server is shutting the session down
                self.close(polite=False)
                raise ServerDown(f"{where}: {exc}", dropped=True) from exc
            self._reset()  # this message refused: the session goes on with the next one
            raise MailError(f"{where}: {exc}") from exc
        except (smtplib.SMTPException, OSError) as exc:  # timed out, disconnected mid-message
            handed_over = getattr(self.smtp, "handed_over", False)
            self.close(polite=False)
            if handed_over:
                raise Uncertain(f"{where}: 邮件已全部送到服务器，但服务器未确认收到（{exc or type(exc).__name__}）") from exc
            raise ServerDown(f"{where}: {exc}", dropped=not _timed_out(exc)) from exc

    def _alive(self) -> bool:
        try:
            return self.smtp.noop()[0] == 250
        except (smtplib.SMTPException, OSError):
            return False

    def _reset(self) -> None:
        try:
            self.smtp.rset()
        except (smtplib.SMTPException, OSError):
            self.close(polite=False)

    def close(self, polite: bool = True) -> None:
        """QUIT when the server is talking to us; otherwise just drop the socket (a QUIT to a server
        that stopped answering would wait a whole timeout more)."""
        smtp, self.smtp = self.smtp, None
        if smtp is None:
            return
        try:
            if polite:
                smtp.quit()
        except (smtplib.SMTPException, OSError):
            pass
        finally:
            smtp.close()


def open_transport(settings: Settings) -> Transport:
    conf = settings.mail.outbound
    if conf.backend == "folder":
        return FolderTransport(settings.data_dir / conf.path)
    return SmtpTransport(conf.host, conf.port, conf.security, conf.user, settings.secret("smtp_password"),
                         conf.timeout, conf.cafile)
