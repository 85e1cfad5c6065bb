"""A stored submission's workbook, read back from the archive: an administrator's import is stored as
it is; a mailed workbook is found again in its archived mail (same parser, same bytes, same sha256),
parsed in the sandbox like any untrusted mail."""

from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from nianbao.cityconfig import CityConfig
from nianbao.db.models import InboundMessage, Submission
from nianbao.errors import NianbaoError
from nianbao.mail.message import parse_mail
from nianbao.resources import Resources


def attachment_by_sha(config: CityConfig, raw: bytes, sha256: str) -> bytes | None:
    """The attachment of ``raw`` whose bytes hash to ``sha256`` (run in the sandbox)."""
    for attachment in parse_mail(raw).attachments:
        if hashlib.sha256(attachment.data).hexdigest() == sha256:
            return attachment.data
    return None


def workbook_bytes(s: Session, res: Resources, sub: Submission) -> bytes:
    store = res.store
    if store.exists(sub.sha256):
        return store.get(sub.sha256)
    mail = s.get(InboundMessage, sub.message_pk) if sub.message_pk is not None else None
    if mail is not None and mail.sha256 and store.exists(mail.sha256, ".eml"):
        found = res.sandbox().call(attachment_by_sha, store.get(mail.sha256, ".eml"), sub.sha256)
        if found is not None:
            return found
    raise NianbaoError(f"报送编号 {sub.id} 的工作簿({sub.filename})在归档中找不到")
