"""What a project's ``alembic_config`` fixture returns, read into one object.

The fixture may return a dict of options, a :class:`dbshift.config.Config` (which is
``alembic.config.Config`` where dbshift serves ``alembic``), or a :class:`Config` of this module
(pytest-alembic's ``Config``, with seed data and the downgrade floor). All three become a
:class:`Config`, which builds the dbshift configuration the migrations run with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TextIO

from ...config import Config as ProjectConfig

__all__ = ["Config"]

#: Keys of a dict config that are this plugin's own, not the project configuration's.
_PLUGIN_KEYS = (
    "before_revision_data",
    "at_revision_data",
    "minimum_downgrade_revision",
    "skip_revisions",
)


@dataclass
class Config:
    """The plugin's settings (pytest-alembic's ``pytest_alembic.config.Config``).

    ``config_options``: ``file``/``config_file_name`` (the ini file, default ``alembic.ini``),
    ``script_location``, ``sqlalchemy.url``, ``target_metadata``, ``process_revision_directives``,
    ``include_schemas``. ``alembic_config``: a ready configuration used as given.
    ``before_revision_data``/``at_revision_data``: rows inserted before/after a revision runs,
    keyed by revision. ``minimum_downgrade_revision``: downgrades stop above it.
    ``skip_revisions``: revisions stamped instead of run.
    """

    config_options: dict[str, Any] = field(default_factory=dict)
    alembic_config: Any = None

    before_revision_data: Any = None
    at_revision_data: Any = None

    minimum_downgrade_revision: str | None = None
    skip_revisions: list[str] | None = None

    @classmethod
    def from_raw_config(cls, raw_config: Any = None) -> Config:
        """A :class:`Config` from what an ``alembic_config`` fixture returned."""
        if raw_config is None:
            return cls()
        if isinstance(raw_config, Config):
            return raw_config
        if isinstance(raw_config, dict):
            options = dict(raw_config)
            plugin = {key: options.pop(key, None) for key in _PLUGIN_KEYS}
            return cls(config_options=options, **plugin)
        if _is_project_config(raw_config):
            return cls(alembic_config=raw_config)
        raise TypeError(
            "the alembic_config fixture returned "
            f"{type(raw_config).__module__}.{type(raw_config).__qualname__}; it must return a "
            "dict of options, an alembic.config.Config or a pytest_alembic.config.Config"
        )

    def make_alembic_config(self, stdout: TextIO) -> ProjectConfig:
        """The project configuration the migrations run with; command output goes to
        ``stdout``. The options given here win over the ini file's."""
        options = self.config_options
        ini_file = options.get("file") or options.get("config_file_name") or "alembic.ini"
        given = options.get("alembic_config") or self.alembic_config
        if given is not None:
            config = _as_project_config(given)
            config.stdout = stdout
        else:
            config = ProjectConfig(file_=ini_file, toml_file="pyproject.toml", stdout=stdout)

        url = options.get("sqlalchemy.url")
        if url:
            config.set_main_option("sqlalchemy.url", url)
        location = options.get("script_location") or config.get_alembic_option(
            "script_location", "migrations"
        )
        config.set_main_option("script_location", location)
        config.attributes["target_metadata"] = options.get("target_metadata")
        config.attributes["process_revision_directives"] = options.get(
            "process_revision_directives"
        )
        config.attributes["include_schemas"] = options.get("include_schemas", True)
        return config


def _is_project_config(value: Any) -> bool:
    """A dbshift ``Config``, or another tool's object of the same shape (Alembic's own)."""
    if isinstance(value, ProjectConfig):
        return True
    return all(hasattr(value, name) for name in ("config_file_name", "attributes", "file_config"))


def _as_project_config(value: Any) -> ProjectConfig:
    """``value`` as a dbshift ``Config``: itself, or one made from Alembic's own ``Config``
    (installed Alembic, pytest-alembic not), sharing its parsed file and attributes."""
    if isinstance(value, ProjectConfig):
        return value
    config = ProjectConfig(
        file_=value.config_file_name,
        toml_file=getattr(value, "toml_file_name", None),
        ini_section=getattr(value, "config_ini_section", "alembic"),
        cmd_opts=getattr(value, "cmd_opts", None),
        config_args=getattr(value, "config_args", None),
    )
    config.attributes = value.attributes
    config.file_config = value.file_config
    return config
