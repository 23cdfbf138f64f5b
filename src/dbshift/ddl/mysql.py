"""MySQL and MariaDB: CHANGE/MODIFY with the full column spec, constraint drops by kind."""

from __future__ import annotations

from .impl import DefaultImpl


class MySQLImpl(DefaultImpl):
    """MySQL implementation."""

    __dialect__ = "mysql"
    transactional_ddl = False


class MariaDBImpl(MySQLImpl):
    """MariaDB implementation."""

    __dialect__ = "mariadb"
