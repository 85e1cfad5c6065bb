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


def test_datetimes_come_back_as_pendulum_in_utc_at_the_same_instant(db_url):
    factory = make_sessionmaker(db_url)
    with unit_of_work(factory) as s:
        s.add(Cycle(year=2026, opened_at=NOW.add(microseconds=123), expected_units=["320613"]))
    with unit_of_work(factory) as s:
        got = s.scalar(select(Cycle.opened_at))
    assert isinstance(got, pendulum.DateTime) and got.timezone_name == "UTC"
    assert got == NOW.add(microseconds=123)


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


def test_bulk_rows_keep_text_nulls_and_flags_exactly(db_url):
    """COPY on PostgreSQL, the driver's executemany on SQLite: what goes in comes back to the letter."""
    from nianbao.db.bulk import insert_rows
    from nianbao.db.models import Narrative, Submission, Value

    factory = make_sessionmaker(db_url)
    tricky = "第一行\t制表\n第二行 \\ 反斜杠 “引号” 'quote' ,逗号 \\N"
    with unit_of_work(factory) as s:
        cycle = Cycle(year=2026, opened_at=NOW, expected_units=[])
        s.add(cycle)
        s.flush()
        sub = Submission(cycle_id=cycle.id, filename="x.xlsx", sha256="0" * 64, sender="", received_at=NOW,
                         status="accepted", errors=[], warnings=[])
        s.add(sub)
        s.flush()
        insert_rows(s, Value.__table__, ("submission_id", "indicator_code", "value", "na", "note"),
                    [(sub.id, "A", 1.5, False, tricky), (sub.id, "B", None, True, None)])
        insert_rows(s, Narrative.__table__, ("submission_id", "section", "kind", "text"),
                    [(sub.id, "F1", "highlight", tricky)])
    with unit_of_work(factory) as s:
        values = s.execute(select(Value.indicator_code, Value.value, Value.na, Value.note)
                           .order_by(Value.indicator_code)).all()
        text_back = s.scalar(select(Narrative.text))
    assert [tuple(v) for v in values] == [("A", 1.5, False, tricky), ("B", None, True, None)]
    assert text_back == tricky


def _alembic(engine, verb: str, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    from nianbao.db.session import MIGRATIONS

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        getattr(command, verb)(cfg, revision)


def test_rekeying_the_values_keeps_every_figure_both_ways(db_url):
    from sqlalchemy import text

    engine = make_sessionmaker(db_url, upgrade=False).kw["bind"]
    _alembic(engine, "upgrade", "0003_outbox_text")
    rows = [{"c": "XK01", "v": 12.5, "na": False, "note": "说明"}, {"c": "CF02", "v": None, "na": True, "note": None}]
    with engine.begin() as c:
        c.execute(text("INSERT INTO cycle (id, year, opened_at, expected_units) VALUES (1, 2026, :t, '[]')"),
                  {"t": dt.datetime(2027, 1, 4)})
        c.execute(text("INSERT INTO submission (id, cycle_id, filename, sha256, sender, received_at, status, errors, "
                       "warnings) VALUES (1, 1, 'a.xlsx', 'x', 's@example.cn', :t, 'accepted', '[]', '[]')"),
                  {"t": dt.datetime(2027, 1, 4)})
        c.execute(text("INSERT INTO value (submission_id, indicator_code, value, na, note) VALUES (1, :c, :v, :na, :note)"),
                  rows)
    read = "SELECT indicator_code, value, na, note FROM value ORDER BY indicator_code"
    with engine.connect() as c:  # closed before migrating: an open read would hold the table's lock
        before = [tuple(r) for r in c.execute(text(read))]
    _alembic(engine, "upgrade", "head")
    with engine.connect() as c:
        assert [tuple(r) for r in c.execute(text(read))] == before
        assert inspect(c).get_pk_constraint("value")["constrained_columns"] == ["submission_id", "indicator_code"]
    _alembic(engine, "downgrade", "0003_outbox_text")
    with engine.connect() as c:
        assert [tuple(r) for r in c.execute(text(read))] == before
        assert inspect(c).get_pk_constraint("value")["constrained_columns"] == ["id"]
