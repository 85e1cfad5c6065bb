"""Text from outside (mail headers, workbook cells) made safe to store and to show: no NUL or other
control characters (PostgreSQL refuses NUL in text; CR or U+2028 in a header breaks the reply's
subject), and never longer than the column or the page can hold."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029\ufeff]")
_BREAKS = re.compile(r"[\s\x00-\x1f\x7f\u2028\u2029\ufeff]+")


def one_line(text: object, limit: int = 500) -> str:
    """A subject, a name, a filename: every line break and control character becomes one space."""
    return _BREAKS.sub(" ", str(text or "")).strip()[:limit]


def multi_line_checked(text: object, limit: int = 4000) -> tuple[str, bool]:
    """A narrative or a note: line breaks kept (\\r\\n as \\n), other control characters dropped; and
    whether that changed what the writer meant (characters dropped or the text cut), so they are told."""
    s = str(text or "").replace("\r\n", "\n").replace("\r", "\n")
    kept = _CONTROL.sub("", s).strip()
    return kept[:limit], _CONTROL.search(s) is not None or len(kept) > limit
