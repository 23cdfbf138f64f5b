"""The logging sections of an ini file as both tools' generic templates write them: INFO for the
migration tool's own logger (``alembic`` or ``dbshift``), WARNING for SQLAlchemy and the rest, one
console handler on stderr. Shared by the differential tool and the benchmarks, so that both tools
log the same lines in every run."""

LOGGING_SECTIONS = """
[loggers]
keys = root,sqlalchemy,alembic,dbshift

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
level = INFO
handlers =
qualname = alembic

[logger_dbshift]
level = INFO
handlers =
qualname = dbshift

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
datefmt = %H:%M:%S
"""
