"""config/city.yaml: the city that runs the cycle."""

from __future__ import annotations

import zoneinfo
from typing import Annotated

from pydantic import AfterValidator, Field, field_validator

from nianbao.config.base import Model, Text, check_email

Email = Annotated[str, AfterValidator(check_email)]


class CityFile(Model):
    city: Text = Field(min_length=1)
    bureau: Text = Field(min_length=1)
    office: Text = ""
    timezone: Text = "Asia/Shanghai"
    admin_emails: tuple[Email, ...] = ()
    intake_address: Email
    sender_name: Text | None = None  # the name outgoing mail is signed with (default: the bureau)
    area: Text = Field(default="全市", min_length=1, max_length=8)  # {area} in the texts: 全市, 全区, 全县 …

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"“{value}” 不是时区名称（例如 Asia/Shanghai）") from None
        return value
