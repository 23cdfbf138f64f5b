"""Which database the revisions are checked for: the connected one, or one named offline."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...util.error_text import one_line
from ...util.exc import CommandError
from .rules.base import LintTarget

if TYPE_CHECKING:
    from sqlalchemy.engine import Dialect

    from ...config import Config

__all__ = ["flavor_of", "offline_target", "target_for_dialect"]


def flavor_of(dialect: Dialect) -> str:
    """``postgresql``, ``mysql``, ``mariadb``, ``sqlite`` or the dialect's own name."""
    name = dialect.name
    if name in ("mysql", "mariadb"):
        return "mariadb" if getattr(dialect, "is_mariadb", False) or name == "mariadb" else "mysql"
    return name


def target_for_dialect(
    dialect: Dialect,
    server_version: tuple[int, ...] | None,
    *,
    lock_timeout_configured: bool = False,
) -> LintTarget:
    """A target for a dialect (a connected one brings its own server version)."""
    return LintTarget(
        dialect, flavor_of(dialect), server_version, lock_timeout_configured
    )


def offline_dialect(name: str, server_version: tuple[int, ...] | None) -> Dialect:
    """A dialect object for ``name`` (``postgresql``, ``mysql``, ``mariadb``, ``sqlite``, ...),
    with ``server_version_info`` set when a version is given."""
    from sqlalchemy.engine import make_url

    try:
        dialect = make_url(f"{name}://").get_dialect()()
    except Exception as err:
        raise CommandError(f"unknown dialect {name!r}: {one_line(err)}") from err
    if server_version is not None:
        dialect.server_version_info = server_version
    return dialect


def configured_dialect_name(config: Config | None) -> str | None:
    """The backend of the configuration's ``sqlalchemy.url``, if it names one."""
    if config is None:
        return None
    try:
        url = config.get_main_option("sqlalchemy.url")
    except Exception:
        return None
    if not url:
        return None
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).get_backend_name()
    except Exception:
        return None


def lock_timeout_configured(config: Config | None, opts: dict[str, Any] | None = None) -> bool:
    """Whether dbshift sets a lock timeout itself (``lock_timeout`` in the configuration or in
    ``context.configure``)."""
    if opts and opts.get("lock_timeout"):
        return True
    if config is None:
        return False
    try:
        value = config.get_alembic_option("lock_timeout")
    except Exception:
        return False
    return bool(value) and str(value).strip().lower() not in ("0", "off", "false", "none")


def offline_target(
    dialect_name: str, server_version: tuple[int, ...] | None, config: Config | None
) -> LintTarget:
    """The target of an offline run."""
    dialect = offline_dialect(dialect_name, server_version)
    return target_for_dialect(
        dialect, server_version, lock_timeout_configured=lock_timeout_configured(config)
    )
