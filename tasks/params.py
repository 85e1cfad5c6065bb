"""What the Prefect UI shows for each flow: its description, and a Chinese title and help for every
custom-run parameter (Annotated types; Prefect renders `json_schema_extra`). The wording is the
shipped config/messages.yaml's (a flow's signature is fixed when the module is imported)."""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any

import yaml
from pydantic import Field

from nianbao.config.messages import SHIPPED


@cache
def shipped() -> dict[str, str]:
    return yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))


def text(key: str) -> str:
    return shipped()[key]


def labelled(type_: Any, name: str) -> Any:
    """``type_`` with the title and help of `param_<name>` in the UI's custom-run form."""
    return Annotated[type_, Field(json_schema_extra={"title": text(f"param_{name}"),
                                                     "description": text(f"param_{name}_help")})]


Year = labelled(int | None, "year")
Today = labelled(str | None, "today")
Force = labelled(bool, "force")
Folder = labelled(str | None, "folder")
DryRun = labelled(bool, "dry_run")
Deliver = labelled(bool, "deliver")
Approval = labelled(bool | None, "approval")
TimeoutHours = labelled(float, "timeout_hours")
