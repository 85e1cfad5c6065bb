"""Lines as the parser reads them: each a `Text` that knows, for any position, the line it came from.

A web capture of a paged document (seed 001, from a 文库 site) breaks its text at page ends, mid-word,
and starts each page with the page's number: "…深入贯彻习近平总书记视察吉林重要讲话重要指" / "2、示精神，…".
Such page numbers are recognised by all of: at least three lines in a row numbered k、, k+1、, k+2、…,
and at least two thirds of the lines before them ending mid-sentence (a plan's own numbered tasks end
with 。 or with their units' closing bracket). Those numbers are dropped and each page is joined to the
text it continues. Any other line is kept as it is."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from nianbao.workplan.reading import Line
from nianbao.workplan.textnorm import Text

_PAGE = re.compile(r"^\s*(\d{1,4})\s*、")
_ENDS_SENTENCE = tuple("。!?;:)”’」』")  # NFKC form: ！？；：） are half-width here


@dataclass(frozen=True)
class Logical:
    text: Text
    starts: tuple[int, ...]  # orig positions where each source line begins
    wheres: tuple[str, ...]

    def where(self, pos: int) -> str:
        """The source location of norm position ``pos``."""
        orig = self.text.index[min(pos, len(self.text.index) - 1)]
        return self.wheres[max(bisect.bisect_right(self.starts, orig) - 1, 0)]


def _page_numbers(texts: list[Text]) -> dict[int, bool]:
    """Lines that start with a page number: line index → whether it continues the line before."""
    numbers = [int(m.group(1)) if (m := _PAGE.match(t.norm)) else None for t in texts]
    out: dict[int, bool] = {}
    i = 0
    while i < len(texts):
        j = i
        while numbers[i] is not None and j + 1 < len(texts) and numbers[j + 1] == (numbers[j] or 0) + 1:
            j += 1
        if j - i + 1 >= 3:
            broken = [k for k in range(i, j + 1) if k > 0 and not texts[k - 1].norm.rstrip().endswith(_ENDS_SENTENCE)]
            if 3 * len([k for k in broken if k > i]) >= 2 * (j - i):
                out.update({k: k in broken for k in range(i, j + 1)})
        i = j + 1
    return out


def logical_lines(lines: list[Line]) -> list[Logical]:
    """The non-empty lines, page-numbered captures rejoined."""
    kept = [ln for ln in lines if ln.text.strip()]
    texts = [Text.of(ln.text) for ln in kept]
    pages = _page_numbers(texts)
    out: list[tuple[list[str], list[int], list[str]]] = []  # (pieces, their orig starts, their wheres)
    for k, (line, text) in enumerate(zip(kept, texts, strict=True)):
        body = line.text
        if k in pages:
            body = text.orig[text.index[_PAGE.match(text.norm).end()]:]
        if pages.get(k) and out:
            pieces, starts, wheres = out[-1]
            starts.append(starts[-1] + len(pieces[-1]))
            pieces.append(body)
            wheres.append(line.where)
        else:
            out.append(([body], [0], [line.where]))
    return [Logical(Text.of("".join(pieces)), tuple(starts), tuple(wheres)) for pieces, starts, wheres in out]
