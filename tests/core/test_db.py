"""The schema migrates on SQLite and PostgreSQL alike and refuses what would corrupt the cycle."""

from __future__ import annotations

import datetime as dt

import pendulum
import pytest
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError, StatementError

from nianbao.db.models import Cycle, InboundMessage
from nianbao.db.session import make_sessionmaker, migrate, unit_of_work

NOW = pendulum.datetime(2027, 1, 4, 9, tz="Asia/Shanghai")


def test_migrations_create_every_table(db_url):
    factory = make_sessionmaker(db_url)
    names = set(inspect(factory.kw["bind"]).get_table_names())
    assert {"unit", "cycle", "inbound_message", "submission", "value", "narrative", "outbox_message",
            "reminder", "draft", "alembic_version"} <= names


def test_the_migrated_schema_is_the_models_schema(db_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from nianbao.db.models import Base

    engine = make_sessionmaker(db_url).kw["bind"]
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    # Type-only differences (JSON vs TEXT on SQLite) are the dialect's; indexes and tables must agree.
    assert [d for d in diff if d[0] in ("add_index", "remove_index", "add_table", "remove_table")] == []


def test_migrating_twice_is_harmless(db_url):
    factory = make_sessionmaker(db_url)
    migrate(factory.kw["bind"])


def test_datetimes_come_back_aware_in_the_same_instant(db_url):
    factory = make_sessionmaker(db_url)
    with unit_of_work(factory) as s:
        s.add(Cycle(year=2026, opened_at=NOW, expected_units=["320613"]))
    with unit_of_work(factory) as s:
        got = s.scalar(select(Cycle.opened_at))
    assert got.tzinfo is not None and got == NOW


def test_naive_datetimes_are_refused(db_url):
    factory = make_sessionmaker(db_url)
    with pytest.raises(StatementError, match="naive datetime"):
        with unit_of_work(factory) as s:
            s.add(Cycle(year=2026, opened_at=dt.datetime(2027, 1, 4, 9)))
            s.flush()


def test_the_same_mail_cannot_be_stored_twice(db_url):
    factory = make_sessionmaker(db_url)
    row = dict(dedup_key="<a@b>|abc", sha256="abc", received_at=NOW, source_key="INBOX/1/7")
    with unit_of_work(factory) as s:
        s.add(InboundMessage(**row))
    with pytest.raises(IntegrityError):
        with unit_of_work(factory) as s:
            s.add(InboundMessage(**{**row, "source_key": "INBOX/1/8"}))
