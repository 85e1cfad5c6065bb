"""Each header field a reply needs, read on its own: a field that breaks its parser (a Date past year
9999, a charset named "undefined", a From of deeply nested comments, a value megabytes long) costs that
field, never the others, so the sender can still be answered. Every value is cut to a length bound
before it is parsed and after."""

from __future__ import annotations

import re
from collections.abc import Callable
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime
from typing import TypeVar

import pendulum

from nianbao.mail.headers import decode_header_value
from nianbao.textsafe import one_line

T = TypeVar("T")
MAX_ID = 400  # Message-IDs and addresses longer than any real one are cut, so they fit their columns
MAX_ADDRESS = 300
MAX_SUBJECT = 500
MAX_NAME = 200
MAX_VALUE = 8192  # of a raw header value, before any parser sees it: no real From or Subject is longer
MAX_SEARCH = 64 * 1024  # of a From searched by pattern (linear): as much as a header block may hold
# An address as written in any From, for when the address parser fails on the rest of the value: the
# last <…@…>, else the last bare local@domain.
_ANGLED = re.compile(r"<\s*([^<>@\s\"()]{1,200}@[^<>@\s\"()]{1,200})\s*>")
_BARE = re.compile(r"(?<![^\s<(:,;\"])([A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63})\b")


def guarded(read: Callable[[], T], default: T) -> T:
    """``read()``, or ``default`` when it raises anything (RecursionError and MemoryError included)."""
    try:
        return read()
    except Exception:  # noqa: BLE001 - one field's parser failing on hostile input is that field's loss
        return default


def raw_value(msg: Message, name: str, bound: int = MAX_VALUE) -> str:
    """The field's first value as text, cut to ``bound`` characters ('' when absent or unreadable)."""
    return guarded(lambda: str(msg.get(name) or "")[:bound], "")


def address(msg: Message, name: str) -> tuple[str, str]:
    """(bare address lowercased, display name) of From or Reply-To: the address is split off before the
    name is decoded, so a decoded name holding a comma or angle bracket cannot break it. If the address
    parser fails, the address is found by pattern and the name is dropped."""
    value = raw_value(msg, name, MAX_SEARCH)

    def parsed() -> tuple[str, str]:
        pairs = getaddresses([value[:MAX_VALUE]])
        found, addr = next(((n, a) for n, a in pairs if a), pairs[0] if pairs else ("", ""))
        return one_line(addr, MAX_ADDRESS).lower(), guarded(
            lambda: one_line(decode_header_value(found), MAX_NAME).strip('" '), "")

    def by_pattern() -> tuple[str, str]:
        found = _ANGLED.findall(value) or _BARE.findall(value)
        return (one_line(found[-1], MAX_ADDRESS).lower() if found else ""), ""

    addr, name_ = guarded(parsed, ("", ""))
    return (addr, name_) if "@" in addr else guarded(by_pattern, ("", ""))


def message_id(msg: Message) -> str | None:
    return guarded(lambda: one_line(raw_value(msg, "Message-ID", 2 * MAX_ID), MAX_ID), "") or None


def subject(msg: Message) -> str:
    """Decoded; as written when its encoded words cannot be decoded."""
    value = raw_value(msg, "Subject")
    return guarded(lambda: one_line(decode_header_value(value), MAX_SUBJECT),
                   guarded(lambda: one_line(value, MAX_SUBJECT), ""))


def date(msg: Message) -> pendulum.DateTime | None:
    """The Date field in UTC; None when absent, unparsable, without a zone, or out of range."""
    value = raw_value(msg, "Date", 200)

    def read() -> pendulum.DateTime | None:
        when = parsedate_to_datetime(value) if value else None
        if when is None or when.tzinfo is None:  # '-0000' or no zone at all: the time is not usable
            return None
        return pendulum.instance(when).in_timezone(pendulum.UTC)

    return guarded(read, None)


def all_values(msg: Message, name: str, count: int, bound: int = 2000) -> list[str]:
    """The field's first ``count`` values, each on one line and cut to ``bound``."""
    values = guarded(lambda: msg.get_all(name, [])[:count], [])
    return [v for v in (guarded(lambda v=v: one_line(str(v)[:bound * 2], bound), "") for v in values) if v]
