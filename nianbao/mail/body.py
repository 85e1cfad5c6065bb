"""What a person wrote in a reply to one of nianbao's mails: the new text above the quoted original, and
the Word files attached (a leader's edited draft). Pure and bounded: a part of a hostile mail costs at
most its capped size, and nothing here raises."""

from __future__ import annotations

import html
import re
from email.message import Message

from nianbao.mail.attachments import part_filename
from nianbao.mail.headers import decode_bytes

MAX_TEXT = 1000  # characters kept of a reply's own text
MAX_SCAN = 200_000  # bytes of a text part looked at
MAX_PARTS = 100
MAX_DOCX = 3
MAX_DOCX_BYTES = 20 * 1024 * 1024
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Where clients start quoting: Outlook, Foxmail/QQ, NetEase, Gmail/Thunderbird ('On … wrote:').
_QUOTE = re.compile(
    r"^\s*(-{2,}\s*(原始邮件|original message|回复的原邮件|forwarded message)\s*-{2,}|_{5,}"
    r"|(发件人|from|发送时间|sent)\s*[:：].{0,200}$|on .{0,200} wrote:\s*$|在 .{0,200}写道[:：]\s*$)", re.I)
_TAG = re.compile(r"<(br|p|div|tr|li)\b[^>]{0,2000}>|<[^<>]{0,2000}>", re.I)


def _parts(msg: Message) -> list[Message]:
    out = []
    for n, part in enumerate(msg.walk()):
        if n >= MAX_PARTS:
            break
        out.append(part)
    return out


def _attachment(part: Message) -> bool:
    return str(part.get("Content-Disposition", "")).lower().startswith("attachment") or bool(part_filename(part))


def _decoded(part: Message) -> str:
    raw = part.get_payload(decode=True) or b""
    return decode_bytes(bytes(raw[:MAX_SCAN]), part.get_content_charset())


def reply_text(msg: Message) -> str:
    """The reply's own words (first text part, or HTML with tags dropped), without the quoted original."""
    try:
        texts = [p for p in _parts(msg) if p.get_content_maintype() == "text" and not _attachment(p)]
        part = next((p for p in texts if p.get_content_subtype() == "plain"), texts[0] if texts else None)
        if part is None:
            return ""
        text = _decoded(part)
        if part.get_content_subtype() == "html":
            text = html.unescape(_TAG.sub(lambda m: "\n" if m.group(1) else "", text))
        lines = []
        for line in text.splitlines():
            if _QUOTE.match(line):
                break
            if not line.lstrip().startswith(">"):
                lines.append(line.rstrip())
        return "\n".join(lines).strip()[:MAX_TEXT]
    except Exception:  # noqa: BLE001 - a part the parser cannot decode: no text, not a failure
        return ""


def docx_files(msg: Message) -> list[tuple[str, bytes]]:
    """(name, bytes) of the Word (.docx) files attached, at most MAX_DOCX and MAX_DOCX_BYTES in all."""
    out: list[tuple[str, bytes]] = []
    total = 0
    try:
        for part in _parts(msg):
            if part.is_multipart():
                continue
            name = part_filename(part)
            if not (name.lower().endswith(".docx") or part.get_content_type() == DOCX):
                continue
            data = bytes(part.get_payload(decode=True) or b"")
            if not data.startswith(b"PK") or total + len(data) > MAX_DOCX_BYTES:
                continue
            total += len(data)
            out.append((name or "修改稿.docx", data))
            if len(out) >= MAX_DOCX:
                break
    except Exception:  # noqa: BLE001
        return out
    return out
