"""A unit's submissions in a cycle, oldest first, with what changed between its accepted versions and
who decided about them; and every decision of a cycle (held workbooks, drafts), by whom and when."""

from __future__ import annotations

from sqlalchemy import select

from nianbao import repo
from nianbao.db.models import Decision, Submission, Value
from nianbao.db.session import unit_of_work
from nianbao.resources import Resources
from nianbao.task_answers import answers_by_submission
from nianbao.workplan.answers import TaskAnswer

FIELDS = (("status", "完成情况"), ("measures", "主要举措和成效"), ("documents", "出台的制度文件"),
          ("reason", "未完成原因和下一步打算"))


def _shown(answer: TaskAnswer | None, key: str) -> str | None:
    if answer is None:
        return None
    value = getattr(answer, key)
    return "、".join(value) if isinstance(value, tuple) else (value or None)


def diff_answers(old: dict[str, TaskAnswer], new: dict[str, TaskAnswer]) -> list[dict]:
    """What changed in the sheet 重点任务落实情况 between two versions: one entry a (task, field)."""
    out = []
    for task in sorted(set(old) | set(new), key=lambda t: (len(t), t)):
        for key, label in FIELDS:
            a, b = _shown(old.get(task), key), _shown(new.get(task), key)
            if a != b:
                out.append({"task": task, "field": label, "old": a, "new": b})
    return out


def diff_values(old: dict[str, float | None], new: dict[str, float | None]) -> list[tuple[str, float | None, float | None]]:
    """(code, old, new) for every indicator whose value changed (None = 不涉及), in code order."""
    return [(c, old.get(c), new.get(c)) for c in sorted(set(old) | set(new)) if old.get(c) != new.get(c)]


def unit_history(res: Resources, year: int, unit_code: str) -> list[dict]:
    with unit_of_work(res.db) as s:
        cycle = repo.get_cycle(s, year)
        subs = s.scalars(select(Submission).where(Submission.cycle_id == cycle.id, Submission.unit_code == unit_code)
                         .order_by(Submission.received_at, Submission.id)).all()
        values: dict[int, dict[str, float | None]] = {sub.id: {} for sub in subs}
        for v in s.scalars(select(Value).where(Value.submission_id.in_(list(values)))):
            values[v.submission_id][v.indicator_code] = None if v.na else v.value
        answers = answers_by_submission(s, values)
        decided = _decisions(res, s.scalars(select(Decision).where(
            Decision.subject == "submission", Decision.subject_id.in_(list(values))).order_by(Decision.id)))
    names = {i.code: i.name for i in res.config.indicators}
    out, previous = [], None
    for sub in subs:
        changes, task_changes = [], []
        if sub.status in ("accepted", "superseded"):
            if previous is not None:
                changes = [{"indicator": c, "name": names.get(c, c), "old": a, "new": b}
                           for c, a, b in diff_values(values[previous], values[sub.id])]
                task_changes = diff_answers(answers[previous], answers[sub.id])
            previous = sub.id
        out.append({"submission_id": sub.id, "received": sub.received_at.in_timezone(
            res.config.timezone).format("YYYY-MM-DD HH:mm"), "status": sub.status, "filename": sub.filename,
            "sender": sub.sender, "problems": len(sub.errors), "changes": changes,
            "tasks": {t: a.status for t, a in answers[sub.id].items()}, "task_changes": task_changes,
            "decisions": [d for d in decided if d["subject_id"] == sub.id]})
    return out


CHOICES = {"release": "form_release", "send_back": "form_send_back", "approve": "form_approve", "return": "form_return"}


def _decisions(res: Resources, rows) -> list[dict]:
    cfg = res.config
    return [{"subject": d.subject, "subject_id": d.subject_id, "choice": d.choice,
             "label": cfg.text(CHOICES[d.choice]) if d.choice in CHOICES else d.choice, "by": d.by,
             "at": d.decided_at.in_timezone(cfg.timezone).format("YYYY-MM-DD HH:mm"), "reason": d.reason or ""}
            for d in rows]


def cycle_decisions(res: Resources, year: int) -> list[dict]:
    """Every decision taken in ``year``'s cycle, oldest first."""
    with unit_of_work(res.db) as s:
        cycle = repo.get_cycle(s, year)
        return _decisions(res, s.scalars(select(Decision).where(Decision.cycle_id == cycle.id).order_by(Decision.id)))
