"""The pure half of intake: a raw mail → sender, attachments read and their unit identified. No database,
no files, no clock, so it runs in the sandbox's child processes and a batch is stored in one transaction
afterwards. Nothing here raises for a bad mail: `prepare_safely` turns any failure into the mail's own
outcome (`PreparedMail.failure`), so one mail can never stop the others."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from email.policy import compat32

import pendulum

from nianbao.cityconfig import CityConfig, Unit
from nianbao.errors import WorkbookError
from nianbao.mail.headers import normalize_8bit_headers
from nianbao.mail.inbox_types import HEAD_BYTES
from nianbao.mail.message import ParsedMail, dedup_key, parse_headers, parse_mail
from nianbao.workbook.errors_zh import describe
from nianbao.workbook.reader import RawWorkbook, read_workbook



@dataclass
class PreparedWorkbook:
    filename: str
    sha256: str
    raw: RawWorkbook | None  # None when unreadable
    error: str | None = None  # Chinese: why it could not be read
    unit: Unit | None = None
    held_reason: str | None = None  # Chinese: why an administrator must look first
    flags: list[str] = field(default_factory=list)  # Chinese warnings kept with an accepted workbook


@dataclass
class PreparedMail:
    source_key: str | None
    sha256: str  # of the raw mail, archived before preparing ('' when it was not taken: too large)
    dedup_key: str
    parsed: ParsedMail
    workbooks: list[PreparedWorkbook]
    notes: list[str]  # Chinese: ignored files, unreadable zips, …
    failure: str | None = None  # too_large | unreadable | unstorable: the mail itself could not be taken
    detail: str = ""  # for the administrator: what failed, technically
    received_at: pendulum.DateTime | None = None  # set by the intake from the mailbox (the bureau's time)


def identify(config: CityConfig, raw: RawWorkbook, sender: str | None) -> tuple[Unit | None, str | None, list[str]]:
    """(unit, why held, flags). The embedded identity decides, never the filename or subject."""
    flags: list[str] = []
    if raw.identity is not None:
        unit = config.unit_or_none(raw.identity.unit_code)
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


def prepare_workbook(config: CityConfig, key: bytes, data: bytes, filename: str, sender: str | None,
                     sha256: str | None = None, careful: bool = False) -> PreparedWorkbook:
    sha = sha256 or hashlib.sha256(data).hexdigest()
    try:
        raw = read_workbook(data, filename, key, config, careful)
    except WorkbookError as exc:
        return PreparedWorkbook(filename, sha, None, error=describe(exc))
    unit, held, flags = identify(config, raw, sender)
    return PreparedWorkbook(filename, sha, raw, unit=unit, held_reason=held, flags=flags)


def prepare_mail(config: CityConfig, key: bytes, data: bytes, sha256: str, source_key: str | None,
                 careful: bool = False) -> PreparedMail:
    parsed = parse_mail(data)
    books = [prepare_workbook(config, key, a.data, a.filename, parsed.sender, careful=careful)
             for a in parsed.attachments]
    notes = list(parsed.problems) + [f"已忽略非报表附件:{n}" for n in parsed.ignored]
    hashes = [b.sha256 for b in books]
    parsed.attachments = []  # the bytes are archived with the mail: the result carries cells only
    return PreparedMail(source_key, sha256, dedup_key(parsed, hashes, data), parsed, books, notes)


def prepare_head(head: bytes, sha256: str, source_key: str | None, failure: str, detail: str = "") -> PreparedMail:
    """A mail that is not read whole (too large) or whose reading failed: who sent it, from its header
    block alone, so the sender can still be told why."""
    try:
        msg = BytesHeaderParser(policy=compat32).parsebytes(normalize_8bit_headers(head[:HEAD_BYTES]))
        parsed = parse_headers(msg)
    except Exception:  # even the header block is unreadable: nobody can be answered
        parsed = ParsedMail(None, "", "", "", None)
    key = f"failed|{sha256 or hashlib.sha256(head).hexdigest()}"
    return PreparedMail(source_key, sha256, key, parsed, [], [], failure=failure, detail=detail)


def prepare_safely(config: CityConfig, key: bytes, item: tuple[str | None, str, bytes, bool],
                   careful: bool = False) -> PreparedMail:
    """``prepare_mail`` for the sandbox: whatever goes wrong becomes this mail's outcome.

    ``item`` is (mailbox key, sha256 of the archived mail, bytes, whether the bytes are the whole mail)."""
    source_key, sha, data, whole = item
    if not whole:
        return prepare_head(data, sha, source_key, "too_large")
    try:
        return prepare_mail(config, key, data, sha, source_key, careful)
    except Exception as exc:  # noqa: BLE001 - a parser's bug on hostile input is this mail's problem only
        return prepare_head(data, sha, source_key, "unreadable", f"{type(exc).__name__}: {exc}"[:500])

