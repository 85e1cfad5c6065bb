"""Work plan fixtures: the seed plans, the sample city's config (a copy where a test edits it), and
small plans written as a person would (.txt in either punctuation, .docx built with python-docx)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nianbao.settings import REPO_ROOT

DATA = Path(__file__).parent / "data"
NANTONG = DATA / "nantong_2019_plan.txt"
LVYUAN = DATA / "lvyuan_plan_capture.txt"


@pytest.fixture
def config_copy(tmp_path: Path) -> Path:
    dst = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "config", dst)
    return dst


def text_plan(folder: Path, text: str, name: str = "plan.txt", encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def docx_plan(folder: Path, paragraphs: list[str] = (), table: list[list[str]] | None = None,
              merged: tuple[int, ...] = (), after: list[str] = (), name: str = "plan.docx") -> Path:
    """A .docx with ``paragraphs``, then (if given) ``table`` whose rows ``merged`` are one cell across the
    whole width (as Word merges a section row), then ``after``."""
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        t = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            if r in merged:
                cell = t.cell(r, 0).merge(t.cell(r, len(row) - 1))
                cell.text = row[0]
                continue
            for c, value in enumerate(row):
                t.cell(r, c).text = value
    for text in after:
        document.add_paragraph(text)
    path = folder / name
    document.save(str(path))
    return path
