# dbshift configuration for several databases migrated together.
# Values may use %(here)s, the directory holding this file; write a literal % as %%.

[alembic]
# Where the migration environment (env.py, script.py.mako, versions/) lives.
script_location = ${script_location}

# Name pattern of new revision files (".py" is appended). Available tokens:
# rev, slug, epoch, year, month, day, hour, minute, second. Example with a date prefix:
# file_template = %%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d-%%(rev)s_%%(slug)s

# Entries put in front of sys.path before env.py runs (split by path_separator).
prepend_sys_path = .

# Time zone (a zoneinfo name) for dates in file names and headers; local time when unset.
# timezone =

# Longest slug taken from the revision message.
# truncate_slug_length = 40

# true: run env.py for every `revision`, not only with --autogenerate.
# revision_environment = false

# true: also pick up .pyc revision files that have no .py source.
# sourceless = false

# Directories holding revision files, split by path_separator.
# Defaults to the versions/ directory inside script_location.
# version_locations = %(here)s/migrations/versions:%(here)s/more_versions

# Separator for version_locations and prepend_sys_path:
# os (os.pathsep), ":", ";", space, or newline.
path_separator = os

# true: look for revision files in sub-directories of each version location too.
# recursive_version_locations = false

# Encoding of revision files written from script.py.mako.
# output_encoding = utf-8

# Names of the databases; each has a section below with its sqlalchemy.url
# (read only by env.py). The defaults are SQLite files beside this ini.
databases = engine1, engine2


[engine1]
sqlalchemy.url = sqlite:///%(here)s/engine1.db

[engine2]
sqlalchemy.url = sqlite:///%(here)s/engine2.db


[post_write_hooks]
# Programs run on every newly written revision file. Types: console_scripts, exec, module.
# REVISION_SCRIPT_FILENAME in options stands for the file's path.

# Format with ruff, run as `python -m ruff`:
# hooks = ruff_format
# ruff_format.type = module
# ruff_format.module = ruff
# ruff_format.options = format REVISION_SCRIPT_FILENAME

# Format with black through its console_scripts entry point:
# hooks = black
# black.type = console_scripts
# black.entrypoint = black
# black.options = -q REVISION_SCRIPT_FILENAME


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
