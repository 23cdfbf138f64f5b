"""env.py for apache-airflow-core's chain (airflow/migrations).

Like airflow's own: render_as_batch, one transaction per migration online, literal_binds offline,
version table ``alembic_version``. The URL comes from the ini (airflow's reads its settings).
"""

from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, pool

config = context.config
fileConfig(config.config_file_name, disable_existing_loggers=False)
url = config.get_main_option("sqlalchemy.url")

if context.is_offline_mode():
    context.configure(
        url=url,
        target_metadata=None,
        literal_binds=True,
        render_as_batch=True,
        version_table="alembic_version",
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            transaction_per_migration=True,
            target_metadata=None,
            render_as_batch=True,
            version_table="alembic_version",
        )
        with context.begin_transaction():
            context.run_migrations()
