"""config/units.yaml: who reports (code, name, kind, parent, contacts who may submit, leaders)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from nianbao.config.base import Flag, Model, Text, check_code, check_email, raise_problems

UnitKind = Literal["city", "district", "county_city", "county", "zone", "department"]
UNIT_KINDS: tuple[str, ...] = UnitKind.__args__  # type: ignore[attr-defined]
Email = Annotated[str, AfterValidator(check_email)]


class Unit(Model):
    code: Annotated[Text, AfterValidator(check_code)]
    name: Text = Field(min_length=1)
    kind: UnitKind
    parent: Text | None = None
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
        raise_problems(problems)
        return self
