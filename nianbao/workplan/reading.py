"""A plan file as written: its lines of text and its tables, in document order, each line and row with
the place a person finds it again ("第12行", "第12段", "表1第3行"). No structure is read here.

Accepted: .docx (python-docx, see `docx_reading`), .txt (UTF-8, UTF-16 with a byte-order mark, or
GB18030/GBK as Chinese Windows saves it) and .md (UTF-8: heading marks, list bullets and emphasis
dropped; pipe tables read as tables). A file is untrusted: its size and its text are bounded."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path

from nianbao.workplan.errors import PlanFormatError

MAX_BYTES = 20 * 1024 * 1024  # a plan is a few hundred kilobytes; anything near this is not one
MAX_CHARS = 2_000_000  # text read out of a file (a .docx inflates): past this it is refused, not parsed
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc/.wps (the old binary formats)


@dataclass(frozen=True)
class Line:
    text: str
    where: str


@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]
    where: str


@dataclass(frozen=True)
class Table:
    rows: tuple[Row, ...]
    number: int  # 表N, counted from 1 in document order


@dataclass(frozen=True)
class Source:
    name: str
    blocks: tuple[Line | Table, ...]
    notes: tuple[str, ...] = field(default=())  # what reading noticed (Word's automatic numbering)


def read_source(path: Path) -> Source:
    """The file's blocks; PlanFormatError (in Chinese) for a file that is not a readable plan."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise PlanFormatError(f"找不到计划文件：{path}") from None
    if not path.is_file():
        raise PlanFormatError(f"{path} 不是文件")
    if size > MAX_BYTES:
        raise PlanFormatError(f"{path.name} 有 {size / 1024 / 1024:.1f} MB，超过 {MAX_BYTES // 1024 // 1024} MB 的上限，"
                              "不像一份工作计划")
    suffix = path.suffix.lower()
    with path.open("rb") as fh:
        head = fh.read(8)
    if suffix in (".doc", ".wps") or (suffix == ".docx" and head == OLE_MAGIC):
        raise PlanFormatError(f"{path.name} 是旧版 Word/WPS 文档，请用 Word 或 WPS 另存为 .docx 后再导入")
    if suffix == ".docx":
        from nianbao.workplan.docx_reading import read_docx

        return read_docx(path, MAX_CHARS)
    if suffix not in (".txt", ".md", ".markdown"):
        raise PlanFormatError(f"不支持 {path.suffix or '无扩展名'} 文件，请使用 .docx、.txt 或 .md 格式的工作计划")
    text = decode(path.read_bytes(), path.name)
    if len(text) > MAX_CHARS:
        raise PlanFormatError(f"{path.name} 的正文超过 {MAX_CHARS:,} 字，不像一份工作计划")
    blocks = _markdown(text) if suffix != ".txt" else tuple(Line(t, f"第{n}行") for n, t in enumerate(text.splitlines(), 1))
    return Source(path.name, blocks)


def decode(data: bytes, name: str) -> str:
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text
    raise PlanFormatError(f"{name} 不是文本文件，或其编码无法识别（应为 UTF-8 或 GB18030/GBK）")


_MD_PREFIX = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+)")
_MD_EMPHASIS = re.compile(r"\*\*|__|`")
_MD_RULE = re.compile(r"^\s*:?-{3,}:?\s*$")


def _md_line(text: str) -> str:
    while (m := _MD_PREFIX.match(text)) and m.end() > 0:
        text = text[m.end():]
    return _MD_EMPHASIS.sub("", text).rstrip("# \\")


def _cells(text: str) -> tuple[str, ...]:
    inner = text.strip().removeprefix("|").removesuffix("|")
    parts = re.split(r"(?<!\\)\|", inner)
    return tuple(_md_line(p.strip().replace("\\|", "|")).replace("<br>", "\n").replace("<br/>", "\n") for p in parts)


def _markdown(text: str) -> tuple[Line | Table, ...]:
    out: list[Line | Table] = []
    rows: list[Row] = []
    tables = 0
    for n, raw in enumerate([*text.splitlines(), ""], 1):
        if raw.lstrip().startswith("|"):
            cells = _cells(raw)
            if not all(_MD_RULE.match(c) for c in cells):  # the |---|---| line under the header
                rows.append(Row(cells, f"第{n}行"))
            continue
        if rows:
            tables += 1
            out.append(Table(tuple(rows), tables))
            rows = []
        out.append(Line(_md_line(raw), f"第{n}行"))
    return tuple(out)
