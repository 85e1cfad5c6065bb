"""Incoming mail → sender, subject and the spreadsheets attached, however the client packed them;
outgoing mail built so Chinese names survive (RFC 2231 filenames, UTF-8 bodies)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.utils import format_datetime, make_msgid

import pendulum

from nianbao.mail import fields as F
from nianbao.mail.attachments import Attachment, Found, part_filename, walk
from nianbao.mail.headers import message_from_raw

__all__ = ["Attachment", "ParsedMail", "compose", "dedup_key", "message_from_raw", "message_id_for", "parse_headers",
           "parse_mail", "parse_message", "part_filename"]


@dataclass
class ParsedMail:
    message_id: str | None
    sender: str  # bare address, lowercased
    sender_name: str
    subject: str
    date: pendulum.DateTime | None
    attachments: list[Attachment] = field(default_factory=list)  # spreadsheets only, zip contents too
    ignored: list[str] = field(default_factory=list)  # names of the other attachments
    problems: list[tuple[str, dict]] = field(default_factory=list)  # message keys and names, for the reply
    auth_results: list[str] = field(default_factory=list)  # Authentication-Results values, top first
    received: list[str] = field(default_factory=list)  # Received values, top (latest hop) first
    reply_to: str = ""  # Reply-To's bare address: answered only when From gives none


def parse_headers(msg: Message) -> ParsedMail:
    """Sender, subject, Message-ID and Date of a parsed message (or of its header block alone), each
    field read on its own (`fields`): one that cannot be read is left empty, the others still are."""
    addr, name = F.address(msg, "From")
    return ParsedMail(F.message_id(msg), addr, name, F.subject(msg), F.date(msg),
                      auth_results=F.all_values(msg, "Authentication-Results", 20),
                      received=F.all_values(msg, "Received", 50), reply_to=F.address(msg, "Reply-To")[0])


def parse_mail(raw: bytes) -> ParsedMail:
    """The standard library's parser (compat32) after raw 8-bit header bytes are made RFC 2047 words;
    malformed mail gives problems listed in Chinese, not exceptions, wherever the parser allows."""
    return parse_message(message_from_raw(raw))


def parse_message(msg: Message) -> ParsedMail:
    """Headers and spreadsheets of a message parsed by ``message_from_raw``."""
    out = parse_headers(msg)
    found = Found()
    walk(msg, found)
    out.attachments, out.ignored, out.problems = found.attachments, found.ignored, found.problems
    return out


def dedup_key(parsed: ParsedMail, attachment_hashes: Sequence[str], raw: bytes) -> str:
    """What stays the same when a mail is delivered twice or relayed (a relay adds Received: lines):
    the Message-ID and the attachments' hashes; without a Message-ID, the sender, the Date header and
    the attachments' hashes; with neither a Message-ID nor attachments, the whole raw mail."""
    if parsed.message_id:
        who = f"id:{parsed.message_id}"
    elif attachment_hashes:
        who = f"from:{parsed.sender}|{parsed.date.isoformat() if parsed.date else ''}"
    else:
        return f"raw:{hashlib.sha256(raw).hexdigest()}"
    return f"{who[:400]}|{hashlib.sha256('|'.join(attachment_hashes).encode()).hexdigest()}"


def id_token(key: str) -> str:
    """The 32 hex digits that name the outgoing mail queued under ``key`` in its Message-ID."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def token_of(message_id: str) -> str | None:
    """The token of a Message-ID of nianbao's form ('<token.nianbao@domain>'), or None."""
    head = str(message_id or "").strip().lstrip("<")
    token, dot, rest = head.partition(".")
    return token if dot and len(token) == 32 and rest.startswith("nianbao@") and \
        all(c in "0123456789abcdef" for c in token) else None


def message_id_for(key: str, domain: str) -> str:
    """The Message-ID of the outgoing mail queued under ``key``: the same on every re-send."""
    return f"<{id_token(key)}.nianbao@{domain or 'localhost'}>"


def compose(*, sender: tuple[str, str], to: list[str], subject: str, text: str,
            attachments: Sequence[tuple[str, bytes, str]] = (), in_reply_to: str | None = None,
            message_id: str | None = None, cc: Sequence[str] = (),
            date: pendulum.DateTime | None = None, references: Sequence[str] = (),
            auto: str | None = None) -> EmailMessage:
    """A UTF-8 mail; attachments by add_attachment so Chinese names go out as RFC 2231 filename*.

    Without ``message_id`` a random one is set; the outbox replaces it by one derived from its key.
    ``auto`` marks a mail no person wrote (RFC 3834 §5): "auto-generated" (invitations, reminders,
    notices, digests) or "auto-replied" (receipts, answers to a mail)."""
    if auto not in (None, "auto-generated", "auto-replied"):
        raise ValueError(f"auto must be 'auto-generated' or 'auto-replied', not {auto!r}")
    msg = EmailMessage(policy=policy.SMTP)
    user, _, domain = sender[1].partition("@")
    msg["From"] = Address(sender[0], user, domain)
    msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    msg["Subject"] = subject
    msg["Date"] = format_datetime(pendulum.instance(date or pendulum.now("UTC")))
    msg["Message-ID"] = message_id or make_msgid(domain=domain or None)
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    thread = [r for r in [*references, in_reply_to] if r]
    if thread:
        msg["References"] = " ".join(dict.fromkeys(thread))
    if auto:
        # Auto-Submitted stops RFC 3834 responders (and another nianbao) answering; Exchange's Out of
        # Office honours X-Auto-Response-Suppress (MS-OXCMAIL 2.1.3.2.20). No 'Precedence: bulk':
        # RFC 3834 does not ask for it, RFC 2076 discourages it, and it marks mail as mass mail, which
        # filters sort away from the inbox: a clerk's receipt must land where the clerk looks.
        msg["Auto-Submitted"] = auto
        msg["X-Auto-Response-Suppress"] = "All"
    msg.set_content(text, charset="utf-8")
    for filename, data, mimetype in attachments:
        maintype, _, subtype = mimetype.partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg
