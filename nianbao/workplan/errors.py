"""The work plan import's typed errors; their messages are the Chinese line an administrator reads."""

from __future__ import annotations

from collections.abc import Sequence

from nianbao.errors import NianbaoError


class PlanFormatError(NianbaoError):
    """A plan file that cannot be read as a work plan (wrong format, damaged, too large, no tasks)."""


class UnresolvedUnitsError(NianbaoError):
    """Some unit names of a plan are neither a unit nor a group; nothing was written."""

    def __init__(self, lines: Sequence[str]):
        self.lines = tuple(lines)
        super().__init__(f"有 {len(self.lines)} 个单位名称无法对应到单位名单，未写入任何文件：\n"
                         + "\n".join(f"  {line}" for line in self.lines)
                         + "\n请在 units.yaml 中为该单位添加别名（aliases），或在 groups.yaml 中定义单位组，然后重新导入；"
                           "确认这些名称不对应任何报送单位的，可加 --keep-unresolved 按原文保留。")


class NoTaskFileError(NianbaoError):
    """The year has no config/tasks/<year>.yaml."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(f"{year}年度还没有导入工作计划（config/tasks/{year}.yaml）。"
                         f"请先运行：nianbao plan import 计划文件 --year {year}")
