# Runtime settings for a single database reached through an async DBAPI; source-code options are in pyproject.toml [tool.alembic].
# Values may use %(here)s, the directory holding this file; write a literal % as %%.

[alembic]
# The database env.py connects to. Only env.py reads this key, so it may instead
# take the URL from the environment. The default is a SQLite file beside this ini.
sqlalchemy.url = sqlite+aiosqlite:///%(here)s/app.db


# Logging, applied by env.py through logging.config.fileConfig().
[loggers]
keys = root,sqlalchemy,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console
qualname =

[logger_sqlalchemy]
level = WARNING
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
# WARNING: the CLI prints one progress line per revision itself; INFO adds the log lines
# (dbshift logs under Alembic's logger names: alembic.runtime.migration, ...).
level = WARNING
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
datefmt = %H:%M:%S
