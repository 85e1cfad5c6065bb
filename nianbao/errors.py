"""Typed exceptions. Each is translated into a Chinese user message only at the edge (CLI, mail)."""

from __future__ import annotations

import errno
from dataclasses import dataclass
from pathlib import Path

# Why a file could not be read or written, as an administrator reads it.
OS_REASONS = {errno.ENOENT: "不存在", errno.EACCES: "没有访问权限", errno.EPERM: "没有访问权限",
              errno.ENOTDIR: "路径中有一段不是文件夹", errno.EISDIR: "这是一个文件夹", errno.EEXIST: "已存在",
              errno.EROFS: "所在文件系统只读", errno.ENOSPC: "磁盘空间已满", errno.EDQUOT: "超出磁盘配额",
              errno.EFBIG: "文件超出系统允许的大小"}
FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


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


class CannotWrite(NianbaoError):
    """A file could not be written (a full disk, a read-only or vanished folder). The machine's problem,
    never one mail's or one unit's: the stage stops, the command exits non-zero and the flow run fails
    (so the failure alert fires). Nothing half-written is left behind."""

    def __init__(self, path: str | Path, error: OSError):
        self.path, self.errno = str(path), error.errno
        reason = OS_REASONS.get(error.errno or 0, error.strerror or str(error))
        advice = "请清理或扩容后重新运行（未写完的文件已删除，已写好的不受影响）" if error.errno in FULL else "请检查该文件夹后重新运行"
        super().__init__(f"无法写入 {path}：{reason}。{advice}")
