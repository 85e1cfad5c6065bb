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
from nianbao.mail.auth import Trust, Verdict, received_by, verdict
from nianbao.mail.headers import normalize_8bit_headers
from nianbao.mail.inbox_types import HEAD_BYTES
from nianbao.mail.body import docx_files, reply_text
from nianbao.mail.kinds import MailKind, mail_kind
from nianbao.mail.message import ParsedMail, dedup_key, message_from_raw, parse_headers, parse_message
from nianbao.workbook import layout as L
from nianbao.workbook.checks import CheckResult, check_values
from nianbao.workbook.errors_zh import describe
from nianbao.workbook.reader import RawWorkbook, read_workbook



@dataclass
class PreparedWorkbook:
    filename: str
    sha256: str
    raw: RawWorkbook | None  # None when unreadable
    error: str | None = None  # Chinese: why it could not be read
    check: CheckResult | None = None  # the checks of the workbook alone (year-on-year is the intake's)
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
    kind: MailKind = field(default_factory=MailKind)  # automatic, a bounce, a reply to our mail, our own
    reply_text: str = ""  # a threaded person's mail: its own words (mail.body.reply_text)
    docx: list[tuple[str, bytes]] = field(default_factory=list)  # …and the Word files attached to it


def identify(config: CityConfig, raw: RawWorkbook, sender: str | None,
             verified: Verdict | None = None) -> tuple[Unit | None, str | None, list[str]]:
    """(unit, why held, flags). The embedded, signed identity decides, never the filename or subject;
    the sender must be one of the unit's contacts and, when the bureau's MX authenticates senders
    (``verified`` is not None), proven to be that address."""
    if raw.identity is None:
        names = [u for u in config.units if u.name == (raw.unit_name or "").strip()]
        return (names[0] if len(names) == 1 else None), config.text("held_no_identity"), []
    unit = config.unit_or_none(raw.identity.unit_code)
    if unit is None:
        return None, config.text("held_unknown_unit", code=raw.identity.unit_code), []
    if not raw.identity.signature_valid:
        return unit, config.text("held_bad_signature"), []
    if sender is not None and sender not in (c.lower() for c in unit.contacts):
        return unit, config.text("held_not_a_contact", sender=sender, unit=unit.name), []
    if sender is not None and verified is not None and not verified.verified:
        return unit, config.text("held_not_authenticated", sender=sender, detail=verified.detail), []
    return unit, None, []


def prepare_workbook(config: CityConfig, key: bytes, data: bytes, filename: str, sender: str | None,
                     sha256: str | None = None, careful: bool = False,
                     verified: Verdict | None = None) -> PreparedWorkbook:
    sha = sha256 or hashlib.sha256(data).hexdigest()
    try:
        raw = read_workbook(data, filename, key, config, careful)
    except WorkbookError as exc:
        return PreparedWorkbook(filename, sha, None, error=describe(config, exc))
    unit, held, flags = identify(config, raw, sender, verified)
    check = check_values(config, unit, raw) if unit is not None else None
    return PreparedWorkbook(filename, sha, raw, unit=unit, held_reason=held, flags=flags, check=check)


def prepare_mail(config: CityConfig, key: bytes, data: bytes, sha256: str, source_key: str | None,
                 careful: bool = False, trust: Trust = Trust()) -> PreparedMail:
    msg = message_from_raw(data)
    parsed = parse_message(msg)
    kind = mail_kind(msg, own_addresses=own_addresses(config))
    verified = verdict(parsed.auth_results, trust.authserv_id, parsed.sender) if trust.authserv_id else None
    books = [prepare_workbook(config, key, a.data, a.filename, parsed.sender, careful=careful, verified=verified)
             for a in parsed.attachments]
    notes = [config.text(key, **names) for key, names in parsed.problems]
    notes += [config.text("note_ignored", name=n) for n in parsed.ignored]
    notes += [config.text("note_text_altered", name=b.filename, count=b.raw.altered, note_limit=L.MAX_NOTE,
                          narrative_limit=L.MAX_NARRATIVE) for b in books if b.raw is not None and b.raw.altered]
    hashes = [b.sha256 for b in books]
    parsed.attachments = []  # the bytes are archived with the mail: the result carries cells only
    mail = PreparedMail(source_key, sha256, dedup_key(parsed, hashes, data), parsed, books, notes, kind=kind)
    if trust.received_by:
        mail.received_at = received_by(parsed.received, trust.received_by)
    if kind.replies_to and not kind.automatic and not books:  # perhaps an answer to one of our mails
        mail.reply_text, mail.docx = reply_text(msg), docx_files(msg)
    return mail


def own_addresses(config: CityConfig) -> tuple[str, ...]:
    """The addresses nianbao sends from: a mail from one of them with a Message-ID of ours is our own."""
    return (config.intake_address,)


def prepare_head(head: bytes, sha256: str, source_key: str | None, failure: str, detail: str = "",
                 own: tuple[str, ...] = ()) -> PreparedMail:
    """A mail that is not read whole (too large) or whose reading failed: who sent it, from its header
    block alone, so the sender can still be told why (unless the header block says it is automatic)."""
    kind = MailKind()
    try:
        msg = BytesHeaderParser(policy=compat32).parsebytes(normalize_8bit_headers(head[:HEAD_BYTES]))
        parsed = parse_headers(msg)
        kind = mail_kind(msg, own_addresses=own)
    except Exception:  # even the header block is unreadable: nobody can be answered
        parsed = ParsedMail(None, "", "", "", None)
    key = f"failed|{sha256 or hashlib.sha256(head).hexdigest()}"
    return PreparedMail(source_key, sha256, key, parsed, [], [], failure=failure, detail=detail, kind=kind)


def prepare_safely(config: CityConfig, key: bytes, item: tuple[str | None, str, bytes, bool],
                   careful: bool = False, trust: Trust = Trust()) -> PreparedMail:
    """``prepare_mail`` for the sandbox: whatever goes wrong becomes this mail's outcome.

    ``item`` is (mailbox key, sha256 of the archived mail, bytes, whether the bytes are the whole mail)."""
    source_key, sha, data, whole = item
    if not whole:
        return prepare_head(data, sha, source_key, "too_large", own=own_addresses(config))
    try:
        return prepare_mail(config, key, data, sha, source_key, careful, trust)
    except Exception as exc:  # noqa: BLE001 - a parser's bug on hostile input is this mail's problem only
        return prepare_head(data, sha, source_key, "unreadable", f"{type(exc).__name__}: {exc}"[:500],
                            own_addresses(config))

