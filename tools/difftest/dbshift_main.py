"""Run the dbshift CLI with ``import alembic`` served by dbshift (difftest's dbshift entry point).

``python tools/difftest/dbshift_main.py -c alembic.ini upgrade head`` behaves like ``dbshift -c
alembic.ini upgrade head``, except that the alias finder is installed first, so an ``env.py`` or a
revision file that does ``from alembic import op, context`` gets dbshift's modules.
``DBSHIFT_ALEMBIC_SHIM`` chooses the mode (the runner sets ``force``).
"""

from __future__ import annotations

import sys


def main() -> None:
    import dbshift.compat
    from dbshift import cli

    dbshift.compat.install()
    cli.main(sys.argv[1:], prog="dbshift")


if __name__ == "__main__":
    main()
