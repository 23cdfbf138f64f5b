"""env.py for the FAB auth tables of apache-airflow-providers-fab (airflow/providers/fab/migrations).

Like the provider's own: version table ``alembic_version_fab``, render_as_batch, one transaction
per migration online, literal_binds offline.
"""

from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, pool

config = context.config
fileConfig(config.config_file_name)
url = config.get_main_option("sqlalchemy.url")
VERSION_TABLE = "alembic_version_fab"

if context.is_offline_mode():
    context.configure(
        url=url,
        target_metadata=None,
        literal_binds=True,
        render_as_batch=True,
        version_table=VERSION_TABLE,
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=None,
            transaction_per_migration=True,
            render_as_batch=True,
            version_table=VERSION_TABLE,
        )
        with context.begin_transaction():
            context.run_migrations()
