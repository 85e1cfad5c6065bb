"""Alembic environment: runs against the connection handed in by nianbao.db.session.migrate()."""

from alembic import context
from sqlalchemy import create_engine

from nianbao.db.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # `alembic revision --autogenerate` from the command line
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite:///var/alembic.db")
    connection = engine.connect()

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                  compare_type=True)
with context.begin_transaction():
    context.run_migrations()
