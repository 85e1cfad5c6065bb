"""Typed exceptions. Each is translated into a Chinese user message only at the edge (CLI, mail)."""

from __future__ import annotations

from dataclasses import dataclass


class NianbaoError(Exception):
    """Base class of every error this package raises on purpose."""


@dataclass(frozen=True)
class ConfigProblem:
    file: str
    key: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.key}: {self.reason}"


class ConfigError(NianbaoError):
    """The city configuration is invalid; carries every problem found, not just the first."""

    def __init__(self, problems: list[ConfigProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class UnknownYearError(NianbaoError):
    """No cycle exists for the requested report year."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(f"{year}年度的填报尚未开启")


class WorkbookError(NianbaoError):
    """A workbook cannot be read at all (corrupt, hostile, wrong format)."""


class MailError(NianbaoError):
    """A mailbox or mail server could not be reached or refused an operation."""


class IntakeConflictError(NianbaoError):
    """A mail kept colliding with other intake workers' writes; it stays unprocessed for the next run."""


class SettingsError(NianbaoError):
    """An environment variable has a value the program cannot use."""


class BadInput(NianbaoError):
    """A command-line argument the program cannot use (a date that does not exist, say)."""


class MissingSecret(NianbaoError):
    """A secret the command needs (the workbook signing key, a mail password) is not configured."""
