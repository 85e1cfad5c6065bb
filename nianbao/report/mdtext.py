"""Text from outside (a unit's 特色亮点, a note) inside the report's Markdown: always one plain run of
text. Line breaks become spaces and every character Markdown gives a meaning to is escaped, so a
narrative can never make a heading, a list, a link or a table in the .md; `unescape` gives the text
back for the .html (then HTML-escaped) and the .docx (a run of plain text)."""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~])")
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()<>#+\-.!|~])")
_SPACE = re.compile(r"\s+")


def plain(text: object) -> str:
    return _SPECIAL.sub(r"\\\1", _SPACE.sub(" ", str(text or "")).strip())


def unescape(text: str) -> str:
    return _ESCAPED.sub(r"\1", text)
