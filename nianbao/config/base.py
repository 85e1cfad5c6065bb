"""What every config model shares: frozen, strict (a quoted "0" is not a number), no unknown keys."""

from __future__ import annotations

import datetime as dt
import re

from typing import Annotated

from pydantic import AllowInfNan, BaseModel, BeforeValidator, ConfigDict, Strict, StrictBool, StrictInt, StrictStr

Code = str  # indicator, unit, section and deadline codes: letters, digits and _
CODE = re.compile(r"^[A-Za-z0-9_]+$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# Scalars are strict (a quoted "0" is not a number, "two" not an integer, 1 not true); lists may be
# written as YAML lists for tuple fields.
Int, Text, Flag = StrictInt, StrictStr, StrictBool
Num = Annotated[float, Strict(), AllowInfNan(False)]  # .nan or .inf as a target or bound would compare silently wrong


def _day(value: object) -> object:
    if isinstance(value, dt.datetime) or not isinstance(value, (dt.date, str)):
        raise ValueError(f"应为日期（YYYY-MM-DD），实为 {value!r}")
    return value


Day = Annotated[dt.date, BeforeValidator(_day)]


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def check_code(value: str) -> str:
    if not CODE.match(value):
        raise ValueError(f"代码只能由字母、数字和下划线组成，实为 “{value}”")
    return value


def check_email(value: str) -> str:
    if not EMAIL.match(value):
        raise ValueError(f"“{value}” 不是电子邮件地址")
    return value


def month_day(month: int, day: int) -> dt.date:
    """A day that exists in every year (29 February does not)."""
    try:
        return dt.date(2001, month, day)
    except ValueError:
        raise ValueError(f"{month}月{day}日不存在") from None


class Problems(ValueError):
    """Several problems found across a file's records, each with its own key path (e.g.
    ``units[3].parent``), reported one by one."""

    def __init__(self, items: list[tuple[str, str]]):
        self.items = items
        super().__init__("; ".join(f"{k}: {r}" for k, r in items))


def raise_problems(items: list[tuple[str, str]]) -> None:
    if items:
        raise Problems(items)
