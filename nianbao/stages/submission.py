"""One workbook → one submission row: identify the unit, check the sender, check the values, store.

Pure decisions (who sent it, which status) are separated from the writes so they read as rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pendulum
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from nianbao import repo
from nianbao.cityconfig import CityConfig, Unit
from nianbao.db.models import Cycle, Narrative, Submission, Value
from nianbao.errors import WorkbookError
from nianbao.workbook.checks import CheckResult, check_workbook
from nianbao.workbook.errors_zh import describe
from nianbao.workbook.reader import RawWorkbook, read_workbook


@dataclass
class Outcome:
    filename: str
    status: str  # accepted | rejected | held
    unit: Unit | None = None
    year: int | None = None
    reasons: list[str] = field(default_factory=list)  # Chinese, one per problem
    warnings: list[str] = field(default_factory=list)  # confirmed warnings and flags, Chinese
    check: CheckResult | None = None
    submission_id: int | None = None


def identify(config: CityConfig, raw: RawWorkbook, sender: str | None) -> tuple[Unit | None, str | None, list[str]]:
    """(unit, why held, flags). The embedded identity decides, never the filename or subject."""
    flags: list[str] = []
    if raw.identity is not None:
        unit = next((u for u in config.units if u.code == raw.identity.unit_code), None)
        if unit is None:
            return None, f"工作簿中的单位代码 {raw.identity.unit_code} 不在本市填报单位名单中", flags
        if not raw.identity.signature_valid:
            return unit, "工作簿身份信息校验失败(可能使用了其他单位或修改过的模板)", flags
    else:
        candidates = [u for u in config.units if u.name == (raw.unit_name or "").strip()]
        if sender:
            candidates = [u for u in candidates if sender in (c.lower() for c in u.contacts)]
        if len(candidates) != 1:
            return None, "工作簿缺少隐藏的身份信息页,且无法按发件人和单位名称确定填报单位", flags
        unit = candidates[0]
        flags.append("工作簿的隐藏身份信息页已丢失(可能经过另存),已按发件人和单位名称匹配为"
                     f"{unit.name},请今后直接在下发的模板上填写")
    if sender is not None and sender not in (c.lower() for c in unit.contacts):
        return unit, f"发件人 {sender} 不是{unit.name}登记的填报联系人,已转管理员核实", flags
    return unit, None, flags


def process_workbook(
    s: Session, config: CityConfig, key: bytes, *, data: bytes, filename: str, sha256: str,
    sender: str | None, received_at: pendulum.DateTime, message_pk: int | None, default_year: int | None,
) -> Outcome:
    """Read, identify, check and store one workbook inside the caller's transaction."""
    try:
        raw = read_workbook(data, filename, key, config)
    except WorkbookError as exc:
        out = Outcome(filename, "rejected", reasons=[describe(exc)])
        _store(s, config, out, default_year, sha256, sender, received_at, message_pk, None)
        return out
    unit, held_reason, flags = identify(config, raw, sender)
    year = raw.identity.year if raw.identity else default_year
    out = Outcome(filename, "held" if held_reason else "accepted", unit=unit, year=year,
                  reasons=[held_reason] if held_reason else [], warnings=list(flags))
    if unit is not None:
        with s.no_autoflush:
            previous = repo.accepted(s, year - 1, unit.code).get(unit.code) if year else None
        out.check = check_workbook(config, unit, raw, repo.last_year_values(previous))
        out.warnings += [f.message for f in out.check.confirmed]
        if not out.check.accepted:
            out.status = "rejected" if not held_reason else "held"
            out.reasons += [f.message for f in out.check.errors + out.check.warnings]
    _store(s, config, out, year, sha256, sender, received_at, message_pk, raw)
    return out


def _store(s: Session, config: CityConfig, out: Outcome, year: int | None, sha256: str, sender: str | None,
           received_at: pendulum.DateTime, message_pk: int | None, raw: RawWorkbook | None) -> None:
    cycle = s.scalar(select(Cycle).where(Cycle.year == year)) if year else None
    if cycle is None:
        cycle = s.scalar(select(Cycle).order_by(Cycle.year.desc()))
        if year is not None and out.status == "accepted":
            out.status = "rejected"
            out.reasons.append(f"{year}年度的填报尚未开启,请使用本年度下发的模板")
    if cycle is None:  # nothing open at all: keep the file archived, record nothing more
        out.status = "rejected"
        out.reasons.append("目前没有开启的填报周期,请等待下发通知后再报送")
        return
    prev = None
    if out.status == "accepted" and out.unit is not None:
        prev = s.scalar(select(Submission).where(
            Submission.cycle_id == cycle.id, Submission.unit_code == out.unit.code,
            Submission.status == "accepted").with_for_update())
        if prev is not None:
            prev.status = "superseded"
    sub = Submission(
        cycle_id=cycle.id, unit_code=out.unit.code if out.unit else None, message_pk=message_pk,
        filename=out.filename, sha256=sha256, sender=sender or "", received_at=received_at,
        status=out.status, errors=out.reasons, warnings=out.warnings,
        template_version=raw.identity.version if raw and raw.identity else None,
        supersedes_id=prev.id if prev else None,
    )
    s.add(sub)
    s.flush()
    out.submission_id = sub.id
    if out.check is not None:
        notes = raw.notes if raw else {}
        rows = [{"submission_id": sub.id, "indicator_code": c, "value": v, "na": False, "note": notes.get(c)}
                for c, v in out.check.values.items()]
        rows += [{"submission_id": sub.id, "indicator_code": c, "value": None, "na": True, "note": notes.get(c)}
                 for c in out.check.na]
        if rows:
            s.execute(insert(Value), rows)
    if raw is not None and raw.narratives:
        s.execute(insert(Narrative), [{"submission_id": sub.id, "section": sec, "kind": kind, "text": text}
                                      for sec, kind, text in raw.narratives])
