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

# The sheet of the year's work plan tasks (重点任务落实情况): one row a task the unit leads or shares.
TASK_SHEET = "重点任务落实情况"
TASK_HEADER_ROW, TASK_FIRST_ROW = 3, 4
TASK_ID, TASK_TEXT, TASK_ROLE, TASK_STATUS, TASK_MEASURES, TASK_DOCUMENTS, TASK_REASON = "ABCDEFG"
TASK_HEADERS = ("任务编号", "重点任务", "本单位角色", "完成情况", "主要举措和成效", "出台的制度文件（每行一个文件名称）",
                "未完成原因和下一步打算")
MAX_TASKS = 300  # rows the reader looks at: a year's plan has dozens of tasks
MAX_MEASURES, MAX_REASON, MAX_DOCUMENTS = 2000, 1000, 2000  # characters of a task's answer cells
MAX_TITLE, MAX_TITLES = 120, 30  # characters of one document title; titles of one task
