"""A stored submission's workbook, read back from the archive: an administrator's import is stored as
it is; a mailed workbook is found again in its archived mail (same parser, same bytes, same sha256)."""

from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from nianbao.db.models import InboundMessage, Submission
from nianbao.errors import NianbaoError
from nianbao.mail.message import parse_mail
from nianbao.store import BlobStore


def workbook_bytes(s: Session, store: BlobStore, sub: Submission) -> bytes:
    if store.path_for(sub.sha256).exists():
        return store.get(sub.sha256)
    mail = s.get(InboundMessage, sub.message_pk) if sub.message_pk is not None else None
    if mail is not None and store.path_for(mail.sha256, ".eml").exists():
        for attachment in parse_mail(store.get(mail.sha256, ".eml")).attachments:
            if hashlib.sha256(attachment.data).hexdigest() == sub.sha256:
                return attachment.data
    raise NianbaoError(f"报送编号 {sub.id} 的工作簿({sub.filename})在归档中找不到")
