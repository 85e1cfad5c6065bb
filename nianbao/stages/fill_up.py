"""`nianbao fill-up`: a province's (or the 省依法治省办's) workbook filled with the city's totals.

The figures are the draft's (`city_aggregate`: sums, and ratios recomputed from summed parts); which
row is which comes from `nianbao.upward`. The input file is never written: the filled copy goes to
``out`` (written beside it under a temporary name, then renamed, so a failure leaves no half file)."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from nianbao.errors import BadInput
from nianbao.resources import Resources
from nianbao.store import write_file
from nianbao.stages.draft import city_aggregate
from nianbao.upward.book import MAX_BYTES, read_book, save_book
from nianbao.upward.figures import city_values
from nianbao.upward.fill import FillResult, fill_book
from nianbao.upward.mapping import load_upward


def _same_file(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    try:
        return b.exists() and os.path.samefile(a, b)  # a hard link or another path to the same file
    except OSError:
        return False


def _write(out: Path, data: bytes) -> None:
    write_file(out, data, durable=False)


def fill_up(res: Resources, year: int, src: Path, out: Path) -> FillResult:
    """Fill ``src`` with ``year``'s city totals into ``out``; BadInput (Chinese) for a file that cannot
    be used, ConfigError for a broken config/upward.yaml, UnknownYearError for a year never opened."""
    cfg = res.config
    src, out = Path(src), Path(out)
    if out.suffix.lower() != ".xlsx":  # Excel refuses to open an .xlsx body under another extension
        raise BadInput(cfg.text("upward_out_suffix", name=out.name))
    if _same_file(src, out):
        raise BadInput(cfg.text("upward_same_file"))
    up = load_upward(res.settings.config_dir, frozenset(i.code for i in cfg.indicators))
    if src.stat().st_size > MAX_BYTES:  # refused before it is read into memory
        raise BadInput(cfg.text("upward_too_large", name=src.name, limit=MAX_BYTES // (1024 * 1024)))
    data = src.read_bytes()
    wb, warnings = read_book(data, src.name, cfg)
    agg = city_aggregate(res, year)
    result = fill_book(wb, up, cfg, city_values(cfg, agg))
    if not result.sheets:
        raise BadInput(cfg.text("upward_no_header", name=src.name, values="、".join(up.value_headers),
                                codes="、".join(up.code_headers), names="、".join(up.name_headers)))
    body, lost = save_book(wb, data, cfg)
    _write(out, body)
    return replace(result, year=year, source=src, out=out, warnings=warnings + lost, expected=agg.expected,
                   reported=agg.reported)
