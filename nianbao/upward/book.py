"""Opening the province's workbook and saving the filled copy, keeping what openpyxl can keep.

The file comes from outside (a province's mail): before openpyxl sees it, it goes through the checks
the intake uses — the type from the bytes (`reader.sniff`), and every zip member inflated in steps
against declared and real size caps, DTDs and entities refused (`zipcheck.sound_members`). Then openpyxl loads it
with formulas (never replaced by values), external links and rich text kept. What openpyxl drops
(shapes, form controls, macros, some extensions) is found by comparing the parts before and after and
by its own load warnings, and reported: the administrator checks those before sending the file up."""

from __future__ import annotations

import io
import warnings
import zipfile

import openpyxl
from openpyxl.workbook.workbook import Workbook

from nianbao.cityconfig import CityConfig
from nianbao.errors import BadInput, WorkbookError
from nianbao.workbook.errors import Encrypted, Hostile, TooLarge
from nianbao.workbook.reader import BROKEN_ZIP, sniff
from nianbao.workbook.zipcheck import sound_members

MAX_BYTES = 20 * 1024 * 1024  # a province's table is tens of KB; its template with logos a few MB

# Parts by what a person would miss, as member-name prefixes: reported when the saved copy lacks them.
PARTS = {"xl/drawings/drawing": "图片、图表或文本框", "xl/charts/": "图表", "xl/media/": "图片", "xl/vbaProject.bin": "宏",
         "xl/ctrlProps/": "表单控件", "xl/slicers/": "切片器", "xl/pivotTables/": "数据透视表",
         "xl/comments": "批注", "customXml/": "自定义 XML 数据"}
# openpyxl's load warnings ("… extension is not supported and will be removed"), by what they name.
EXTENSIONS = {"Data Validation": "部分数据验证（扩展格式）", "Conditional Formatting": "部分条件格式（扩展格式）",
              "Slicer": "切片器", "Sparkline": "迷你图", "Timeline": "日程表", "Header": "页眉页脚中的图片"}


def _refuse(config: CityConfig, key: str, name: str, **more: object) -> BadInput:
    return BadInput(config.text(key, name=name, **more))


def read_book(data: bytes, name: str, config: CityConfig) -> tuple[Workbook, list[str]]:
    """The workbook and what openpyxl said it could not keep; BadInput (Chinese) for anything else."""
    limit = MAX_BYTES // (1024 * 1024)
    if len(data) > MAX_BYTES:
        raise _refuse(config, "upward_too_large", name, limit=limit)
    try:
        fmt, zf = sniff(data, name)
        if zf is None or fmt not in ("xlsx", "xlsm"):
            raise _refuse(config, "upward_not_xlsx", name)
        sound_members(zf)  # raises for a zip bomb, a DTD, a bad CRC
    except Encrypted:
        raise _refuse(config, "upward_encrypted", name) from None
    except TooLarge:
        raise _refuse(config, "upward_too_large", name, limit=limit) from None
    except Hostile:
        raise _refuse(config, "upward_hostile", name) from None
    except (WorkbookError, *BROKEN_ZIP):
        raise _refuse(config, "upward_not_xlsx", name) from None
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        try:
            wb = openpyxl.load_workbook(io.BytesIO(data), keep_vba=False, keep_links=True, rich_text=True)
        except Exception as exc:  # noqa: BLE001 - openpyxl raises KeyError, ValueError, TypeError… on a malformed part
            raise _refuse(config, "upward_unreadable", name, error=type(exc).__name__) from None
    lost = sorted({zh for w in said for en, zh in EXTENSIONS.items() if en in str(w.message)})
    return wb, [config.text("upward_lost", parts="、".join(lost))] if lost else []


def save_book(wb: Workbook, before: bytes, config: CityConfig) -> tuple[bytes, list[str]]:
    """The filled workbook's bytes, and a warning naming the kinds of parts the original had and the
    copy lacks."""
    wb.template = False  # an .xltx form: Excel refuses a template's content type inside an .xlsx
    buf = io.BytesIO()
    wb.save(buf)
    after = buf.getvalue()
    names_before = zipfile.ZipFile(io.BytesIO(before)).namelist()
    names_after = zipfile.ZipFile(io.BytesIO(after)).namelist()
    lost = [zh for prefix, zh in PARTS.items()
            if any(n.startswith(prefix) for n in names_before) and not any(n.startswith(prefix) for n in names_after)]
    return after, [config.text("upward_lost", parts="、".join(dict.fromkeys(lost)))] if lost else []
