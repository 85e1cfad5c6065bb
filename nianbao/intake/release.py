"""What an administrator hands in or vouches for: a workbook received another way (`nianbao ingest
file.xlsx`) and a held workbook released after checking (`nianbao release ID`). Both are read in the
sandbox like any mailed workbook, and stored as the administrator's own import (no reply)."""

from __future__ import annotations

import pendulum
from sqlalchemy.orm import Session

from nianbao.completeness import status_label
from nianbao.db.models import Submission
from nianbao.db.session import unit_of_work
from nianbao.errors import NianbaoError
from nianbao.intake.archived import workbook_bytes
from nianbao.intake.prepare import PreparedWorkbook, prepare_workbook
from nianbao.intake.sandbox import SandboxFailed
from nianbao.intake.store import Job, Outcome, store_workbooks
from nianbao.resources import Resources
from nianbao.workbook.errors import ReaderFailed
from nianbao.workbook.errors_zh import describe


class SubmissionNotFound(NianbaoError):
    """No submission has the number an administrator gave."""


def _read(res: Resources, data: bytes, filename: str, sha256: str) -> PreparedWorkbook:
    try:
        return res.sandbox().call(prepare_workbook, res.hmac_key, data, filename, None, sha256)
    except SandboxFailed:
        return PreparedWorkbook(filename, sha256, None, error=describe(res.config, ReaderFailed(filename)))


def ingest_workbook_file(res: Resources, data: bytes, filename: str,
                         received_at: pendulum.DateTime | None = None) -> Outcome:
    """An administrator hands in a workbook directly: trusted as to its sender, checked like any other."""
    now = res.clock.now()
    sha, _ = res.store.put(data)
    book = _read(res, data, filename, sha)
    with unit_of_work(res.db) as s:
        return store_workbooks(s, res.config, [Job(book, None, received_at or now)])[0]


def status_label_of(status: str) -> str:
    """A submission's status as an administrator reads it."""
    return {"released": "已由管理员接收", "superseded": "已被新版本替代", "accepted": "已接收"}.get(
        status, status_label(status) if status in ("rejected", "held") else status)


def held_submission(session: Session, submission_id: int) -> Submission:
    """The held submission an administrator named; a clear error for any other."""
    sub = session.get(Submission, submission_id)
    if sub is None:
        raise SubmissionNotFound(f"没有编号为 {submission_id} 的报送")
    if sub.status != "held":
        raise NianbaoError(f"报送编号 {submission_id} 不是待核实的报送（当前状态：{status_label_of(sub.status)}）")
    return sub


def release_held(res: Resources, submission_id: int) -> Outcome:
    """The administrator vouches for a held workbook (e.g. a clerk's personal address): read it again
    from the archive as an administrator's own import, and mark the held row released."""
    with unit_of_work(res.db) as s:
        sub = held_submission(s, submission_id)
        data = workbook_bytes(s, res, sub)
        book = _read(res, data, sub.filename, sub.sha256)
        sub.status = "released"
        # Timeliness counts from when the unit sent it, not from when the administrator checked it.
        return store_workbooks(s, res.config, [Job(book, None, sub.received_at, sub.message_pk)])[0]
