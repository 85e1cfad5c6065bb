"""The cheap, complete checks an .xlsx/.xlsm/.ods passes before any reader opens it: what its zip
directory declares, and no DTD in any XML part.

Sizes are read from the central directory, nothing is inflated: each member and the whole must declare
less than any real workbook's caps, and no member may be stored in fewer bytes than it declares it
inflates to beyond deflate's own worst case (a "lying" zip bomb declares 60 KB and inflates to GiBs).
A member that lies less than that still cannot cost more than its reader's child may use: the sandbox's
address-space limit ends it, and the file goes to the careful reader, which inflates through
`zipfile` (it stops at the declared size and checks the CRC). A DTD or entity declaration can only sit
before an XML part's root element, so each part's first `PROLOG` bytes are all that is inflated."""

from __future__ import annotations

import re
import zipfile

from nianbao.workbook.errors import Hostile, TooLarge
from nianbao.workbook.members import read_member

MAX_MEMBER = 20 * 1024 * 1024
MAX_TOTAL = 60 * 1024 * 1024
MAX_MEMBERS = 2000  # a workbook has tens of parts
PROLOG = 4096
_FIRST_ELEMENT = re.compile(rb"<[^?!]")


def sizes_declared(zf: zipfile.ZipFile) -> None:
    """Raise TooLarge for a member or a whole over the caps, or a member stored in more bytes than
    deflate could need for what it declares (its declared size is then a lie)."""
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise TooLarge(f"{len(infos)} members")
    if any(i.file_size > MAX_MEMBER for i in infos) or sum(i.file_size for i in infos) > MAX_TOTAL:
        raise TooLarge("declared uncompressed size over the limit")
    for i in infos:  # deflate's worst case: 5 bytes a 16 KB stored block, plus a little
        if i.compress_size > i.file_size + i.file_size // 1000 + 1024:
            raise TooLarge(f"{i.filename}: {i.compress_size} bytes stored for {i.file_size} declared")


def prolog_is_plain(xml: bytes) -> None:
    """Raise Hostile for a DTD or entity before the root element, or for a root element that does not
    start within PROLOG bytes (only a long comment could put it there, and it could hide a DTD)."""
    root = _FIRST_ELEMENT.search(xml, 0, PROLOG)
    prolog = xml[:root.start()] if root else xml[:PROLOG]
    if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
        raise Hostile("XML with DTD or entities")
    if root is None and xml.strip():
        raise Hostile(f"XML whose root element is not within its first {PROLOG} bytes")


def no_dtd(zf: zipfile.ZipFile) -> None:
    """Raise Hostile for a DTD in any XML part (see `prolog_is_plain`)."""
    for info in zf.infolist():
        if info.filename.endswith((".xml", ".rels")):
            with zf.open(info) as fh:
                prolog_is_plain(fh.read(PROLOG))


def sound_members(zf: zipfile.ZipFile) -> None:
    """For a reader that opens every part (openpyxl on a trusted upload): each member inflated within the
    caps, its CRC checked, no DTD in any XML part. Raises TooLarge, Hostile or zipfile's own errors."""
    sizes_declared(zf)
    for info in zf.infolist():
        data = read_member(zf, info, MAX_MEMBER)
        if info.filename.endswith((".xml", ".rels")):
            prolog_is_plain(data)
