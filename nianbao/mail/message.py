"""Incoming mail → sender, subject and the spreadsheets attached, however the client packed them;
outgoing mail built so Chinese names survive (RFC 2231 filenames, UTF-8 bodies)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.utils import format_datetime, getaddresses, make_msgid, parsedate_to_datetime

import pendulum

from nianbao.mail.headers import decode_bytes, decode_header_value, normalize_8bit_headers
from nianbao.mail.zipped import unpack_zip

SHEET_EXT = (".xlsx", ".xlsm", ".xls", ".ods", ".et")
MAGIC = {b"PK\x03\x04": ".xlsx", b"\xd0\xcf\x11\xe0": ".xls"}


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes
    via: str = ""  # '' | 'zip:<archive name>' | 'forwarded'


@dataclass
class ParsedMail:
    message_id: str | None
    sender: str
    sender_name: str
    subject: str
    date: pendulum.DateTime | None
    attachments: list[Attachment] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def part_filename(part: Message) -> str:
    """The attachment's real name: RFC 2231 filename* wins over a placeholder filename, then name=."""
    for header in ("content-disposition", "content-type"):
        params = part.get_params(header=header, failobj=[]) or []
        found = {}
        for key, value in params[1:]:
            key = key.lower()
            if key in ("filename", "name"):
                if isinstance(value, tuple):  # RFC 2231 (charset, language, value), already joined
                    charset, _, text = value
                    raw = text.encode("latin-1", "surrogateescape") if isinstance(text, str) else text
                    found.setdefault(key + "*", decode_bytes(bytes(raw), charset))
                else:
                    found.setdefault(key, decode_header_value(value.strip('"')))
        for key in ("filename*", "name*", "filename", "name"):
            if found.get(key):
                return found[key]
    return ""


def _sniff(data: bytes) -> str:
    return next((ext for magic, ext in MAGIC.items() if data.startswith(magic)), "")


def _walk(msg: Message, out: ParsedMail, via: str = "") -> None:
    for part in ([msg] if not msg.is_multipart() else msg.get_payload()):
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            for inner in part.get_payload() or []:
                _walk(inner, out, "forwarded")
            continue
        if part.is_multipart():
            _walk(part, out, via)
            continue
        name = part_filename(part)
        if not name and part.get_content_maintype() == "text":
            continue
        data = part.get_payload(decode=True) or b""
        lower = name.lower()
        if not name:
            ext = _sniff(data)
            if not ext:
                continue
            name = f"未命名附件{ext}"
            lower = name
        if lower.endswith(".zip"):
            files, problems = unpack_zip(data, name)
            out.attachments += [Attachment(n, "application/octet-stream", d, f"zip:{name}") for n, d in files]
            out.problems += problems
        elif lower.endswith(SHEET_EXT):
            out.attachments.append(Attachment(name, ctype, data, via))
        else:
            out.ignored.append(name)


def parse_mail(raw: bytes) -> ParsedMail:
    """Best effort on anything; never raises for malformed mail (problems are listed instead)."""
    msg = message_from_bytes(normalize_8bit_headers(raw), policy=policy.compat32)
    pairs = getaddresses([decode_header_value(msg.get("From", ""))])
    name, addr = pairs[0] if pairs else ("", "")
    try:
        date = pendulum.instance(parsedate_to_datetime(msg["Date"])) if msg["Date"] else None
        date = date if date and date.tzinfo else None
    except (TypeError, ValueError, IndexError):
        date = None
    mid = (msg.get("Message-ID") or "").strip() or None
    out = ParsedMail(mid, addr.strip().lower(), name, decode_header_value(msg.get("Subject", "")),
                     date.in_timezone("Asia/Shanghai") if date else None)
    _walk(msg, out)
    return out


def dedup_key(parsed: ParsedMail, raw: bytes) -> str:
    """Message-ID plus content hash: a second delivery of the same mail has both the same."""
    return f"{parsed.message_id or ''}|{hashlib.sha256(raw).hexdigest()}"


def compose(*, sender: tuple[str, str], to: list[str], subject: str, text: str,
            attachments: Sequence[tuple[str, bytes, str]] = (), in_reply_to: str | None = None,
            message_id: str | None = None, cc: Sequence[str] = (),
            date: pendulum.DateTime | None = None) -> EmailMessage:
    msg = EmailMessage(policy=policy.SMTP)
    user, _, domain = sender[1].partition("@")
    msg["From"] = Address(sender[0], user, domain)
    msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    msg["Subject"] = subject
    msg["Date"] = format_datetime((date or pendulum.now("Asia/Shanghai")))
    msg["Message-ID"] = message_id or make_msgid(domain=domain or None)
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    msg.set_content(text, charset="utf-8")
    for filename, data, mimetype in attachments:
        maintype, _, subtype = mimetype.partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg
