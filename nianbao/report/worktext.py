"""The draft's sentences about the year's work plan, from the lead units' answers (`report/work.py`): the
count of tasks done (the year's and each focus section's), the documents issued (《…》, by unit, each
title once), the measures (a task's lead units' measures in one sentence, each measure told once), and
the review notes on what could not be said. The problems are `report/workproblems.py`'s.

Frames come from report.yaml `tasks:` and are taken in turn, each at most `frame_uses` times in the
whole draft: the measure frames are shared out among the sections first, and a section with more tasks
than its share joins them into its sentences. Everything a unit wrote passes `plain` (one escaped run of
text). No answer, no sentence: nothing here is filler."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import cycle

from nianbao.cityconfig import CityConfig
from nianbao.config.report_tasks import TaskWriting
from nianbao.report.mdtext import plain
from nianbao.report.work import Counts, Progress, TaskState, counts

_END = "。；;，,、 \n"


class Frames:
    """Sentence frames taken in turn, each at most ``uses`` times; None once all are used up. A frame
    whose words before “{task}” repeat the verb the task's title opens with (为推进“推进…”) is passed over."""

    def __init__(self, frames: tuple[str, ...], uses: int):
        self.frames, self.uses, self.n = frames, uses, 0
        self.used = [0] * len(frames)

    def take(self, task: str = "") -> str | None:
        for i in range(len(self.frames)):
            at = (self.n + i) % len(self.frames)
            if self.used[at] < self.uses and not _repeats(self.frames[at], task):
                self.used[at] += 1
                self.n = at + 1
                return self.frames[at]
        return None


def _repeats(frame: str, task: str) -> bool:
    before = frame.split("“{task}”", 1)[0] if "“{task}”" in frame else ""
    return bool(task) and len(task) >= 2 and task[:2] in before


_SELF = re.compile(r"^(?:本单位|我单位|本部门|我局|我委|我办|我区|我县|我市)[，,]?")


def clean(text: str, own: str = "") -> str:
    """A unit's text as one clause run: no closing punctuation, its inner full stops made semicolons,
    no leading 本单位/我局 or its own name (the draft names the unit before it)."""
    text = re.sub(r"。\s*(?=\S)", "；", (text or "").strip().rstrip(_END)).rstrip(_END)
    if own and text.startswith(own):
        text = text[len(own):].lstrip("，, ")
    return _SELF.sub("", text)


def titled(title: str) -> str:
    """A document's title in 《》 (the intake normalises them; this keeps a bare one readable)."""
    title = title.strip()
    return title if title.startswith("《") else f"《{title}》"


def quoted(title: str) -> str:
    """A task's title as it stands inside the draft's “…”: its own quotation marks become ‘…’ (a
    title like 深化“放管服”改革 would otherwise read “深化“放管服”改革”)."""
    return plain(title.replace("“", "‘").replace("”", "’"))


@dataclass
class SectionWork:
    status: str = ""
    documents: str = ""
    measures: list[str] = field(default_factory=list)


@dataclass
class WorkText:
    overall: str = ""
    sections: dict[str, SectionWork] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)  # the measures said (highlights repeating one are dropped)
    documents: set[str] = field(default_factory=set)  # the titles said


def rest(w: TaskWriting, c: Counts) -> str:
    parts = [(w.rest_basic, c.basic), (w.rest_behind, c.behind), (w.rest_not_started, c.not_started),
             (w.rest_unanswered, c.unanswered)]
    return "".join(text.format(n=n) for text, n in parts if n)


def plan_name(p: Progress) -> str:
    stem = p.plan.rsplit(".", 1)[0]
    named = ("计划" in stem or "方案" in stem) and "法治" in stem and "《" not in stem  # not 计划.docx
    return f"《{stem}》" if named else "年度工作计划"


def work_text(config: CityConfig, p: Progress) -> WorkText:
    w = config.report.tasks
    out = WorkText()
    if w is None or not p.answered:
        return out
    c = counts(p.tasks)
    out.overall = w.overall.format(plan=plain(plan_name(p)), n=c.n, done=c.done, rest=rest(w, c))
    status, docs = Frames(w.status, w.frame_uses), Frames(w.documents, w.frame_uses)
    frames = Frames(w.measures, w.frame_uses)
    verb = cycle(w.document_verbs).__next__  # verbs in turn across the draft
    names = {u.code: u.name for u in config.units}
    told = {s.code: _told(p.of(s.code), names, out.used) for s in config.report.sections}
    room = allot({code: len(items) for code, items in told.items()}, len(w.measures) * w.frame_uses)
    for s in config.report.sections:
        states = p.of(s.code)
        answered = [t for t in states if t.answers]
        if not answered:
            continue
        sw = SectionWork()
        sc = counts(states)
        if (frame := status.take()) is not None:
            sw.status = frame.format(n=sc.n, done=sc.done, rest=rest(w, sc))
        sw.documents = _documents(answered, names, docs, verb, out.documents)
        sw.measures = _measures(w, told[s.code], room[s.code], frames)
        out.sections[s.code] = sw
    return out


