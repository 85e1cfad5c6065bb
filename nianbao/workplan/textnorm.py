"""Text as the parser compares it and as the task file keeps it.

Patterns are matched on the NFKC form (full-width ，；：（）１ become , ; : ( ) 1, so a plan typed with
either punctuation reads the same), while what is kept (task text, unit names as written) is cut from
the original through a position map. Also here: Chinese numerals, a task's short title, and whether a
piece of text looks like a unit's name."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

NUMERALS = "一二三四五六七八九十"
STOPS = "。!?"  # after NFKC: 。！？ (。 has no half-width form in NFKC)


@dataclass(frozen=True)
class Text:
    orig: str
    norm: str
    index: tuple[int, ...]  # norm position → orig position (one more entry: the end)

    @classmethod
    def of(cls, orig: str) -> Text:
        norm, index = [], []
        for i, ch in enumerate(orig):
            for c in unicodedata.normalize("NFKC", ch):
                norm.append(c)
                index.append(i)
        index.append(len(orig))
        return cls(orig, "".join(norm), tuple(index))

    def cut(self, a: int, b: int) -> str:
        """The original text of norm[a:b], without surrounding whitespace."""
        return self.orig[self.index[a]:self.index[b]].strip()


def zh_number(text: str) -> int:
    """一…九十九 (and the "-" a text capture leaves for 一 in "(-)") as an integer."""
    if text in ("-", "—", "－"):
        return 1
    if "十" not in text:
        return NUMERALS.index(text) + 1 if len(text) == 1 else 0
    tens, _, ones = text.partition("十")
    value = (NUMERALS.index(tens) + 1 if tens else 1) * 10
    return value + (NUMERALS.index(ones) + 1 if ones else 0)


_CLAUSE_END = re.compile(r"[,，;；:：]")
_SENTENCE_END = re.compile(r"[。！？!?]")


def short_title(text: str, limit: int = 30) -> str:
    """The text's first clauses, whole, up to ``limit`` characters, within its first sentence ("建立完善
    政务服务体系，实现基层公共服务全覆盖"); a first clause longer than that is cut at a 、 (or, failing
    that, with an ellipsis)."""
    first = _SENTENCE_END.split(text.strip(), maxsplit=1)[0].strip() or text.strip()
    ends = [m.start() for m in _CLAUSE_END.finditer(first)] + [len(first)]
    title = ""
    for end in ends:
        candidate = first[:end].strip()
        if len(candidate) > limit:
            break
        title = candidate
    if not title:
        clause = first[:ends[0]].strip() or first
        pause = clause.rfind("、", 0, limit)  # a long first clause: up to its last enumeration pause that fits
        title = clause[:pause] if pause > limit // 2 else clause[:limit - 1] + "…"
    return title.rstrip(",，;；:：、")


# The last character of a unit's name (局, 委, 办, 部门, 单位, 政府, 中心, 街道, 各地…), after any bracketed
# remark: 各镇（街道）, 市委办公室（市委保密办）.
NAME_ENDS = set("局委办室院部门位府会心所队组处科厅庭行司社团联馆站区县市镇乡道关协署台校场支盟地厂")
_TRAILING_BRACKETS = re.compile(r"(\([^()]*\))+$")
MAX_NAME = 30


def name_like(norm: str) -> bool:
    """Whether a (normalised) piece of text reads as a unit's name: short, and ending as names end."""
    core = _TRAILING_BRACKETS.sub("", norm.strip()).rstrip("等")
    return 0 < len(norm) <= MAX_NAME and len(core) > 1 and core[-1] in NAME_ENDS
