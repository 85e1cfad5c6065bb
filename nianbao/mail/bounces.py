"""Delivery failures of the mail nianbao sent: RFC 3464 reports, and the plain-text bounces of qmail,
Exim, Postfix without DSN and Chinese webmail (Coremail, NetEase "系统退信"). Pure, bounded (every list
and text has a cap) and never raising: what one malformed part hides, the other parts still give."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser
from email.policy import compat32
from email.utils import parseaddr
from typing import NamedTuple

from nianbao.mail.headers import decode_bytes, decode_header_value
from nianbao.textsafe import one_line

MAX_FAILED = 20  # recipients listed per bounce: nianbao's mails go to a unit's few contacts
MAX_IDS = 10
MAX_ADDRESS = 300
MAX_DIAGNOSTIC = 300
MAX_BLOCKS = 101  # delivery-status field blocks read: the per-message one and 100 recipients
MAX_PARTS = 50
MAX_TEXT = 256 * 1024  # characters of body text searched per bounce


class Failed(NamedTuple):
    address: str  # lowercased, as unit contacts are compared
    status: str  # "5.1.1", or "" when the report gives none
    diagnostic: str  # one line, at most MAX_DIAGNOSTIC characters


@dataclass(frozen=True)
class Bounce:
    failed: tuple[Failed, ...] = ()  # with delayed=True: the recipients not delivered yet
    original_ids: tuple[str, ...] = ()  # Message-IDs of the returned mail
    delayed: bool = False  # only delays reported (Action: delayed): the server is still trying


_STATUS_TYPES = ("message/delivery-status", "message/global-delivery-status")  # RFC 3464, RFC 6533
_STATUS = re.compile(r"(?<![\d.])([245]\.\d{1,3}\.\d{1,3})(?![\d.])")
_ID = re.compile(r"<[^<>\s]{1,398}>")
_QUOTED_ID = re.compile(r"^[ \t>]*Message-ID[ \t]*[:：][ \t]*(?:\r?\n[ \t]+)?(<[^<>\s]{1,398}>)", re.M | re.I)
_OUR_ID = re.compile(r"<[0-9a-f]{32}\.nianbao@[^<>\s]{1,300}>")
_ADDRESS = re.compile(r"[^\s<>()\[\]\"',;:：，；（）@]{1,64}@[^\s<>()\[\]\"',;:：，；（）@]{1,253}")
_DAEMON = re.compile(r"^(mailer[-_]?daemon|postmaster)$", re.I)
_NOT_RECIPIENT = re.compile(r"^(mailer[-_]?daemon|postmaster|[0-9a-f]{32}\.nianbao)$", re.I)  # nor our ids
_WORDING = re.compile(
    r"undeliver|could ?n[o']t be delivered|delivery (status notification|has failed|failed|failure|to the following)"
    r"|failure notice|returned mail|returning message to sender|wasn't able to deliver|permanent error"
    r"|退信|退回|投递失败|无法投递|发送失败|未能送达|无法送达|投递不成功", re.I)
# Where a plain-text bounce starts quoting the returned mail: addresses after it are not the failed ones.
_QUOTE_START = re.compile(
    r"^(-+ ?(below this line is a copy|this is a copy of the message|original message|forwarded message)"
    r"|(return-path|received|dkim-signature|mime-version|content-type|x-[\w-]+)[ \t]*:)", re.M | re.I)
_NOT_RECIPIENT_LINE = re.compile(r"^\s*(message-id|in-reply-to|references|from|sender|发件人|发信人)\s*[:：]", re.I)
_TAG = re.compile(r"<(/?(?:br|p|div|tr|li|table|h\d)\b)?[^<>]{0,2000}>", re.I)


def _first(block: Message, *names: str) -> str:
    """The first value of any of ``names``, raw bytes decoded (8-bit text in a DSN body is left as
    surrogates by the parser), folded lines joined."""
    wanted = {n.lower() for n in names}
    for key, value in block.raw_items():
        if key.lower() in wanted:
            return decode_header_value(str(value)[:4 * MAX_DIAGNOSTIC + 1000])
    return ""


def _address(value: str) -> str:
    """'rfc822; <a@b.cn>' → 'a@b.cn'."""
    _, _, addr = value.rpartition(";")
    return one_line(addr.strip().strip("<>"), MAX_ADDRESS).lower()


def _parts(msg: Message) -> Iterator[Message]:
    """The message and its parts, breadth first and capped; never into a returned message."""
    queue, seen = [msg], 0
    while queue and seen < MAX_PARTS:
        part = queue.pop(0)
        seen += 1
        yield part
        if part.is_multipart() and part.get_content_type() != "message/rfc822":
            queue.extend(p for p in part.get_payload()[:MAX_PARTS] if isinstance(p, Message))


def _decoded(part: Message, cte: str | None = None) -> str:
    """A part's text, transfer-decoded; with ``cte``, the encoding its container declared (a base64
    message/rfc822 or delivery-status leaves one header-less block of encoded text)."""
    if cte is not None:
        carrier = Message()
        carrier["Content-Transfer-Encoding"] = cte
        carrier.set_payload(str(part.get_payload())[:2 * MAX_TEXT])
        part = carrier
    data = part.get_payload(decode=True)
    return decode_bytes(data[:MAX_TEXT], part.get_content_charset()) if isinstance(data, bytes) else ""


def _cte(part: Message) -> str:
    return str(part.get("Content-Transfer-Encoding", "")).strip().lower()


def _status_blocks(part: Message) -> list[Message]:
    """A message/delivery-status body as field blocks: the parser's own, or split here when it was
    base64-encoded (the parser then saw one block of encoded text; QP text it splits as it is)."""
    payload = part.get_payload()
    if isinstance(payload, list) and _cte(part) != "base64":
        return [b for b in payload[:MAX_BLOCKS] if isinstance(b, Message)]
    text = _decoded(payload[0], _cte(part)) if isinstance(payload, list) and payload else _decoded(part)
    blocks = re.split(r"\r?\n[ \t]*\r?\n", text, maxsplit=MAX_BLOCKS)[:MAX_BLOCKS]
    return [HeaderParser(policy=compat32).parsestr(b.strip("\r\n")) for b in blocks]


def _returned_id(part: Message) -> str | None:
    """The Message-ID of the returned mail, from a text/rfc822-headers or message/rfc822 part."""
    inner = part.get_payload()
    if isinstance(inner, list) and inner and inner[0].keys():
        value = _first(inner[0], "Message-ID")
    else:
        text = _decoded(inner[0], _cte(part)) if isinstance(inner, list) and inner else _decoded(part)
        value = _first(HeaderParser(policy=compat32).parsestr(text, headersonly=True), "Message-ID")
    found = _ID.search(value)
    return found.group(0) if found else None


def _body_text(msg: Message) -> str:
    """The human-readable text of a bounce (HTML reduced to text), capped."""
    out: list[str] = []
    size = 0
    for part in _parts(msg):
        ctype = part.get_content_type()
        if ctype not in ("text/plain", "text/html") or size >= MAX_TEXT:
            continue
        text = _decoded(part)
        if ctype == "text/html":
            text = html.unescape(_TAG.sub(lambda m: "\n" if m.group(1) else "", text))
        out.append(text[:MAX_TEXT - size])
        size += len(out[-1])
    return "\n".join(out)


def _add_id(ids: list[str], value: str | None) -> None:
    if value and value not in ids and len(ids) < MAX_IDS:
        ids.append(value)


def _returned_ids(msg: Message, text: str) -> tuple[str, ...]:
    """Message-IDs of the returned mail: from its attached headers or copy, else quoted in the text
    ('Message-ID:' lines, else any id of nianbao's form, as Chinese webmail bounces write it)."""
    ids: list[str] = []
    for part in _parts(msg):
        if part.get_content_type() in ("text/rfc822-headers", "message/rfc822", "message/global-headers"):
            try:
                _add_id(ids, _returned_id(part))
            except Exception:  # noqa: BLE001 - a broken copy of the original: the text may still quote it
                continue
    for found in [] if ids else _QUOTED_ID.finditer(text):
        _add_id(ids, found.group(1))
    for found in [] if ids else _OUR_ID.finditer(text):
        _add_id(ids, found.group(0))
    return tuple(ids)


def _failed(address: str, status: str, diagnostic: str) -> Failed:
    found = _STATUS.search(status) or _STATUS.search(diagnostic)
    return Failed(address, found.group(1) if found else "", one_line(diagnostic[:4 * MAX_DIAGNOSTIC], MAX_DIAGNOSTIC))


def _recipient(block: Message, failed: list[Failed], delayed: list[Failed]) -> None:
    """One per-recipient block: failed (Action: failed, or no Action and a 5.x.x status), delayed
    (Action: delayed, or no Action and 4.x.x), else a success (delivered, relayed, expanded): ignored."""
    try:
        recipient = _address(_first(block, "Final-Recipient", "Original-Recipient"))
        if not recipient:
            return  # the per-message block, or a broken one
        action = _first(block, "Action").strip().lower()
        entry = _failed(recipient, _first(block, "Status"), _first(block, "Diagnostic-Code"))
        if action.startswith("failed") or (not action and entry.status.startswith("5")):
            failed.append(entry)
        elif action.startswith("delayed") or (not action and entry.status.startswith("4")):
            delayed.append(entry)
    except Exception:  # noqa: BLE001 - a broken block: the other recipients are still read
        return


def _from_report(msg: Message) -> Bounce | None:
    """An RFC 3464 report; None when it reports neither a failure nor a delay (a 'delivered' notice)."""
    failed: list[Failed] = []
    delayed: list[Failed] = []
    for part in _parts(msg):
        if part.get_content_type() in _STATUS_TYPES:
            try:
                for block in _status_blocks(part):
                    _recipient(block, failed, delayed)
            except Exception:  # noqa: BLE001 - one broken part: keep what the others gave
                continue
    if not failed and not delayed:
        return None
    return Bounce(tuple((failed or delayed)[:MAX_FAILED]), _returned_ids(msg, _body_text(msg)), delayed=not failed)


def _recipients_in_text(text: str, skip: set[str]) -> list[Failed]:
    """The recipients a plain-text bounce names before it quotes the returned mail, each with the lines
    that follow it (qmail '<a>:' + reason; Exim indented address + SMTP error; Postfix '<a>: host …
    said: 550 5.1.1 …'; Coremail '收件人：a' + '退信原因：…'), until a blank line or another address."""
    quote = _QUOTE_START.search(text)
    lines = [ln for ln in text[:quote.start() if quote else len(text)].splitlines()
             if not _NOT_RECIPIENT_LINE.match(ln)]
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in lines:
        fresh = [a for a in (x.rstrip(".").lower() for x in _ADDRESS.findall(line))
                 if a not in skip and "." in a.partition("@")[2] and not _NOT_RECIPIENT.match(a.partition("@")[0])]
        if fresh and fresh[0] not in found:
            if len(found) >= MAX_FAILED:
                break
            current = found.setdefault(fresh[0][:MAX_ADDRESS], [])
            at = line.lower().find(fresh[0])
            current.append(line[at + len(fresh[0]):].strip(" \t:<>") if at >= 0 else "")
        elif current is not None and line.strip() and len(current) < 8:
            current.append(line.strip())
        elif current is not None and any(current):
            current = None  # a blank line after the reason ends it
    return [_failed(addr, "", " ".join(x for x in diag if x)) for addr, diag in found.items()]


def _from_text(msg: Message, own: set[str]) -> Bounce:
    text = _body_text(msg)
    skip = own | {parseaddr(str(msg.get("From", ""))[:2000])[1].lower()}
    listed = [_address(a) for a in _first(msg, "X-Failed-Recipients").split(",") if a.strip()]  # Exim
    in_text = {f.address: f for f in _recipients_in_text(text, skip)}
    failed = [in_text.pop(a, None) or Failed(a, "", "") for a in dict.fromkeys(listed) if a] + list(in_text.values())
    return Bounce(tuple(failed[:MAX_FAILED]), _returned_ids(msg, text))


def null_sender(msg: Message) -> bool:
    """An empty return path: how RFC 5321 §4.5.5 and RFC 3834 §3.3 say bounces and auto-replies go out."""
    return _first(msg, "Return-Path").strip() == "<>"


def from_daemon(msg: Message) -> bool:
    """A return path or From of MAILER-DAEMON or postmaster, or a From named 'Mail Delivery
    Subsystem/System' (Sendmail, Gmail, Postfix): the mail system, not a person, wrote it."""
    if _DAEMON.match(_first(msg, "Return-Path").strip(" <>").partition("@")[0]):
        return True
    name, addr = parseaddr(str(msg.get("From", ""))[:2000])
    return bool(_DAEMON.match(addr.partition("@")[0])
                or re.search(r"mail delivery (subsystem|system)", decode_header_value(name), re.I))


def bounce_of(msg: Message, own_addresses: Iterable[str] = ()) -> Bounce | None:
    """The delivery failure ``msg`` reports, or None when it is not one. A plain-text mail counts only
    when a mail system sent it (null return path, MAILER-DAEMON, X-Failed-Recipients) and it is worded
    like a bounce: a clerk writing "退回" in a subject is no bounce."""
    try:
        if any(p.get_content_type() in _STATUS_TYPES for p in _parts(msg)):
            return _from_report(msg)
        if not (null_sender(msg) or from_daemon(msg) or _first(msg, "X-Failed-Recipients")):
            return None
        if not (_WORDING.search(_first(msg, "Subject")) or _WORDING.search(_body_text(msg)[:8000])):
            return None
        return _from_text(msg, {a.lower() for a in own_addresses})
    except Exception:  # noqa: BLE001 - never raise for hostile mail: it is then simply not read as a bounce
        return None
