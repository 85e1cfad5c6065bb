"""config/units.yaml: who reports (code, name, kind, parent, contacts who may submit, leaders), and the
other names a document may give a unit (``aliases``: 市人社局 for 市人力资源和社会保障局)."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from nianbao.config.base import Flag, Model, Text, check_code, check_email, raise_problems

UnitKind = Literal["city", "district", "county_city", "county", "zone", "department"]
UNIT_KINDS: tuple[str, ...] = UnitKind.__args__  # type: ignore[attr-defined]
Email = Annotated[str, AfterValidator(check_email)]
_SPACE = re.compile(r"\s+")


def name_key(name: str) -> str:
    """A unit's name as compared: full/half width unified (NFKC), no whitespace, Latin letters lower-cased."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", name)).lower()


class Unit(Model):
    code: Annotated[Text, AfterValidator(check_code)]
    name: Text = Field(min_length=1)
    kind: UnitKind
    parent: Text | None = None
    aliases: tuple[Annotated[Text, Field(min_length=1)], ...] = ()
    contacts: tuple[Email, ...] = ()
    leaders: tuple[Email, ...] = ()
    reports: Flag = True

    @model_validator(mode="after")
    def _contact(self) -> Unit:
        if self.reports and not self.contacts:
            raise ValueError("报送单位至少需要一个联系人邮箱（contacts）")
        return self


class UnitsFile(Model):
    units: tuple[Unit, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _references(self) -> UnitsFile:
        seen: dict[str, int] = {}
        owner: dict[str, str] = {}
        problems = []
        for n, u in enumerate(self.units):
            if u.code in seen:
                problems.append((f"units[{n}].code", f"单位代码 {u.code} 与 units[{seen[u.code]}] 重复"))
            seen.setdefault(u.code, n)
            for address in u.contacts:
                key = address.lower()
                if key in owner and owner[key] != u.code:
                    problems.append((f"units[{n}].contacts", f"{address} 已是单位 {owner[key]} 的联系人，"
                                     "同一邮箱只能代表一个单位"))
                owner.setdefault(key, u.code)
        for n, u in enumerate(self.units):
            if u.parent is not None and u.parent not in seen:
                problems.append((f"units[{n}].parent", f"上级单位 {u.parent} 不在名单中"))
        raise_problems(problems + self._alias_problems())
        return self

    def _alias_problems(self) -> list[tuple[str, str]]:
        """An alias names one unit only: it may not be another unit's name or alias (widths and spaces
        not counted), or a plan naming it could not be assigned."""
        names: dict[str, int] = {}
        for n, u in enumerate(self.units):
            names.setdefault(name_key(u.name), n)
        problems, aliases = [], {}
        for n, u in enumerate(self.units):
            for j, alias in enumerate(u.aliases):
                key, where = name_key(alias), f"units[{n}].aliases[{j}]"
                if not key:
                    problems.append((where, "别名不能为空"))
                elif names.get(key, n) != n:
                    m = names[key]
                    problems.append((where, f"别名 “{alias}” 与 units[{m}]（{self.units[m].name}）的名称相同"))
                elif aliases.get(key, n) != n:
                    m = aliases[key]
                    problems.append((where, f"别名 “{alias}” 已是 units[{m}]（{self.units[m].name}）的别名"))
                aliases.setdefault(key, n)
        return problems
