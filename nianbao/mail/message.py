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

from nianbao.mail.attachments import Attachment, Found, part_filename, walk
from nianbao.mail.headers import decode_header_value, normalize_8bit_headers
from nianbao.mail.mime_split import fast_message

__all__ = ["Attachment", "ParsedMail", "compose", "dedup_key", "message_id_for", "parse_mail", "part_filename"]


@dataclass
class ParsedMail:
    message_id: str | None
    sender: str  # bare address, lowercased
    sender_name: str
    subject: str
    date: pendulum.DateTime | None
    attachments: list[Attachment] = field(default_factory=list)  # spreadsheets only, zip contents too
    ignored: list[str] = field(default_factory=list)  # names of the other attachments
    problems: list[str] = field(default_factory=list)  # in Chinese, for the reply


SHANGHAI = "Asia/Shanghai"
# Held for the life of the process: pendulum's Timezone (a ZoneInfo subclass) stays cached only while
# something refers to it, so converting by name re-read the tz database for every mail (~40 µs).
_SHANGHAI_TZ = pendulum.timezone(SHANGHAI)
MAX_ID = 400  # Message-IDs and addresses longer than any real one are cut, so they fit their columns
MAX_ADDRESS = 300


def _sender(msg: Message) -> tuple[str, str]:
    """(bare address lowercased, display name): the address is split off before the name is decoded,
    so a decoded name holding a comma or angle bracket cannot break it."""
    pairs = getaddresses([str(msg.get("From", ""))])
    name, addr = next(((n, a) for n, a in pairs if a), pairs[0] if pairs else ("", ""))
    return addr.strip().lower()[:MAX_ADDRESS], decode_header_value(name).strip('" ')


def _date(msg: Message) -> pendulum.DateTime | None:
    try:
        value = parsedate_to_datetime(str(msg["Date"])) if msg["Date"] else None
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if value is None or value.tzinfo is None:  # '-0000' or no zone at all: the time is not usable
        return None
    return pendulum.instance(value).in_timezone(_SHANGHAI_TZ)


def parse_mail(raw: bytes) -> ParsedMail:
    """Best effort on anything; never raises for malformed mail (problems are listed instead)."""
    data = normalize_8bit_headers(raw)
    msg = fast_message(data) or message_from_bytes(data, policy=policy.compat32)
    addr, name = _sender(msg)
    mid = str(msg.get("Message-ID") or "").strip()[:MAX_ID] or None
    out = ParsedMail(mid, addr, name, decode_header_value(msg.get("Subject", "")), _date(msg))
    found = Found()
    walk(msg, found)
    out.attachments, out.ignored, out.problems = found.attachments, found.ignored, found.problems
    return out


def dedup_key(parsed: ParsedMail, raw: bytes) -> str:
    """Message-ID plus content hash: a second delivery of the same mail has both the same."""
    return f"{parsed.message_id or ''}|{hashlib.sha256(raw).hexdigest()}"


def message_id_for(key: str, domain: str) -> str:
    """The Message-ID of the outgoing mail queued under ``key``: the same on every re-send."""
    return f"<{hashlib.sha256(key.encode('utf-8')).hexdigest()[:32]}.nianbao@{domain or 'localhost'}>"


def compose(*, sender: tuple[str, str], to: list[str], subject: str, text: str,
            attachments: Sequence[tuple[str, bytes, str]] = (), in_reply_to: str | None = None,
            message_id: str | None = None, cc: Sequence[str] = (),
            date: pendulum.DateTime | None = None, references: Sequence[str] = ()) -> EmailMessage:
    """A UTF-8 mail; attachments by add_attachment so Chinese names go out as RFC 2231 filename*.

    Without ``message_id`` a random one is set; the outbox replaces it by one derived from its key."""
    msg = EmailMessage(policy=policy.SMTP)
    user, _, domain = sender[1].partition("@")
    msg["From"] = Address(sender[0], user, domain)
    msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    msg["Subject"] = subject
    msg["Date"] = format_datetime(pendulum.instance(date or pendulum.now(SHANGHAI)).in_timezone(SHANGHAI))
    msg["Message-ID"] = message_id or make_msgid(domain=domain or None)
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    thread = [r for r in [*references, in_reply_to] if r]
    if thread:
        msg["References"] = " ".join(dict.fromkeys(thread))
    msg.set_content(text, charset="utf-8")
    for filename, data, mimetype in attachments:
        maintype, _, subtype = mimetype.partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg
