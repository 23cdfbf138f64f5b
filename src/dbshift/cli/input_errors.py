"""Say which setting a database error comes from: a URL SQLAlchemy can't parse, or a SQLite file
whose folder does not exist.

``env.py`` builds the engine, so the error itself says only "Could not parse SQLAlchemy URL" or
"unable to open database file". The command line looks for the culprit among the URLs the
project gives (every ``...url`` option of the ini file, ``-x`` values that look like URLs) and
names it in the ``FAILED:`` line. The exception the Python API raises is left as it is (Alembic's).
"""

from __future__ import annotations

import os
import re
from typing import Any

__all__ = ["explain"]

#: The password between ``user:`` and ``@`` of a URL, hidden when a URL is quoted.
_PASSWORD = re.compile(r"(://[^:/@]*:)[^@/]*@")


def explain(err: BaseException, config: Any) -> str | None:
    """A one-line message naming the setting behind ``err``, or ``None`` when it is not a URL
    or SQLite path problem (or the setting can't be found)."""
    if config is None:
        return None
    if _raised_in(err, os.path.join("sqlalchemy", "engine", "url.py")):
        for where, value in _urls(config):
            problem = _parse_problem(value)
            if problem is not None:
                shown = _PASSWORD.sub(r"\1***@", value)
                return f"Can't parse the database URL {shown!r} ({where}): {problem}"
        return None
    if "unable to open database file" in str(err):
        for where, value in _urls(config):
            folder = _missing_sqlite_folder(value)
            if folder is not None:
                return (
                    f"Can't open the SQLite database of {value!r} ({where}): the folder "
                    f"{folder} does not exist"
                )
    return None


def _raised_in(err: BaseException, path_end: str) -> bool:
    tb = err.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(path_end):
            return True
        tb = tb.tb_next
    return False


def _urls(config: Any) -> list[tuple[str, str]]:
    """``(where, value)`` of every URL-looking setting: ``-x key=value`` (a ``*url`` key or a
    value with ``://``) first, as env.py files that take them prefer them, then each ``*url``
    option of each ini section."""
    found: list[tuple[str, str]] = []
    for arg in getattr(getattr(config, "cmd_opts", None), "x", None) or ():
        key, sep, value = str(arg).partition("=")
        if sep and value and ("://" in value or key.lower().endswith("url")):
            found.append((f"-x {key}", value))
    name = getattr(config, "config_file_name", None)
    if name is not None:
        try:
            parser = config.file_config
            for section in parser.sections():
                for key in parser.options(section):
                    if key.endswith("url"):
                        value = parser.get(section, key, fallback=None)
                        if value:
                            found.append((f"{key} in [{section}] of {name}", value))
        except Exception:  # an unreadable ini has its own error elsewhere
            pass
    return found


def _parse_problem(value: str) -> str | None:
    from sqlalchemy.engine import make_url

    try:
        make_url(value)
    except Exception as err:
        return " ".join(str(err).split()) or type(err).__name__
    return None


def _missing_sqlite_folder(value: str) -> str | None:
    from sqlalchemy.engine import make_url

    try:
        url = make_url(value)
    except Exception:
        return None
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:"):
        database = database[len("file:"):].partition("?")[0]
    folder = os.path.dirname(os.path.abspath(database))
    return None if os.path.isdir(folder) else folder
