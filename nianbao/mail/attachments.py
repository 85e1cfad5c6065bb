"""Finding the spreadsheets in a mail however the client packed them: named in any of the ways Chinese
clients write names, unnamed, zipped, forwarded inline or as an .eml file."""

from __future__ import annotations

import base64
import binascii
import quopri
from dataclasses import dataclass, field
from email.message import Message

from nianbao.errors import WorkbookError
from nianbao.mail.headers import decode_bytes, decode_header_value, message_from_raw
from nianbao.mail.zipped import unpack_zip
from nianbao.textsafe import one_line
from nianbao.workbook.errors import ArchiveNotWorkbook, Encrypted
from nianbao.workbook.reader import sniff

SHEET_EXT = (".xlsx", ".xlsm", ".xls", ".ods", ".et")
UNREADABLE_ARCHIVES = (".rar", ".7z", ".tar", ".gz", ".tgz")
MAX_NAME = 255  # characters of a file name, as file systems allow
MAX_DEPTH = 5  # forwarded inside forwarded inside …: deeper than any real chain, shallow enough for hostile mail


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes
    via: str = ""  # '' | 'zip:<archive name>' | 'forwarded'


@dataclass
class Found:
    """What a walk over a message's parts collected."""

    attachments: list[Attachment] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    problems: list[tuple[str, dict]] = field(default_factory=list)  # (message key, its names): worded by config


def _param_names(part: Message, header: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for key, value in (part.get_params(header=header, failobj=[]) or [])[1:]:
        key = key.lower()
        if key not in ("filename", "name"):
            continue
        if isinstance(value, tuple):  # RFC 2231 (charset, language, value), continuations already joined
            charset, _, text = value
            raw = text.encode("latin-1", "surrogateescape") if isinstance(text, str) else bytes(text)
            found.setdefault(key + "*", decode_bytes(raw, charset))
        else:
            found.setdefault(key, decode_header_value(value.strip('"')))
    return found


def part_filename(part: Message) -> str:
    """The attachment's real name: an RFC 2231 name first, then filename=, then Content-Type name=.

    Clients that write a placeholder ('attachment.xlsx', a cut encoded-word) in filename= put the real
    name in filename*; old ones have it only in name=. A Windows path before the name is dropped."""
    names = {**_param_names(part, "content-type"), **_param_names(part, "content-disposition")}
    for key in ("filename*", "name*", "filename", "name"):
        name = one_line((names.get(key) or "").replace("\\", "/").rsplit("/", 1)[-1], MAX_NAME)
        if name:
            return name
    return ""


def sniff_extension(data: bytes) -> str:
    """The spreadsheet type of unnamed bytes from their content ('' when not a spreadsheet, '.zip' for
    an archive that is not itself a workbook); the workbook reader's own sniffing decides."""
    try:
        return "." + sniff(data)[0]
    except Encrypted:
        return ".xlsx"  # still a workbook: the clerk is then told it is password-protected
    except ArchiveNotWorkbook:
        return ".zip"
    except WorkbookError:
        return ""


def _forwarded_inside(part: Message) -> list[Message]:
    """The messages of a message/rfc822 part, also when a client base64- or QP-encoded them."""
    inner = part.get_payload()
    if not isinstance(inner, list):
        return []
    cte = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if cte in ("base64", "quoted-printable") and len(inner) == 1 and not inner[0].keys():
        text = inner[0].get_payload()
        if isinstance(text, str):
            raw = text.encode("ascii", "ignore")
            try:
                data = base64.b64decode(raw) if cte == "base64" else quopri.decodestring(raw)
            except (binascii.Error, ValueError):
                return inner
            return [message_from_raw(data)]
    return [m for m in inner if isinstance(m, Message)]


def walk(msg: Message, found: Found, via: str = "", depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        found.problems.append(("mail_too_deep", {}))
        return
    for part in (msg.get_payload() if msg.is_multipart() else [msg]):
        if not isinstance(part, Message):
            continue
        try:
            _visit(part, found, via, depth)
        except Exception as exc:  # one broken part must not hide the others
            found.problems.append(("mail_part_unreadable", {"error": type(exc).__name__}))


def _visit(part: Message, found: Found, via: str, depth: int) -> None:
    ctype = part.get_content_type()
    if ctype == "message/rfc822":
        for inner in _forwarded_inside(part):
            walk(inner, found, "forwarded", depth + 1)
        return
    if part.is_multipart():
        walk(part, found, via, depth + 1)
        return
    name = part_filename(part)
    if not name and part.get_content_maintype() == "text":
        return  # the mail's own text
    data = part.get_payload(decode=True) or b""
    lower = name.lower()
    if not lower.endswith(SHEET_EXT + (".zip", ".eml")):  # unnamed, or named without a usable extension
        ext = sniff_extension(data)
        if not name and not ext:
            return
        if not name or ext in SHEET_EXT or (ext == ".zip" and "." not in name):
            name = f"{name or '未命名附件'}{ext}"
            lower = name.lower()
    if lower.endswith(".zip"):
        files, problems = unpack_zip(data, name)
        found.attachments += [Attachment(n, "application/octet-stream", d, f"zip:{name}") for n, d in files]
        found.problems += problems
    elif lower.endswith(SHEET_EXT):
        found.attachments.append(Attachment(name, ctype, data, via))
    elif lower.endswith(".eml"):  # forwarded "as attachment" by Outlook and webmails
        walk(message_from_raw(data), found, "forwarded",
             depth + 1)
    elif lower.endswith(UNREADABLE_ARCHIVES):
        found.ignored.append(name)
        found.problems.append(("archive_unsupported", {"name": name}))
    elif lower == "winmail.dat":
        found.ignored.append(name)
        found.problems.append(("winmail", {}))
    else:
        found.ignored.append(name)
