"""The data model. One DeclarativeBase with a naming convention so Alembic names constraints alike on
SQLite and PostgreSQL; relationships are lazy="raise" so every query says what it loads."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pendulum
from sqlalchemy import (
    JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, MetaData, String, Text, UniqueConstraint, text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class AwareDateTime(TypeDecorator):
    """Stores UTC, returns pendulum datetimes in UTC; refuses naive ones (SQLite has no time zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused; use an aware pendulum datetime")
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc)
        # The constructor, not pendulum.instance: a tenth of the cost, and a province reads thousands.
        return pendulum.DateTime(value.year, value.month, value.day, value.hour, value.minute, value.second,
                                 value.microsecond, tzinfo=pendulum.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dt.datetime: AwareDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


class Unit(Base):
    """A reporting unit, synced from config/units.yaml when a cycle opens."""

    __tablename__ = "unit"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    parent_code: Mapped[str | None] = mapped_column(String(32))
    contacts: Mapped[list[Any]] = mapped_column(default=list)
    leaders: Mapped[list[Any]] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Cycle(Base):
    """One report year's collection cycle (the 2026 cycle runs in January–February 2027)."""

    __tablename__ = "cycle"
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    opened_at: Mapped[dt.datetime]
    expected_units: Mapped[list[Any]] = mapped_column(default=list)  # unit codes expected when opened
    closed_at: Mapped[dt.datetime | None]  # no submissions after this


class InboundMessage(Base):
    """A raw mail as received, archived before parsing. Keys make re-delivery and re-runs harmless."""

    __tablename__ = "inbound_message"
    __table_args__ = (UniqueConstraint("source_key"), UniqueConstraint("dedup_key"))
    id: Mapped[int] = mapped_column(primary_key=True)
    source_key: Mapped[str | None] = mapped_column(String(300))  # folder/UIDVALIDITY/UID or maildir key
    dedup_key: Mapped[str] = mapped_column(String(600))  # Message-ID + sha256 of the raw bytes
    message_id: Mapped[str | None] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    sender: Mapped[str] = mapped_column(String(300), default="")
    subject: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[dt.datetime]  # when the bureau's mail server took it (never the sender's clock)
    processed_at: Mapped[dt.datetime | None]
    date_header: Mapped[dt.datetime | None]  # what the sender's Date: header said, kept to show beside it
    status: Mapped[str] = mapped_column(String(20), default="processed")  # processed | failed
    # Why no person wrote it (mail.kinds.automatic_reason: auto_submitted, report, list…): never answered
    automatic: Mapped[str | None] = mapped_column(String(30))
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    submissions: Mapped[list[Submission]] = relationship(back_populates="message", lazy="raise")


class MailFailure(Base):
    """A mail whose results could not be stored: attempts are counted until it is set aside."""

    __tablename__ = "mail_failure"
    key: Mapped[str] = mapped_column(String(600), primary_key=True)  # the mail's dedup key
    attempts: Mapped[int] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    first_at: Mapped[dt.datetime]
    last_at: Mapped[dt.datetime | None]


class Submission(Base):
    """One workbook received from a unit (accepted, rejected, held for the administrator, superseded)."""

    __tablename__ = "submission"
    # At most one current (accepted) workbook per unit and cycle, even with several intake workers.
    __table_args__ = (Index("uq_submission_current", "cycle_id", "unit_code", unique=True,
                            sqlite_where=text("status = 'accepted'"), postgresql_where=text("status = 'accepted'")),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"), index=True)
    unit_code: Mapped[str | None] = mapped_column(ForeignKey("unit.code"), index=True)
    message_pk: Mapped[int | None] = mapped_column(ForeignKey("inbound_message.id"))
    filename: Mapped[str] = mapped_column(Text, default="")
    sha256: Mapped[str] = mapped_column(String(64))
    sender: Mapped[str] = mapped_column(String(300), default="")
    received_at: Mapped[dt.datetime]
    status: Mapped[str] = mapped_column(String(20), index=True)
    errors: Mapped[list[Any]] = mapped_column(default=list)
    warnings: Mapped[list[Any]] = mapped_column(default=list)
    template_version: Mapped[str | None] = mapped_column(String(40))
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("submission.id"))
    message: Mapped[InboundMessage | None] = relationship(back_populates="submissions", lazy="raise")
    values: Mapped[list[Value]] = relationship(back_populates="submission", lazy="raise")


class Value(Base):
    """One indicator figure of one submission. ``na`` is 不涉及 (no such power), distinct from 0."""

    __tablename__ = "value"
    # Keyed by (submission, indicator) and, on SQLite, stored in that key's order (WITHOUT ROWID): a
    # workbook's figures lie together, one B-tree per insert instead of three, a figure found in one step.
    __table_args__ = {"sqlite_with_rowid": False}
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"), primary_key=True)
    indicator_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[float | None] = mapped_column(Float)
    na: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)  # 上报说明 confirming a warning
    submission: Mapped[Submission] = relationship(back_populates="values", lazy="raise")


class Narrative(Base):
    """Free text from a workbook's narrative sheet: a unit's highlights (特色亮点) and problems."""

    __tablename__ = "narrative"
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"), index=True)
    section: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(20))  # highlight | problem
    text: Mapped[str] = mapped_column(Text)


class TaskAnswerRow(Base):
    """What a unit answered about one task of the year's plan (sheet 重点任务落实情况), per submission:
    versioned with the figures. ``documents``: the titles in 《…》, one a line."""

    __tablename__ = "task_answer"
    __table_args__ = {"sqlite_with_rowid": False}
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    role: Mapped[str] = mapped_column(String(12))  # lead | responsible
    status: Mapped[str | None] = mapped_column(String(8))  # 已完成 | 基本完成 | 正在推进 | 未启动 | None: blank
    measures: Mapped[str] = mapped_column(Text, default="")
    documents: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")


