"""env.py for prefect's server chains (prefect/server/database/_migrations, versions/<dialect>).

Like prefect's own: batch mode on SQLite only, one transaction per migration, foreign keys off on
SQLite while migrating, literal_binds and named parameters offline. Prefect runs it through an
async engine; this one is the synchronous equivalent (pysqlite / psycopg2).
"""

from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, pool

config = context.config
fileConfig(config.config_file_name, disable_existing_loggers=False)
url = config.get_main_option("sqlalchemy.url")
is_sqlite = url.startswith("sqlite")

if context.is_offline_mode():
    context.configure(
        url=url,
        target_metadata=None,
        literal_binds=True,
        include_schemas=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=is_sqlite,
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        if is_sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        context.configure(
            connection=connection,
            target_metadata=None,
            include_schemas=True,
            render_as_batch=is_sqlite,
            transaction_per_migration=True,
        )
        with context.begin_transaction():
            context.run_migrations()
