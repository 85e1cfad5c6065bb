"""Chinese wording of every mail, rendered from templates/mail/*.j2 (city-specific text stays there).

A mail template's first line is ``Subject: …``; the rest is the body.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2


@lru_cache(maxsize=8)
def template_env(templates_dir: str) -> jinja2.Environment:
    """The one Jinja environment of a templates folder (mails, drafts): built once, so a template is
    compiled once a process, not once a draft; a template edited meanwhile is reloaded (auto_reload)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir), undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True,
    )


def render_mail(templates_dir: Path, name: str, **context: Any) -> tuple[str, str]:
    """Render templates/mail/<name>.txt.j2 → (subject, body)."""
    text = template_env(str(templates_dir)).get_template(f"mail/{name}.txt.j2").render(**context)
    first, _, body = text.partition("\n")
    if not first.startswith("Subject:"):
        raise ValueError(f"mail template {name} must start with 'Subject:'")
    return first.removeprefix("Subject:").strip(), body.lstrip("\n")


def fmt_day(d: Any) -> str:
    """2027-02-10 → 2027年2月10日 (a date as clerks write it)."""
    return f"{d.year}年{d.month}月{d.day}日"


def fmt_time(t: Any, tz: str) -> str:
    """2027-01-15T02:00Z → 2027年1月15日 10:00 (in the city's time zone)."""
    t = t.in_timezone(tz)
    return f"{t.year}年{t.month}月{t.day}日 {t.hour:02d}:{t.minute:02d}"
