"""Migration environment for several databases: each revision migrates all of them together."""

import logging
import re
from logging.config import fileConfig

from sqlalchemy import engine_from_config, pool

from dbshift import context

# True: commit through two-phase transactions so the databases move together or not at all
# (needs a backend and driver that support it).
USE_TWOPHASE = False

# The Config of the running command; it gives access to the values in the ini file.
config = context.config

# Set up Python logging from the ini file's logging sections.
if config.config_file_name is not None:
    fileConfig(config.config_file_name)
logger = logging.getLogger("alembic.env")

# The database names, each with its own ini section holding sqlalchemy.url.
db_names = [n for n in re.split(r"[,\s]+", config.get_main_option("databases", "") or "") if n]

# For autogenerate, map each database name to its models' MetaData, e.g.
#     target_metadata = {"engine1": models1.Base.metadata, "engine2": models2.Base.metadata}
target_metadata: dict = {}


def run_migrations_offline() -> None:
    """Write each database's migrations as SQL text to ``<name>.sql`` without connecting."""
    for name in db_names:
        url = config.get_section_option(name, "sqlalchemy.url")
        file_name = f"{name}.sql"
        logger.info("Migrating database %s; writing SQL to %s", name, file_name)
        with open(file_name, "w", encoding="utf-8") as buffer:
            context.configure(
                url=url,
                output_buffer=buffer,
                target_metadata=target_metadata.get(name),
                literal_binds=True,
                dialect_opts={"paramstyle": "named"},
                upgrade_token=f"{name}_upgrades",
                downgrade_token=f"{name}_downgrades",
            )
            with context.begin_transaction():
                context.run_migrations(engine_name=name)


def run_migrations_online() -> None:
    """Open a transaction on every database, migrate each, then commit them all (or none)."""
    engines = {
        name: engine_from_config(
            config.get_section(name, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
        )
        for name in db_names
    }
    connections = {name: engine.connect() for name, engine in engines.items()}
    try:
        transactions = {
            name: conn.begin_twophase() if USE_TWOPHASE else conn.begin()
            for name, conn in connections.items()
        }
        try:
            for name, conn in connections.items():
                logger.info("Migrating database %s", name)
                context.configure(
                    connection=conn,
                    upgrade_token=f"{name}_upgrades",
                    downgrade_token=f"{name}_downgrades",
                    target_metadata=target_metadata.get(name),
                )
                context.run_migrations(engine_name=name)
            if USE_TWOPHASE:
                for trans in transactions.values():
                    trans.prepare()
            for trans in transactions.values():
                trans.commit()
        except BaseException:
            for trans in transactions.values():
                if trans.is_active:
                    trans.rollback()
            raise
    finally:
        for conn in connections.values():
            conn.close()
        for engine in engines.values():
            engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
