"""Workbook errors as the clerk reads them: what happened and what to do (config/messages.yaml)."""

from __future__ import annotations

from nianbao.cityconfig import CityConfig
from nianbao.errors import WorkbookError
from nianbao.workbook.errors import Encrypted, Hostile, NotAWorkbook, ReaderFailed, TooLarge

KEYS = {
    NotAWorkbook: "file_not_a_workbook",
    TooLarge: "file_too_large",
    Hostile: "file_hostile",
    Encrypted: "file_encrypted",
    ReaderFailed: "file_reader_failed",
}


def describe(config: CityConfig, exc: WorkbookError) -> str:
    for cls, key in KEYS.items():
        if isinstance(exc, cls):
            return config.text(key)
    return config.text("file_unreadable")
