"""env.py for aim's web UI chain (aim/web/migrations): literal_binds offline, plain online."""

from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine

config = context.config
fileConfig(config.config_file_name)
url = config.get_main_option("sqlalchemy.url")

if context.is_offline_mode():
    context.configure(url=url, target_metadata=None, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = create_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=None)
        with context.begin_transaction():
            context.run_migrations()
