"""A year-on-year change as printed: computed from the two like-for-like figures as the appendix shows
them (two decimals), so every change can be recomputed from its row, and judged by report.yaml's
``materiality``: on a small base it is not said (2 → 3 is not "增长50%"), below the threshold it reads
基本持平. The draft, the units' drafts, the leaders' mail and the appendix all use this one reading."""

from __future__ import annotations

from typing import Literal

from nianbao.config.report import Materiality
from nianbao.report.aggregate import Figure

Reading = Literal["none", "flat", "up", "down"]


def shown(value: float | None) -> float | None:
    """A figure as the appendix prints it."""
    return None if value is None else round(value, 2)


def pct(f: Figure) -> float | None:
    """The change in %, from the printed like-for-like figures; None without a base."""
    now, before = (shown(v) for v in f.compared)
    if now is None or not before:
        return None
    return (now - before) / before * 100


def pp(f: Figure) -> float | None:
    """A rate's change in percentage points, from the printed like-for-like figures."""
    now, before = (shown(v) for v in f.compared)
    if not f.is_rate or now is None or before is None:
        return None
    return now - before


def reading(m: Materiality, f: Figure) -> Reading:
    """How the change is said: not at all (no base, or a small one), 基本持平, or up / down."""
    if f.is_rate:
        change = pp(f)
        if change is None:
            return "none"
        return "flat" if abs(change) < m.min_pp else ("up" if change > 0 else "down")
    change, (now, before) = pct(f), (shown(v) for v in f.compared)
    if change is None or now is None or before is None or abs(before) < m.min_base:
        return "none"
    trivial = abs(change) < m.min_pct or abs(now - before) < m.min_abs
    return "flat" if trivial else ("up" if change > 0 else "down")