def allot(wanted: dict[str, int], total: int) -> dict[str, int]:
    """Sentences each section may open with a frame: what it wants while the frames last, else a share
    of them in proportion (at least one where it has anything to say)."""
    if sum(wanted.values()) <= total:
        return dict(wanted)
    share = {k: min(n, max(1 if n else 0, n * total // sum(wanted.values()))) for k, n in wanted.items()}
    for k in sorted(wanted, key=lambda k: wanted[k] - share[k], reverse=True):  # what rounding left over
        if sum(share.values()) >= total:
            break
        share[k] += min(wanted[k] - share[k], total - sum(share.values()))
    return share


def _documents(states: list[TaskState], names: dict[str, str], frames: Frames, verb, said: set[str]) -> str:
    """One sentence naming each lead unit's documents (each title once in the draft)."""
    by_unit: dict[str, list[str]] = {}
    for t in states:
        for a in t.answers:
            measures = a.measures or ""
            titles = [titled(d) for d in a.documents if d.strip() and d.strip() not in measures]
            by_unit.setdefault(a.unit_code, [])
            by_unit[a.unit_code] += [d for d in titles if d not in said and not said.add(d)]
    items = [f"{plain(names.get(code, code))}{verb()}{plain(''.join(titles))}"
             for code, titles in by_unit.items() if titles]
    if not items or (frame := frames.take()) is None:
        return ""
    return frame.format(items="，".join(items))


def _told(states: list[TaskState], names: dict[str, str], used: set[str]) -> list[tuple[str, str]]:
    """(task title, its lead units' measures) for each task with a measure not told before."""
    out = []
    for t in states:
        items = []
        for a in t.answers:
            name = names.get(a.unit_code, a.unit_code)
            text = clean(a.measures, name)
            if text and text not in used:
                used.add(text)
                items.append(f"{plain(name)}{plain(text)}")
        if items:
            out.append((quoted(t.task.title), "；".join(items)))
    return out


def _measures(w: TaskWriting, told: list[tuple[str, str]], room: int, frames: Frames) -> list[str]:
    """``told`` in ``room`` sentences, each opened by the next frame; tasks beyond join the one before."""
    if not told or room < 1:
        return []
    out: list[str] = []
    n = min(room, len(told))
    sizes = [len(told) // n + (1 if i < len(told) % n else 0) for i in range(n)]  # tasks a sentence carries
    starts = [sum(sizes[:i]) for i in range(n)]
    for start, size in zip(starts, sizes, strict=True):
        (task, items), *joined = told[start:start + size]
        frame = frames.take(task) or next((f for f in w.measures if not _repeats(f, task)), w.measures[0])
        sentence = frame.format(task=task, items=items)
        for task, items in joined:
            sentence = sentence[:-1] + w.measure_joined.format(task=task, items=items) + "。"
        out.append(sentence)
    return out


def review_notes(config: CityConfig, year: int, p: Progress | None) -> list[str]:
    """What the administrators should know about the plan's part of the draft: why it says less."""
    w = config.report.tasks
    if w is None:
        return []
    if p is None:
        return [w.notes.no_plan.format(year=year)]
    if not p.answered:
        return [w.notes.no_answers.format(year=year, n=len(p.tasks))]
    out = []
    silent = [t for t in p.tasks if t.status is None and not t.answers]
    if silent:
        out.append(w.notes.unanswered.format(tasks="、".join(f"{t.task.id}“{quoted(t.task.title)}”" for t in silent)))
    partly = [t for t in p.tasks if t.status is None and t.answers]
    if partly:
        out.append(w.notes.partly_answered.format(tasks="、".join(
            f"{t.task.id}“{quoted(t.task.title)}”（{'、'.join(t.missing)}）" for t in partly)))
    unplaced = [t for t in p.tasks if t.section is None]
    if unplaced:
        out.append(w.notes.unplaced.format(tasks="、".join(f"{t.task.id}“{quoted(t.task.title)}”" for t in unplaced)))
    for s in config.report.sections:
        states = p.of(s.code)
        if states and all(not t.answers for t in states):
            out.append(w.notes.section_silent.format(section=s.heading))
    return out
