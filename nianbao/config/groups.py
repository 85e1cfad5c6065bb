"""config/groups.yaml: the names a work plan gives several units at once (市政府各部门, 各县（市）区人民政府,
各有关部门…). A group stands for every unit of its ``kinds`` and every unit it lists by ``codes``; a group
with neither is named in plans but reports to nobody here (乡镇人民政府 in a city's plan): a task keeps
it by name. The file is optional: without it there are no groups."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from nianbao.config.base import Model, Text, raise_problems
from nianbao.config.units import Unit, UnitKind, UnitsFile, name_key
from nianbao.errors import ConfigProblem

FILE = "groups.yaml"
Name = Annotated[Text, Field(min_length=1)]


class Group(Model):
    name: Name
    aliases: tuple[Name, ...] = ()
    kinds: tuple[UnitKind, ...] = ()
    codes: tuple[Name, ...] = ()

    @property
    def empty(self) -> bool:
        """Named in plans, but standing for no unit of this roster."""
        return not self.kinds and not self.codes


class GroupsFile(Model):
    groups: tuple[Group, ...] = ()

    @model_validator(mode="after")
    def _names(self) -> GroupsFile:
        seen: dict[str, int] = {}
        problems = []
        for n, g in enumerate(self.groups):
            for key, (name, where) in _keyed(g, f"groups[{n}]").items():
                if not key:
                    problems.append((where, "名称不能为空"))
                elif seen.get(key, n) != n:
                    problems.append((where, f"“{name}” 已是 groups[{seen[key]}] 的名称或别名"))
                seen.setdefault(key, n)
        raise_problems(problems)
        return self


def _keyed(g: Group, prefix: str) -> dict[str, tuple[str, str]]:
    """A group's name and aliases by their compared form (the first spelling of each kept)."""
    out: dict[str, tuple[str, str]] = {}
    for where, name in [(f"{prefix}.name", g.name)] + [(f"{prefix}.aliases[{j}]", a) for j, a in enumerate(g.aliases)]:
        out.setdefault(name_key(name), (name, where))
    return out


def group_problems(groups: GroupsFile, units: UnitsFile) -> list[ConfigProblem]:
    """What groups.yaml says about units.yaml: every listed code exists, and no group is called by a
    name that is a unit's name or alias (a plan naming it could then mean either)."""
    codes = {u.code for u in units.units}
    unit_names: dict[str, str] = {}
    for u in units.units:
        for name in (u.name, *u.aliases):
            unit_names.setdefault(name_key(name), u.name)
    out = []
    for n, g in enumerate(groups.groups):
        out += [ConfigProblem(FILE, f"groups[{n}].codes[{j}]", f"单位名单（units.yaml）中没有单位 {code}")
                for j, code in enumerate(g.codes) if code not in codes]
        out += [ConfigProblem(FILE, where, f"“{name}” 是单位 {unit_names[key]} 的名称或别名，不能再作单位组名")
                for key, (name, where) in _keyed(g, f"groups[{n}]").items() if key in unit_names]
    return out


def group_units(group: Group, units: tuple[Unit, ...]) -> tuple[Unit, ...]:
    """The units a group stands for, in roster order: those of its kinds and those it lists."""
    return tuple(u for u in units if u.kind in group.kinds or u.code in group.codes)
