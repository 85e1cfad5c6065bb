"""A .docx plan's paragraphs and tables in body order (python-docx), as `reading` blocks.

The file is untrusted. Before python-docx opens it, the zip's directory is checked: a bounded number of
members, each and all together of bounded declared size (Python's zipfile never inflates a member past
its declared size, so these bounds hold for what is read). python-docx parses XML without resolving
entities. Whatever it still raises becomes a PlanFormatError in Chinese. Paragraphs are counted as a
person counts them ("第12段": the twelfth paragraph with text); table rows as "表1第3行"."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

from nianbao.workplan.errors import PlanFormatError
from nianbao.workplan.reading import Line, Row, Source, Table

MAX_MEMBERS = 2000
MAX_MEMBER_BYTES = 32 * 1024 * 1024  # a plan's document.xml is a few megabytes
MAX_TOTAL_BYTES = 100 * 1024 * 1024  # python-docx reads every part into memory
MAX_ROWS = 5000  # rows of one table
MAX_COLUMNS = 64


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as z:
            members = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise PlanFormatError(f"{path.name} 不是有效的 Word 文档（.docx），可能已损坏；"
                              "请用 Word 或 WPS 打开后另存为 .docx") from None
    names = {m.filename for m in members}
    if "[Content_Types].xml" not in names:
        raise PlanFormatError(f"{path.name} 不是 Word 文档（.docx）：其中没有正文部分")
    if len(members) > MAX_MEMBERS or any(m.file_size > MAX_MEMBER_BYTES for m in members) \
            or sum(m.file_size for m in members) > MAX_TOTAL_BYTES:
        raise PlanFormatError(f"{path.name} 解压后过大，不像一份工作计划，已拒绝读取")


def read_docx(path: Path, max_chars: int) -> Source:
    _check_zip(path)
    import docx

    try:
        document = docx.Document(str(path))
        blocks, notes = _read(document, max_chars, path.name)
    except PlanFormatError:
        raise
    except Exception as exc:  # noqa: BLE001 - python-docx and lxml raise many kinds on a damaged file
        raise PlanFormatError(f"无法读取 Word 文档 {path.name}（{type(exc).__name__}），文件可能已损坏；"
                              "请用 Word 或 WPS 打开后另存为 .docx 再导入") from None
    return Source(path.name, blocks, notes)


def _body_items(parent) -> Iterator:
    """w:p and w:tbl elements in body order; content controls (w:sdt) are looked into."""
    from docx.oxml.ns import qn

    for child in parent.iterchildren():
        if child.tag == qn("w:p") or child.tag == qn("w:tbl"):
            yield child
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _body_items(content)


def _read(document, max_chars: int, name: str) -> tuple[tuple[Line | Table, ...], tuple[str, ...]]:
    from docx.oxml.ns import qn
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph

    blocks: list[Line | Table] = []
    chars = paragraphs = tables = numbered = 0
    body = document.element.body
    for item in _body_items(body):
        if item.tag == qn("w:p"):
            p = Paragraph(item, document)
            text = p.text
            if not text.strip():
                continue
            paragraphs += 1
            pPr = item.pPr
            numbered += pPr is not None and pPr.numPr is not None
            blocks += [Line(part, f"第{paragraphs}段") for part in text.split("\n")]
            chars += len(text)
        else:
            tables += 1
            table = _table(DocxTable(item, document), tables, name)
            chars += sum(len(c) for r in table.rows for c in r.cells)
            blocks.append(table)
        if chars > max_chars:
            raise PlanFormatError(f"{name} 的正文超过 {max_chars:,} 字，不像一份工作计划")
    notes = () if not numbered else (
        f"文档中有 {numbered} 段使用了 Word 自动编号，编号不在文字中，导入时读不到；如有任务因此缺少序号，"
        "请在 Word 中把自动编号转为文字（或复制为纯文本）后再导入",)
    return tuple(blocks), notes


def _table(table, number: int, name: str) -> Table:
    rows = []
    for r, row in enumerate(table.rows, 1):
        if r > MAX_ROWS:
            raise PlanFormatError(f"{name} 的表{number}超过 {MAX_ROWS} 行，不像一份工作计划")
        cells = [""] * row.grid_cols_before + [c.text.strip() for c in row.cells[:MAX_COLUMNS]]
        rows.append(Row(tuple(cells), f"表{number}第{r}行"))
    return Table(tuple(rows), number)
