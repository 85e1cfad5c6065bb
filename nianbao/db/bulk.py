"""Many plain rows into one table through the driver's own executemany.

SQLAlchemy processes every row's parameters in Python before handing them over; for the tens of
thousands of values a province's intake batch stores, that was a third of the batch's store step.
The rows must already hold what the driver takes (numbers, text, booleans, None)."""

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
    mark = MARKS[conn.dialect.paramstyle]
    sql = (f"INSERT INTO {quote.format_table(table)} ({', '.join(quote.quote(c) for c in columns)}) "
           f"VALUES ({', '.join([mark] * len(columns))})")
    conn.exec_driver_sql(sql, rows)
