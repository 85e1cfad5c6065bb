"""Which members of an .xlsx python-calamine opens, found the way it finds them (calamine 0.36's
`Xlsx::new` and `worksheet_range`), so the scan checks exactly those bytes before calamine sees them.

Calamine reads `_rels/.rels` for the officeDocument part's folder (`xl/` in every real file), then that
folder's `_rels/workbook.xml.rels`, `workbook.xml`, `sharedStrings.xml` and `styles.xml`; a sheet's
part is its relationship's target, absolute when it starts with "/", else under that folder. Member
names are looked up case-insensitively. Where our XML parser could see those files differently from
calamine's (entities in them, an encoding other than UTF-8, a namespace declaration that calamine
takes for an id, one name twice), the package is `Unsure` and goes to the careful reader; where two
readings are possible (a relationship id given twice) every candidate is returned. When its xlsx
reader fails, calamine tries its xlsb and ods readers: a package that holds their entry points is
`Unsure` too, so those readers never see a file the scan passed. Calamine never reads the sender's zip
itself: the scan hands it a package rebuilt by zipfile from exactly the parts checked (`repacked`), so
where zipfile and calamine's zip crate would read one archive differently (two central directories, a
"Unicode path" extra field renaming a member, a UTF-8 name without its flag) nothing unchecked is left."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError, fromstring

from nianbao.workbook import layout as L
from nianbao.workbook.errors import Hostile
from nianbao.workbook.members import read_member
from nianbao.workbook.xlsx_cells import MAX_MEMBER

OFFICE_DOCUMENT_SUFFIX = "/relationships/officeDocument"
_UNIQUE_COUNT, _COUNT_VALUE = re.compile(rb"uniqueCount"), re.compile(rb"""\s*=\s*(["'])(\d{1,12})\1""")
OTHER_READERS = ("xl/_rels/workbook.bin.rels", "mimetype")  # calamine's xlsb and ods readers start there
# Calamine takes relationship targets raw, entities unresolved: a relationships file with one is Unsure.
# It takes any attribute named "…:id" on a sheet for its relationship id, an xmlns:id declaration too,
# which our parser does not show as an attribute. (An id with an entity in it matches nothing of a
# relationships file without entities, so calamine fails on it: no need to refuse it.)
RAW, XMLNS_ID = b"&", b"xmlns:id"
_DECLARED = re.compile(rb"\s*<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']*)")


class Unsure(Exception):
    """Calamine might read this package otherwise than we do: the careful reader decides."""


@dataclass(frozen=True)
class Parts:
    """Member name → bytes as inflated, of every part calamine's xlsx reader would open."""
    other: dict[str, bytes]  # the relationships, workbook.xml, shared strings and styles
    sheets: dict[str, bytes]  # every part a sheet of workbook.xml may be read from


def is_utf8(xml: bytes) -> bool:
    """Whether calamine's XML reader decodes these bytes as UTF-8 (it honours BOMs and declarations)."""
    if b"\0" in xml[:4] or xml[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return False
    declared = _DECLARED.match(xml.removeprefix(b"\xef\xbb\xbf"))
    return declared is None or declared[1].lower() in (b"utf-8", b"utf8")


def _local(name: str) -> str:
    return name.rpartition("}")[2]


class _Package:
    def __init__(self, zf: zipfile.ZipFile):
        self.zf, self.by_lower = zf, {}
        self.read: dict[str, bytes] = {}  # every member read so far, by its name in the zip
        for info in zf.infolist():
            key = info.filename.replace("\\", "/").lower()
            if info.orig_filename != info.filename or key in self.by_lower:
                raise Unsure(f"member name altered or given twice: {info.filename!r}")
            self.by_lower[key] = info
        if any(name in zf.NameToInfo for name in OTHER_READERS):
            raise Unsure("holds another format's entry point")

    def named(self, path: str) -> tuple[str, bytes] | None:
        """(the member's name in the zip, its bytes) for the path calamine would look up, read once."""
        info = self.by_lower.get(path.lower()) or self.zf.NameToInfo.get(path)
        if info is None:
            return None
        if info.filename not in self.read:
            data = read_member(self.zf, info, MAX_MEMBER)
            if not is_utf8(data):
                raise Unsure(f"{path}: not UTF-8")
            self.read[info.filename] = data
        return info.filename, self.read[info.filename]

    def member(self, path: str) -> bytes | None:
        found = self.named(path)
        return found[1] if found else None

    def tree(self, path: str, unsure_if: bytes) -> Element | None:
        data = self.member(path)
        if data is None:
            return None
        if unsure_if in data:
            raise Unsure(f"{path}: holds {unsure_if!r}")
        if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
            raise Hostile(f"{path}: XML with DTD or entities")
        try:  # without a DTD nothing can be expanded: the standard (C) parser is safe and twice as fast
            return fromstring(data)
        except ParseError as exc:
            raise Unsure(f"{path}: {exc}") from None


def _relationships(root: Element | None) -> list[Element]:
    return [el for el in root.iter() if _local(el.tag) == "Relationship"] if root is not None else []


def calamine_parts(zf: zipfile.ZipFile) -> Parts:
    """The parts calamine's xlsx reader would open, inflated; raises Unsure, Hostile or TooLarge."""
    pkg = _Package(zf)
    # Calamine takes every relationship whose type ends so, the last one winning: more than one target is Unsure.
    targets = {r.get("Target") for r in _relationships(pkg.tree("_rels/.rels", RAW))
               if (r.get("Type") or "").endswith(OFFICE_DOCUMENT_SUFFIX) and r.get("Target") is not None}
    if len(targets) != 1:
        raise Unsure(f"{len(targets)} officeDocument relationships")
    target = targets.pop()
    folder = target[:target.rfind("/") + 1].removeprefix("/")
    rels = pkg.tree(f"{folder}_rels/workbook.xml.rels", RAW)
    if rels is None:
        raise Unsure("no workbook relationships")
    by_id: dict[str, set[str]] = {}
    for r in _relationships(rels):
        if r.get("Id") is not None:
            by_id.setdefault(r.get("Id"), set()).add(r.get("Target") or "")
    workbook = pkg.tree(f"{folder}workbook.xml", XMLNS_ID)
    paths: list[str] = []
    sheets = [el for el in (workbook.iter() if workbook is not None else ()) if _local(el.tag) == "sheet"]
    if len(sheets) > L.MAX_SHEETS:
        raise Unsure(f"{len(sheets)} sheets")
    for sheet in sheets:
        targets = {t for rid in (v for k, v in sheet.attrib.items() if _local(k) == "id") for t in by_id.get(rid, ())}
        paths += {t[1:] if t.startswith("/") else folder + t for t in targets}
    if len({p.lower() for p in paths}) < len(paths):  # calamine would read that part again for every sheet naming it
        raise Unsure("two sheets read from one part")
    strings = pkg.member(f"{folder}sharedStrings.xml")
    if strings is not None:
        _reserves_sanely(strings)
    pkg.member(f"{folder}styles.xml")
    other, parts = dict(pkg.read), {}
    for path in sorted(paths):
        found = pkg.named(path)
        if found is None:  # our parser may have normalised a target that calamine takes raw (a tab in it)
            raise Unsure(f"sheet part {path!r} not found")
        parts[found[0]] = found[1]
    return Parts(other, parts)


def repacked(parts: Parts) -> bytes:
    """The parts, and nothing else, as a new zip of stored members for calamine to read."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:
        for name, data in {**parts.other, **parts.sheets}.items():
            zf.writestr(name, data)
    return out.getvalue()


def _reserves_sanely(strings: bytes) -> None:
    """Calamine reserves room for <sst>'s uniqueCount strings before reading one: a count no part of this
    size could hold (each <si/> takes 5 bytes) would make it allocate without bound. Every occurrence of
    the name is checked, wherever it stands (calamine skips an empty <sst/> and takes a later one)."""
    for found in _UNIQUE_COUNT.finditer(strings):
        value = _COUNT_VALUE.match(strings, found.end())
        if value is None or int(value[2]) > len(strings) // 5:
            raise Unsure("sharedStrings.xml: a uniqueCount calamine would reserve blindly")
