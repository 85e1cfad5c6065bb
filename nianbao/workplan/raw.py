"""What the parsers read a plan into, before any name is resolved: headings, and tasks with their
units as written and where each stands."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Heading:
    level: str  # "chapter" (一、) or "section" (（一）)
    number: int | None
    title: str
    where: str


@dataclass(frozen=True)
class Name:
    text: str
    where: str


@dataclass
class RawTask:
    number: int | None
    where: str
    chapter: Heading | None
    section: Heading | None
    text: list[str] = field(default_factory=list)
    lead: list[Name] = field(default_factory=list)
    responsible: list[Name] = field(default_factory=list)
    deadline_text: str | None = None
    clause: bool = False  # any unit clause seen (even an empty one)
    table: bool = False
