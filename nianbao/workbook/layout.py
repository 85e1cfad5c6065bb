"""Where things are in a nianbao workbook: shared by the template writer, the reader and the filler."""

from __future__ import annotations

import hashlib
import hmac

TEMPLATE_VERSION = "2026.1"
IDENTITY_SHEET = "_identity"
INSTRUCTIONS_SHEET = "填报说明"
NARRATIVE_SHEET = "特色亮点与问题"
HEADER_ROW = 3
FIRST_ROW = 4
COL_CODE, COL_NAME, COL_UNIT, COL_VALUE, COL_LAST, COL_NOTE = "A", "B", "C", "D", "E", "F"
HEADERS = ("指标代码", "指标名称", "计量单位", "本年数值", "上年数值", "备注/上报说明")
NA_TEXT = "不涉及"
MAX_ROWS = 400  # the reader looks no further than this: templates hold far fewer rows
MAX_COLS = 8
MAX_SHEETS = 64  # a template has eight; a clerk may add a few, never thousands
UNIT_LABEL = "填报单位："
UNIT_LABELS = (UNIT_LABEL, "填报单位:")  # workbooks issued before 2026-11 carry the half-width colon
# Identity fields as the database holds them, and the report years a workbook can plausibly carry.
MAX_CODE, MAX_VERSION = 32, 40
MIN_YEAR, MAX_YEAR = 2000, 2200
MAX_NOTE, MAX_NARRATIVE = 2000, 4000  # characters of a note or a narrative cell


def signature(key: bytes, unit_code: str, year: int, version: str) -> str:
    return hmac.new(key, f"{unit_code}|{year}|{version}".encode(), hashlib.sha256).hexdigest()
