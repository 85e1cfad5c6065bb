"""A unit name as a plan writes it → a unit of units.yaml (by name or alias) or a group of groups.yaml.

Names are compared after `name_key` (NFKC: full/half width; no whitespace). Beyond that exactly one
liberty is taken: a leading 市, 区 or 县 present on one side only ("人社局" is the alias "市人社局",
"市人社局" the alias "人社局"); 区司法局 never matches 市司法局. Two more readings a plan's wording
needs, neither a guess: a trailing 等 (等部门, 等单位) is dropped when the rest is known, and "A和B" /
"A及B" is two names when the whole is not known and every part is. A name that could be two units is
not resolved. Everything else is unresolved and reported, never matched to a merely similar name."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from nianbao.cityconfig import CityConfig
from nianbao.config.units import name_key
from nianbao.workplan.clauses import SEPARATORS, Vocabulary

PREFIXES = "市区县"
_ETC = re.compile(r"等(?:部门|单位)?$")
_AND = re.compile(r"[和及]")
MAX_SPLIT = 60  # "A和B和C" is tried as several names only this long (a list of names, not a paragraph)


@dataclass(frozen=True)
class Target:
    kind: str  # "unit" or "group"
    key: str  # the unit's code or the group's name
    label: str  # the unit's or group's own name


@dataclass(frozen=True)
class Resolution:
    targets: tuple[Target, ...]  # empty: unresolved
    reason: str = ""  # why not, in Chinese


class Resolver:
    def __init__(self, config: CityConfig):
        self.exact: dict[str, set[Target]] = {}
        spellings: list[str] = []
        for u in config.units:
            for name in (u.name, *u.aliases):
                self._add(name, Target("unit", u.code, u.name), spellings)
        for g in config.groups:
            for name in (g.name, *g.aliases):
                self._add(name, Target("group", g.name, g.name), spellings)
        self.stripped: dict[str, set[Target]] = {}
        for key, targets in self.exact.items():
            if key[:1] in PREFIXES and len(key) > 2:
                self.stripped.setdefault(key[1:], set()).update(targets)
        self.longest = max(map(len, self.exact), default=0)
        protected = {unicodedata.normalize("NFKC", s).replace(" ", "") for s in spellings}
        self.vocabulary = Vocabulary(self.known_prefix, tuple(sorted(
            (p for p in protected if any(c in SEPARATORS for c in p)), key=len, reverse=True)))

    def _add(self, name: str, target: Target, spellings: list[str]) -> None:
        self.exact.setdefault(name_key(name), set()).add(target)
        spellings.append(name)

    def _candidates(self, key: str) -> set[Target]:
        if not key:
            return set()
        for found in (self.exact.get(key), self.exact.get(key[1:]) if key[0] in PREFIXES and len(key) > 2 else None,
                      self.stripped.get(key)):
            if found:
                return found
        return set()

    def known_prefix(self, norm: str) -> int:
        """The length of the longest known name ``norm`` starts with (0: none)."""
        for length in range(min(len(norm), self.longest + 1), 1, -1):
            if len(self._candidates(name_key(norm[:length]))) == 1:
                return length
        return 0

    def resolve(self, name: str) -> Resolution:
        key = name_key(name)
        found = self._candidates(key)
        if not found and _ETC.search(key):
            found = self._candidates(_ETC.sub("", key))
        if len(found) == 1:
            return Resolution(tuple(found))
        if len(found) > 1:
            names = "、".join(sorted(t.label for t in found))
            return Resolution((), f"可能是 {names} 中的任何一个，无法确定")
        parts = self._split(key) if len(key) <= MAX_SPLIT else ()
        if parts:
            return Resolution(parts)
        return Resolution((), "不在单位名单（units.yaml）中，也不是已定义的单位组（groups.yaml）")

    def _split(self, key: str) -> tuple[Target, ...]:
        """"A和B" as the known names A and B (every part known, each one unit or group), or ()."""
        for m in _AND.finditer(key):
            head = self._candidates(key[:m.start()])
            if len(head) != 1:
                continue
            tail = self._candidates(key[m.end():])
            rest = tuple(tail) if len(tail) == 1 else self._split(key[m.end():])
            if rest:
                return (*head, *rest)
        return ()
