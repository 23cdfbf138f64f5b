[tool.alembic]
# dbshift reads its source-code options from this table (Alembic reads the same keys).
# Strings may use %(here)s, the directory holding this file; write a literal % as %%.

# Where the migration environment (env.py, script.py.mako, versions/) lives.
script_location = "${script_location}"

# Name pattern of new revision files (".py" is appended). Available tokens:
# rev, slug, epoch, year, month, day, hour, minute, second. Example with a date prefix:
# file_template = "%%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d-%%(rev)s_%%(slug)s"

# Entries put in front of sys.path before env.py runs.
prepend_sys_path = [
    ".",
]

# Time zone (a zoneinfo name) for dates in file names and headers; local time when unset.
# timezone = "UTC"

# Longest slug taken from the revision message.
# truncate_slug_length = 40

# true: run env.py for every `revision`, not only with --autogenerate.
# revision_environment = false

# true: also pick up .pyc revision files that have no .py source.
# sourceless = false

# Directories holding revision files; defaults to versions/ inside script_location.
# version_locations = [
#     "%(here)s/migrations/versions",
#     "%(here)s/more_versions",
# ]

# true: look for revision files in sub-directories of each version location too.
# recursive_version_locations = false

# Encoding of revision files written from script.py.mako.
# output_encoding = "utf-8"

# Programs run on every newly written revision file. Types: console_scripts, exec, module.
# REVISION_SCRIPT_FILENAME in options stands for the file's path.
#
# [[tool.alembic.post_write_hooks]]
# name = "ruff_format"
# type = "module"
# module = "ruff"
# options = "format REVISION_SCRIPT_FILENAME"
