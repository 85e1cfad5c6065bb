"""A task's unit clause: the labels (牵头单位, 责任单位, 参加单位, 完成时限…) and the names after them.

A list of names is split on 、，,；;/ and line breaks, never inside brackets (各县（市、区）人民政府) and
never inside a name the roster or groups.yaml spell with such a mark (市各委、办、局). It is not split
on 和 or 及 here: 市自然资源和规划局 is one unit; `resolve` splits "A和B" only when A and B both are
known names and the whole is not.

Where a capture runs a list into the next task's text ("参加单位:各有关部门依法平等保护企业产权…", the
next task's number lost), ``check=True`` ends the list at the first item that does not read as a name,
keeping its leading name: the longest known name it starts with, or else its longest start (at most 20
characters) that ends as names end. What follows is returned as text that is not a name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from nianbao.workplan.textnorm import NAME_ENDS, Text, name_like

LABELS = {"牵头单位": "lead", "牵头部门": "lead", "责任单位": "responsible", "责任部门": "responsible",
          "配合单位": "responsible", "配合部门": "responsible", "参加单位": "responsible", "参与单位": "responsible",
          "协办单位": "responsible", "完成时限": "deadline", "完成时间": "deadline", "完成期限": "deadline",
          "时间节点": "deadline", "时限要求": "deadline"}
LABEL_PATTERN = "|".join(sorted(LABELS, key=len, reverse=True))
SEPARATORS = "、,;/\n"  # NFKC form: ，；／ are half-width here
_TRIM = " \t\u3000。.:\"'“”‘’《》"
MAX_CUT = 20


@dataclass(frozen=True)
class Vocabulary:
    """What the parser may know of names: the length of the longest known name a normalised text starts
    with (0: none), and the known names that contain a separator (matched whole, before splitting)."""
    known_prefix: Callable[[str], int] = lambda _: 0
    protected: tuple[str, ...] = ()


def split_items(t: Text, a: int, b: int, vocab: Vocabulary) -> list[tuple[int, int]]:
    """The norm spans of the names in t.norm[a:b], trimmed, empty ones left out."""
    spans, depth, start, i = [], 0, a, a
    norm, fresh = t.norm, True  # fresh: nothing but spaces since the item began
    while i < b:
        ch = norm[i]
        if fresh and not ch.isspace():
            fresh = False
            hit = next((k for k in vocab.protected if i + len(k) <= b and norm.startswith(k, i)
                        and (i + len(k) == b or norm[i + len(k)] in SEPARATORS)), None)
            if hit:
                i += len(hit)
                continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(depth - 1, 0)
        elif ch in SEPARATORS and depth == 0:
            spans.append((start, i))
            start, fresh = i + 1, True
        i += 1
    spans.append((start, b))
    out = []
    for x, y in spans:
        while x < y and norm[x] in _TRIM:
            x += 1
        while y > x and norm[y - 1] in _TRIM:
            y -= 1
        if x < y:
            out.append((x, y))
    return out


def _cut(norm: str, vocab: Vocabulary) -> int:
    known = vocab.known_prefix(norm)
    if 0 < known < len(norm):
        return known
    for end in range(min(MAX_CUT, len(norm) - 2), 1, -1):
        if norm[end - 1] in NAME_ENDS:
            return end
    return 0


def clause_names(t: Text, a: int, b: int, vocab: Vocabulary, *, check: bool) -> tuple[list[tuple[int, int]], int | None]:
    """(the names' norm spans, where text that is not a name begins — None when all of it is names)."""
    spans = split_items(t, a, b, vocab)
    if not check:
        return spans, None
    for k, (x, y) in enumerate(spans):
        if name_like(t.norm[x:y]) or (vocab.known_prefix(t.norm[x:y]) == y - x):
            continue
        cut = _cut(t.norm[x:y], vocab)
        if cut:
            return [*spans[:k], (x, x + cut)], x + cut
        if k:
            return spans[:k], x
    return spans, None


def closing(norm: str, start: int) -> int:
    """The position of the bracket closing the one at ``start`` (brackets inside counted), or the end."""
    depth = 0
    for i in range(start, len(norm)):
        if norm[i] == "(":
            depth += 1
        elif norm[i] == ")":
            depth -= 1
            if depth == 0:
                return i
    return len(norm)
