"""Reaching the project's database for ``lint``, ``plan`` and ``trace``: through ``env.py`` (as
every other command does), or straight from a ``--url``.

:func:`with_database` calls ``work(context)`` with a connected
:class:`~dbshift.runtime.migration.MigrationContext` while the connection is open and returns
what ``work`` returns. Through ``env.py`` the context is the one ``env.py`` configured (its
version table, its options) and ``work`` runs inside ``run_migrations()`` with no steps, so
nothing is written to the version table. :class:`DatabaseUnavailable` says that ``env.py`` (or
the URL) gave no connection, before ``work`` started.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from ..util.error_text import one_line
from ..util.exc import CommandError
from .project import run_env

if TYPE_CHECKING:
    from ..config import Config
    from ..runtime.migration import MigrationContext
    from ..script import ScriptDirectory

__all__ = ["DatabaseUnavailable", "check_output_format", "print_document", "with_database"]

#: The ``--format`` values of ``lint``, ``plan`` and ``trace``.
OUTPUT_FORMATS = ("text", "json")

_T = TypeVar("_T")


class DatabaseUnavailable(CommandError):
    """No database connection could be made (``env.py`` failed first, or the URL did)."""


def with_database(
    config: Config,
    script: ScriptDirectory,
    work: Callable[[MigrationContext], _T],
    *,
    url: str | None = None,
) -> _T:
    """``work(context)`` against the project's database (see the module docstring)."""
    if url is not None:
        return _with_url(script, url, work)
    results: list[_T] = []
    started: list[bool] = []

    def run(heads: Sequence[str], context: MigrationContext) -> list[Any]:
        if context.as_sql or context.connection is None:
            raise DatabaseUnavailable("env.py configured no connection (offline mode)")
        started.append(True)
        results.append(work(context))
        return []

    try:
        run_env(config, script, fn=run, dont_mutate=True)
    except Exception as err:
        if started or isinstance(err, DatabaseUnavailable):
            raise
        raise DatabaseUnavailable(f"{type(err).__name__}: {one_line(err)}") from err
    if not results:
        raise DatabaseUnavailable("env.py did not call context.run_migrations()")
    return results[0]


def check_output_format(output_format: str) -> None:
    """A one-line error for a ``--format`` that is neither ``text`` nor ``json``."""
    if output_format not in OUTPUT_FORMATS:
        raise CommandError(f"--format {output_format}: use text or json")


def print_document(
    config: Config,
    document: Any,
    output_format: str,
    text: Callable[[Any], list[str]],
) -> None:
    """Print ``document`` as indented JSON, or as the lines ``text(document)`` gives."""
    if output_format == "json":
        import json

        config.print_stdout(json.dumps(document, indent=2))
        return
    for line in text(document):
        config.print_stdout(line)


def _with_url(script: ScriptDirectory, url: str, work: Callable[[MigrationContext], _T]) -> _T:
    import sqlalchemy as sa

    from ..runtime.migration import MigrationContext

    try:
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        connection = engine.connect()
    except Exception as err:
        raise DatabaseUnavailable(f"cannot connect to {url!r}: {one_line(err)}") from err
    try:
        context = MigrationContext.configure(connection, opts={"script": script})
        result = work(context)
        if connection.in_transaction():
            connection.rollback()
        return result
    finally:
        connection.close()
        engine.dispose()