class OutboxMessage(Base):
    """Every outgoing mail, queued first and sent later: a retried flow never sends twice."""

    __tablename__ = "outbox_message"
    __table_args__ = (UniqueConstraint("key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300))  # idempotency key, e.g. reminder/2026/D01/report/5
    # The 32 hex digits of its Message-ID (message.message_id_for): a bounce or a reply is matched by it.
    id_token: Mapped[str | None] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # invitation | receipt | rejection | reminder | overdue | digest | draft
    recipients: Mapped[list[Any]] = mapped_column(default=list)
    subject: Mapped[str] = mapped_column(Text)
    # Either a composed .eml in the blob store (mails with attachments), or plain text composed when sent
    # (receipts: composing thousands of MIME messages during intake would cost more than reading them).
    sha256: Mapped[str | None] = mapped_column(String(64))
    body: Mapped[str | None] = mapped_column(Text)
    headers: Mapped[dict[str, Any] | None]  # from, to, cc, in_reply_to, date of a text-only mail
    # queued | sending | sent | failed | uncertain (the server got it whole and never answered: it may
    # have been delivered; sent again at most mail.yaml outbound.uncertain_retries times)
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    uncertain_sends: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime]
    sent_at: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


class Undelivered(Base):
    """A mail nianbao sent that came back: one dead address of one outbox message, from a bounce that
    names it as a recipient of that very message (matched by Message-ID)."""

    __tablename__ = "undelivered"
    __table_args__ = (UniqueConstraint("outbox_id", "address"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox_message.id"))
    kind: Mapped[str] = mapped_column(String(20))  # the returned mail's kind: invitation | reminder | receipt …
    unit_code: Mapped[str | None] = mapped_column(ForeignKey("unit.code"), index=True)
    address: Mapped[str] = mapped_column(String(300))  # lowercased
    status: Mapped[str] = mapped_column(String(20), default="")  # the DSN's status code, e.g. 5.1.1
    diagnostic: Mapped[str] = mapped_column(Text, default="")
    message_pk: Mapped[int | None] = mapped_column(ForeignKey("inbound_message.id"))  # the bounce
    received_at: Mapped[dt.datetime]


class Reply(Base):
    """A person's answer to a mail nianbao sent, without a workbook (a leader's 同意 or edited draft, a
    clerk's question): conversation for the administrators, never a submission, never answered."""

    __tablename__ = "reply"
    id: Mapped[int] = mapped_column(primary_key=True)
    message_pk: Mapped[int] = mapped_column(ForeignKey("inbound_message.id"), unique=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox_message.id"), index=True)  # the mail answered
    kind: Mapped[str] = mapped_column(String(20))  # the answered mail's kind: draft | invitation | receipt …
    unit_code: Mapped[str | None] = mapped_column(ForeignKey("unit.code"))
    sender: Mapped[str] = mapped_column(String(300), default="")
    subject: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")  # the reply's own words, quoted original cut
    files: Mapped[list[Any]] = mapped_column(default=list)  # where attached edited drafts were kept
    received_at: Mapped[dt.datetime]


class Reminder(Base):
    """A reminder or overdue notice planned for (unit, deadline, slot); sent at most once."""

    __tablename__ = "reminder"
    __table_args__ = (UniqueConstraint("cycle_id", "unit_code", "deadline", "slot"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"))
    unit_code: Mapped[str] = mapped_column(ForeignKey("unit.code"))
    deadline: Mapped[str] = mapped_column(String(32))
    slot: Mapped[str] = mapped_column(String(32))  # before-5 | before-1 | overdue-1 …
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox_message.id"))
    created_at: Mapped[dt.datetime]


class UnitDraft(Base):
    """A unit's own report draft, made once for each accepted workbook of it (a correction makes another)."""

    __tablename__ = "unit_draft"
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"), index=True)
    unit_code: Mapped[str] = mapped_column(String(32))
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), unique=True)
    created_at: Mapped[dt.datetime]
    sha256: Mapped[str] = mapped_column(String(64))  # of the Markdown text
    paths: Mapped[dict[str, Any]] = mapped_column(default=dict)  # format -> file


class Draft(Base):
    """A rendered report draft and what it was computed from."""

    __tablename__ = "draft"
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"), index=True)
    created_at: Mapped[dt.datetime]
    sha256: Mapped[str] = mapped_column(String(64))  # of the Markdown text
    paths: Mapped[dict[str, Any]] = mapped_column(default=dict)  # format -> file
    figures: Mapped[dict[str, Any]] = mapped_column(default=dict)  # indicator -> city value used
    delivered: Mapped[bool] = mapped_column(Boolean, default=False)
    approved_at: Mapped[dt.datetime | None]  # an administrator approved it for the leaders
    approved_by: Mapped[str | None] = mapped_column(Text)
    comment: Mapped[str | None] = mapped_column(Text)  # the administrator's note on approving or not


class Decision(Base):
    """An administrator's decision, with the name given and when: a held workbook released or sent back
    (subject "submission"), a draft approved or returned for changes (subject "draft")."""

    __tablename__ = "decision"
    __table_args__ = (Index("ix_decision_subject", "subject", "subject_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"), index=True)
    subject: Mapped[str] = mapped_column(String(20))  # submission | draft
    subject_id: Mapped[int] = mapped_column(Integer)
    choice: Mapped[str] = mapped_column(String(20))  # release | send_back | approve | return
    by: Mapped[str] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[dt.datetime]
