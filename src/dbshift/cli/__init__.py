"""The entry points: the ``dbshift`` console script (``python -m dbshift``), ``alembic.config.main``
for the ``import alembic`` alias, and the pytest plugin.

:mod:`~dbshift.cli.main` parses a command line and runs its :mod:`dbshift.command` function, printing
user errors as one line; :mod:`~dbshift.cli.flags` holds the flag tables both parsers read and
:mod:`~dbshift.cli.fast_parse` the exact fast path that reads a plain command line without argparse.
"""

from .main import CommandLine, main

__all__ = ["CommandLine", "main"]
