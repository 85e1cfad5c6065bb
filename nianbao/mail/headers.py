"""Decoding header values the way Chinese mail clients really write them.

Python's email package handles RFC 2047 and RFC 2231, but mangles raw 8-bit GBK bytes and words
labelled gb2312 that hold GBK-only characters; a name split across encoded-words in the middle of a
multi-byte character also needs the words joined before decoding.
"""

from __future__ import annotations

import base64
import re
from email import policy
from email.errors import HeaderParseError
from email.header import decode_header
from email.message import Message
from email.parser import BytesFeedParser

# GB2312 and GBK are subsets of GB18030: decoding with the superset never loses a character.
_SUPERSET = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030",
             "euc-cn": "gb18030", "hz-gb-2312": "gb18030"}


def charset_for(label: str | None) -> str:
    label = (label or "utf-8").strip().lower()
    return _SUPERSET.get(label, label)


def decode_bytes(raw: bytes, label: str | None = None) -> str:
    """Bytes of unknown or doubtful charset: the label, then UTF-8, then GB18030."""
    for cs in ([charset_for(label)] if label else []) + ["utf-8", "gb18030"]:
        try:
            return raw.decode(cs)
        except (LookupError, UnicodeError):  # UnicodeError: a codec that refuses all ("undefined")
            continue
    return raw.decode("utf-8", errors="replace")


_SURROGATES = re.compile(r"[\udc80-\udcff]+")
_FOLD = re.compile(r"\r?\n[ \t]+")


def _undo_surrogates(text: str) -> str:
    """Raw 8-bit header bytes come back from email's parser as surrogate escapes; decode them."""
    if not _SURROGATES.search(text):
        return text
    return decode_bytes(text.encode("utf-8", "surrogateescape"))


def decode_header_value(value: str | bytes | None) -> str:
    """Any header value (subject, display name, filename) → correct Unicode."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "surrogateescape")
    value = _FOLD.sub(" ", _undo_surrogates(str(value)))
    if "=?" not in value:
        return value.strip()
    try:
        parts = decode_header(value)
    except (HeaderParseError, ValueError):  # a broken word: keep the text as written rather than fail
        return value.strip()
    out: list[str] = []
    pending, pending_cs = b"", None
    for chunk, cs in parts:  # join adjacent words of one charset: a character may be split between them
        if isinstance(chunk, str):
            chunk, cs = chunk.encode("utf-8", "surrogateescape"), None
        if cs == pending_cs:
            pending += chunk
        else:
            if pending:
                out.append(decode_bytes(pending, pending_cs))
            pending, pending_cs = chunk, cs
    if pending:
        out.append(decode_bytes(pending, pending_cs))
    return "".join(out).strip()


_QUOTED = re.compile(r'"([^"]*[^\x00-\x7f][^"]*)"')
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _word(text: str) -> str:
    return f"=?utf-8?b?{base64.b64encode(text.encode('utf-8')).decode()}?="


def _encode_line(line: str) -> str:
    name, sep, value = line.partition(":")
    if sep and name.strip().lower() == "subject":
        return f"{name}: {_word(value.strip())}"
    value = _QUOTED.sub(lambda m: f'"{_word(m.group(1))}"', line)
    return _NON_ASCII.sub(lambda m: _word(m.group(0)), value)




_BLANK_LINE = re.compile(rb"\n\r?\n")
_BOUNDARY_LOWER = re.compile(rb'boundary\s*=\s*"?([^"\s;]+)"?')  # on raw.lower(): a literal prefix is fast


def _block_end(raw: bytes, start: int) -> int:
    found = _BLANK_LINE.search(raw, start)
    return found.start() if found else len(raw)


def _header_blocks_ascii(raw: bytes, delimiters: set[bytes]) -> bool:
    """True when the message's header block and every block after a delimiter line are 7-bit (found with
    bytes.find: a line-by-line pass over a 25 KB attachment costs more than the rest of the parse)."""
    if not raw[:_block_end(raw, 0)].isascii():
        return False
    for delim in delimiters:
        pos = 0
        while (found := raw.find(b"\n" + delim, pos)) >= 0:
            pos = found + 1 + len(delim)
            if not raw[pos:_block_end(raw, pos)].isascii():
                return False
    return True


def normalize_8bit_headers(raw: bytes) -> bytes:
    """Raw 8-bit (GBK or UTF-8) bytes in header lines → RFC 2047 words, so the parser keeps them.

    Only header blocks are touched: the message's own and each MIME part's (after a line that is one
    of the declared boundaries), never a body, even one with lines starting with '--'."""
    if raw.isascii():  # much mail: encoded words and base64 only
        return raw
    # Boundaries keep their case: found in the lowered copy, cut from the original (same length).
    delimiters = {b"--" + raw[m.start(1):m.end(1)] for m in _BOUNDARY_LOWER.finditer(raw.lower())}
    if _header_blocks_ascii(raw, delimiters):  # the rest: 8-bit text bodies under clean headers
        return raw
    out, in_header = [], True
    for line in raw.splitlines(keepends=True):
        body = line.rstrip(b"\r\n")
        if in_header and not body:
            in_header = False
        elif not in_header and body.rstrip().removesuffix(b"--") in delimiters:
            in_header = True  # part headers follow (after the closing form: nothing, harmless)
            out.append(line)
            continue
        if in_header and any(b > 0x7F for b in body):
            ending = line[len(body):]
            line = _encode_line(decode_bytes(body)).encode("ascii") + ending
        out.append(line)
    return b"".join(out)


FEED_BYTES = 1024 * 1024  # the parser is fed this much at a time


def message_from_raw(raw: bytes) -> Message:
    """The parsed message (compat32, 8-bit header bytes made RFC 2047 words first).

    Fed to the standard parser a MB at a time: `message_from_bytes` first makes the whole mail one text
    and a buffer of it, ~8x the mail's size at its peak (measured +231 MB for a 29 MB mail, +85 MB fed)."""
    parser = BytesFeedParser(policy=policy.compat32)
    data = normalize_8bit_headers(raw)
    for start in range(0, len(data), FEED_BYTES):
        parser.feed(data[start:start + FEED_BYTES])
    return parser.close()
