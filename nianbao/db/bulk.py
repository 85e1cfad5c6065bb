"""Many plain rows into one table in the caller's transaction, the fastest way each driver offers.

SQLAlchemy processes every row's parameters in Python before handing them over, and psycopg sends an
executemany as one statement a row: for the tens of thousands of values a province's intake batch
stores, these were most of the batch's store step. SQLite gets the driver's own executemany;
PostgreSQL gets COPY. The rows must already hold what the driver takes (numbers, text, booleans, None)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Table
from sqlalchemy.orm import Session

MARKS = {"qmark": "?", "format": "%s", "pyformat": "%s"}  # positional placeholders per DBAPI paramstyle


def insert_rows(s: Session, table: Table, columns: Sequence[str], rows: list[tuple]) -> None:
    if not rows:
        return
    conn = s.connection()
    quote = conn.dialect.identifier_preparer
    target = f"{quote.format_table(table)} ({', '.join(quote.quote(c) for c in columns)})"
    if conn.dialect.name == "postgresql":
        with conn.connection.driver_connection.cursor() as cur, cur.copy(f"COPY {target} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    mark = MARKS[conn.dialect.paramstyle]
    conn.exec_driver_sql(f"INSERT INTO {target} VALUES ({', '.join([mark] * len(columns))})", rows)
