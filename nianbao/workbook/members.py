"""Zip members inflated in steps, never past a cap, whatever their headers declare.

`ZipFile.read` inflates a member in one call of up to 2 GiB before cutting it to the declared size, so
a member that declares 60 KB but inflates to 2 GiB costs 2 GiB. Reading through `ZipFile.open` in
64 KB steps costs 64 KB at a time; zipfile still stops at the declared size and checks the CRC."""

from __future__ import annotations

import zipfile

from nianbao.workbook.errors import TooLarge

STEP = 64 * 1024


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes:
    if info.file_size > cap:
        raise TooLarge(f"{info.filename}: declares {info.file_size} bytes")
    out = bytearray()
    with zf.open(info) as fh:
        while chunk := fh.read(STEP):
            out += chunk
            if len(out) > cap:
                raise TooLarge(f"{info.filename}: over {cap} bytes")
    return bytes(out)
