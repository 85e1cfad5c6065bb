"""Workbooks inside .zip attachments, unpacked within limits, with the members' real (often GBK) names."""

from __future__ import annotations

import io
import zipfile
import zlib

from nianbao.mail.headers import decode_bytes
from nianbao.textsafe import one_line
from nianbao.workbook.errors import TooLarge
from nianbao.workbook.members import read_member

MAX_MEMBERS = 50
MAX_MEMBER_BYTES = 20 * 1024 * 1024
MAX_TOTAL_BYTES = 100 * 1024 * 1024
SHEETS = (".xlsx", ".xlsm", ".xls", ".ods", ".et")
UTF8_FLAG = 0x800


def member_name(info: zipfile.ZipInfo) -> str:
    """zipfile decodes names without the UTF-8 flag as cp437; Chinese Windows wrote them in GBK."""
    if info.flag_bits & UTF8_FLAG:
        return one_line(info.filename, 1000)
    return one_line(decode_bytes(info.filename.encode("cp437"), "gb18030"), 1000)


def unpack_zip(data: bytes, archive: str) -> tuple[list[tuple[str, bytes]], list[tuple[str, dict]]]:
    """(spreadsheets inside, problems as message keys of config/messages.yaml with their names).
    Declared sizes are checked before anything is read."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OverflowError, EOFError, NotImplementedError, RuntimeError, OSError):
        return [], [("zip_broken", {"archive": archive})]
    infos = [i for i in zf.infolist() if not i.is_dir()]
    if len(infos) > MAX_MEMBERS or sum(i.file_size for i in infos) > MAX_TOTAL_BYTES:
        return [], [("zip_too_big", {"archive": archive})]
    files, problems = [], []
    for info in infos:
        name = member_name(info).replace("\\", "/").rsplit("/", 1)[-1]  # folders, also Windows-style
        if not name.lower().endswith(SHEETS):
            continue
        if info.file_size > MAX_MEMBER_BYTES:
            problems.append(("zip_member_too_big", {"archive": archive, "name": name}))
            continue
        if info.flag_bits & 0x1:
            problems.append(("zip_encrypted", {"archive": archive, "name": name}))
            continue
        try:
            files.append((name, read_member(zf, info, MAX_MEMBER_BYTES)))
        except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError, EOFError, OSError,
                TooLarge):
            problems.append(("zip_member_broken", {"archive": archive, "name": name}))
    return files, problems
