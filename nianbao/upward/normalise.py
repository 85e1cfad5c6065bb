"""Labels as two people type them: a province's 指标名称 and ours differ in width, spaces, brackets and
dashes, not in words. Both sides go through the same normalisation before they are compared, so no
fuzzy matching is needed (and no row is ever matched to a merely similar indicator)."""

from __future__ import annotations

import re
import unicodedata

# After NFKC (full-width ASCII → half-width, U+3000 → space): the bracket and dash variants NFKC keeps.
_UNIFY = str.maketrans({"【": "(", "】": ")", "〔": "(", "〕": ")", "［": "(", "］": ")", "〖": "(", "〗": ")",
                        "[": "(", "]": ")", "{": "(", "}": ")", "「": "(", "」": ")",
                        "—": "-", "–": "-", "―": "-", "‐": "-", "‑": "-", "−": "-", "─": "-",
                        "“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "。": ".",
                        "·": "", "•": "", "\u200b": "", "\ufeff": ""})
_SPACE = re.compile(r"\s+")
# "其中：罚款", "1.罚款", "(1)罚款", "一、罚款", "①罚款": the row's place in their list, not its name.
_PREFIX = re.compile(r"^(?:其中:?|\(?[0-9]{1,3}[).、]|\([0-9一二三四五六七八九十]{1,3}\)|[一二三四五六七八九十]{1,3}、)")
_CIRCLED = re.compile(r"^\s*[①-⑳]")  # before NFKC, which turns ① into a plain 1
_TRAILING = re.compile(r"\(([^()]{1,6})\)$")  # "行政处罚合计（件）": a measure word, if it is one of ours


def normalise(text: object) -> str:
    """Width, case, spaces (incl. full-width), bracket and dash variants unified."""
    if text is None:
        return ""
    if isinstance(text, float) and text.is_integer():
        text = int(text)  # a code typed as a number (101) reads back as 101.0
    s = unicodedata.normalize("NFKC", str(text)).translate(_UNIFY)
    return _SPACE.sub("", s).lower()


def label_key(text: object, measure_words: frozenset[str] = frozenset()) -> str:
    """A row label compared with ours: normalised, without a list number in front or a measure word
    in brackets behind (``measure_words``: the units of our indicators, normalised)."""
    if isinstance(text, str):
        text = _CIRCLED.sub("", text, count=1) or text
    s = normalise(text)
    s = _PREFIX.sub("", s, count=1) or s
    m = _TRAILING.search(s)
    if m and m.group(1) in measure_words and m.start() > 0:
        s = s[:m.start()]
    return s


def header_key(text: object) -> tuple[str, str]:
    """(the header normalised, the same without a bracketed remark behind: 本年数值（2026年）)."""
    s = normalise(text)
    m = _TRAILING.search(s)
    return s, (s[:m.start()] if m and m.start() > 0 else s)
