"""What a unit answered about one task of the year's plan (the workbook's sheet 重点任务落实情况):
the contract between the intake, which stores answers, and the writers (city draft, problems, plans,
`nianbao tasks`, next year's plan), which read them. Pure data."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Status = Literal["已完成", "基本完成", "正在推进", "未启动"]
STATUSES: tuple[str, ...] = ("已完成", "基本完成", "正在推进", "未启动")
DONE: frozenset[str] = frozenset({"已完成"})  # counted as 已完成 in "全年N项重点任务，已完成M项"


def least_advanced(statuses: Iterable[str]) -> str:
    """A task's status from its lead units' answers (each one of STATUSES): the least advanced, so a task
    two units lead is 已完成 only when both say so. `nianbao tasks`, the mail and the draft all use it."""
    return max(statuses, key=STATUSES.index)


@dataclass(frozen=True)
class TaskAnswer:
    task_id: str  # Task.id of config/tasks/<year>.yaml
    unit_code: str
    role: Literal["lead", "responsible"]
    status: Status | None  # None: the unit left it blank (an error for a lead, told at intake)
    measures: str = ""  # 主要举措和成效
    documents: tuple[str, ...] = ()  # 出台的制度文件, each normalised to 《…》
    reason: str = ""  # 未完成原因和下一步打算

    @property
    def done(self) -> bool:
        return self.status in DONE
