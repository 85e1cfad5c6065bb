"""Factories for test data: resources on a temp folder, units' filled workbooks, units' mails."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

import pendulum

from nianbao.cityconfig import Unit
from nianbao.clock import FixedClock
from nianbao.demo import confirm_notes
from nianbao.sample_data import unit_values
from nianbao.mail.inbox import deliver_to_maildir
from nianbao.mail.message import compose
from nianbao.resources import Resources, make_resources
from nianbao.settings import Settings
from nianbao.workbook.fill import fill_workbook
from nianbao.workbook.template import build_template, template_filename

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def resources(settings: Settings, db_url: str, at: pendulum.DateTime) -> Resources:
    return make_resources(settings.with_(database_url=db_url), clock=FixedClock(at), cached=False)


def opened(settings: Settings, db_url: str, at: pendulum.DateTime, year: int) -> Resources:
    """Resources with ``year``'s cycle opened at ``at`` and its invitations sent (to the .eml outbox)."""
    from nianbao.mail.outbox import deliver_pending
    from nianbao.stages.open_cycle import open_cycle

    res = resources(settings, db_url, at)
    open_cycle(res, year)
    deliver_pending(res.db, res.store, res.transport, res.clock)
    return res


def filled(res: Resources, unit: Unit, year: int, narratives: list[tuple[str, str, str]] | None = None,
           **overrides) -> bytes:
    """A unit's workbook filled with plausible figures (``overrides`` by code), as a clerk saves it."""
    values = {**unit_values(res.config, unit, year), **overrides}
    typed = {k: ("不涉及" if v is None else v) for k, v in values.items()}
    blank = build_template(res.config, unit, year, {}, res.hmac_key)
    return fill_workbook(blank, typed, notes=confirm_notes(res.config, values), narratives=narratives)


def unit_mail(res: Resources, unit: Unit, year: int, workbook: bytes, *, sender: str | None = None,
              n: int = 1) -> bytes:
    sender = sender or unit.contacts[0]
    return compose(sender=(unit.name, sender), to=[res.config.intake_address],
                   subject=f"{unit.name}报表", text="见附件", date=res.clock.now(),
                   attachments=[(template_filename(res.config, unit, year), workbook, XLSX)],
                   message_id=f"<t{n}-{unit.code}@example.cn>").as_bytes()


def inbox_path(res: Resources) -> Path:
    return res.settings.data_dir / "mail" / "inbox"


def mail_in(res: Resources, raw: bytes, at: pendulum.DateTime | None = None) -> None:
    """Deliver into the intake Maildir at ``at`` (default: the test's clock), as the bureau's server would."""
    deliver_to_maildir(inbox_path(res), raw, at=at or res.clock.now())


def sent_mails(res: Resources) -> list:
    """Every .eml the folder transport wrote, parsed (the outbox of the embedded default)."""
    folder = res.settings.data_dir / "mail" / "outbox"
    return [message_from_bytes(p.read_bytes(), policy=policy.default) for p in sorted(folder.glob("*.eml"))]


def cycle_with_mails(data_dir: Path, db_url: str, count: int) -> tuple[Resources, dict]:
    """An open 2026 cycle whose Maildir holds ``count`` unit mails (units in turn, distinct Message-IDs),
    and the environment a `nianbao` subprocess needs to work on it."""
    import os

    from nianbao.settings import load_settings
    from nianbao.stages.open_cycle import open_cycle

    env = {**os.environ, "NIANBAO_DATA": str(data_dir), "NIANBAO_HMAC_SECRET": "subprocess",
           "NIANBAO_DATABASE_URL": db_url}
    res = make_resources(load_settings(env), clock=FixedClock(pendulum.datetime(2027, 1, 6, 9, tz="Asia/Shanghai")),
                         cached=False)
    open_cycle(res, 2026)
    units = list(res.config.reporting_units)
    books = {u.code: filled(res, u, 2026) for u in units}
    for n in range(count):
        unit = units[n % len(units)]
        mail_in(res, unit_mail(res, unit, 2026, books[unit.code], n=n))
    return res, env


# A small work plan for the sample city: a unit leads, shares by name, or shares through a group.
PLAN_TASKS = (
    {"id": "1", "section": "依法全面履行政府职能", "title": "深化“证照分离”改革",
     "text": "深化“证照分离”改革，精简涉企证照，加强事中事后监管。", "lead": ["D02"],
     "responsible_groups": ["各县（市）区人民政府"]},
    {"id": "2", "section": "依法全面履行政府职能", "title": "推进基层综合行政执法改革",
     "text": "推进基层综合行政执法改革，制定乡镇（街道）综合执法事项清单。", "lead": ["320613"],
     "responsible": ["D01"]},
    {"id": "3", "section": "严格规范公正文明执法", "title": "全面推行行政执法“三项制度”",
     "text": "全面推行行政执法公示、执法全过程记录、重大执法决定法制审核制度。", "lead": ["D01"],
     "responsible_groups": ["市政府各部门"]},
)


def planned_config(folder: Path, year: int = 2026) -> Path:
    """A copy of the sample city's config/ with PLAN_TASKS as config/tasks/<year>.yaml."""
    import shutil

    from nianbao.settings import REPO_ROOT
    from nianbao.workplan.taskfile import TaskFile, save_task_file

    dst = folder / "config"
    shutil.copytree(REPO_ROOT / "config", dst)
    save_task_file(TaskFile.model_validate({"year": year, "source": "plan.txt", "tasks": PLAN_TASKS}),
                   dst / "tasks" / f"{year}.yaml")
    return dst
