"""Members read straight from the zip's bytes come out exactly as zipfile gives them, and whatever zipfile
refuses is still refused, with the same error."""

from __future__ import annotations

import io
import struct
import zipfile

import pytest

from nianbao.workbook.zipparts import read_head, read_member

BODY = b'<?xml version="1.0"?><root>' + b"".join(b"<r>%d</r>" % i for i in range(3000)) + b"</root>"


def make_zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    return out.getvalue()


def both(data: bytes, name: str, n: int | None = None):
    """(what zipfile does, what zipparts does): a value or the exception's type and text."""
    zf = zipfile.ZipFile(io.BytesIO(data))
    info = zf.getinfo(name)

    def run(read):
        try:
            return read()
        except Exception as exc:  # compared, not swallowed
            return type(exc), str(exc)

    if n is None:
        return run(lambda: zf.read(info)), run(lambda: read_member(zf, data, info))
    return run(lambda: zf.open(info).read(n)), run(lambda: read_head(zf, data, info, n))


@pytest.mark.parametrize("compression", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
@pytest.mark.parametrize("n", [None, 1, 256, 4096, len(BODY), len(BODY) + 10])
def test_a_plain_member_reads_as_zipfile_reads_it(compression, n):
    data = make_zip({"a.xml": BODY, "b.xml": b"<x/>"}, compression)
    expected, got = both(data, "a.xml", n)
    assert got == expected and isinstance(got, bytes)


def test_empty_members_and_utf8_names_and_bytes_before_the_archive():
    data = b"junk before the archive" + make_zip({"空.xml": b"", "表/数据.xml": BODY})
    for name in ("空.xml", "表/数据.xml"):
        for n in (None, 4096):
            expected, got = both(data, name, n)
            assert got == expected and isinstance(got, bytes)


def test_a_wrong_crc_is_refused_like_zipfile_does():
    data = bytearray(make_zip({"a.xml": BODY}))
    at = data.rindex(b"PK\x01\x02") + 16  # the CRC in the central directory entry
    data[at:at + 4] = struct.pack("<L", 12345)
    expected, got = both(bytes(data), "a.xml")
    assert got == expected and expected[0] is zipfile.BadZipFile


def test_a_local_header_that_disagrees_with_the_directory_is_refused_like_zipfile_does():
    data = make_zip({"a.xml": BODY}).replace(b"a.xml", b"b.xml", 1)  # the local header's name only
    for n in (None, 100):
        expected, got = both(data, "a.xml", n)
        assert got == expected and expected[0] is zipfile.BadZipFile


@pytest.mark.parametrize("declared", [len(BODY) + 1000, len(BODY) - 1000])
def test_a_declared_size_that_is_wrong_behaves_as_in_zipfile(declared):
    data = bytearray(make_zip({"a.xml": BODY}))
    at = data.rindex(b"PK\x01\x02") + 24  # uncompressed size in the central directory entry
    data[at:at + 4] = struct.pack("<L", declared)
    for n in (None, 100, 4096):
        expected, got = both(bytes(data), "a.xml", n)
        assert got == expected


def test_corrupt_deflate_data_behaves_as_in_zipfile():
    data = bytearray(make_zip({"a.xml": BODY}))
    start = 30 + len("a.xml")
    data[start + 10:start + 40] = b"\xff" * 30
    for n in (None, 10, 4096):
        expected, got = both(bytes(data), "a.xml", n)
        assert got == expected


def test_an_encrypted_member_is_left_to_zipfile():
    data = bytearray(make_zip({"a.xml": BODY}))
    for at in (6, data.rindex(b"PK\x01\x02") + 8):  # general purpose flags, local header and directory
        data[at] |= 0x01
    for n in (None, 100):
        expected, got = both(bytes(data), "a.xml", n)
        assert got == expected and expected[0] is RuntimeError
