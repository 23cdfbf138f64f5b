"""Migration environment: dbshift runs this file for every command that touches the database."""

from logging.config import fileConfig

from sqlalchemy import engine_from_config, pool

from dbshift import context

# The Config of the running command; it gives access to the values in the ini file.
config = context.config

# Set up Python logging from the ini file's logging sections.
if config.config_file_name is not None:
    fileConfig(config.config_file_name)

# For autogenerate, point this at your models' MetaData, e.g.
#     from myapp.models import Base
#     target_metadata = Base.metadata
target_metadata = None

# Other values from the ini file can be read with config.get_main_option("my_option").


def run_migrations_offline() -> None:
    """Emit the migrations as SQL text (``--sql``) without connecting to a database.

    Only a URL is needed; no Engine or DBAPI connection is created.
    """
    url = config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )

    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Connect to the database and run the migrations on that connection."""
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )

    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)

        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
