"""What every command does with the project: open its script directory, run its ``env.py``.

Every command that reads the database or writes a revision with ``revision_environment`` runs
the project's ``env.py`` inside an :class:`~dbshift.runtime.environment.EnvironmentContext`
whose ``fn`` does the command's work; these helpers build that run.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ..config import Config
    from ..script import ScriptDirectory


def script_directory(config: Config) -> ScriptDirectory:
    """The project's :class:`~dbshift.script.ScriptDirectory`; a one-line error when the
    configuration names no ``script_location``."""
    from ..script import ScriptDirectory

    get_location = getattr(config, "get_script_location", None)
    if get_location is not None:
        get_location()  # a CommandError saying which file lacks script_location, if it does
    return ScriptDirectory.from_config(config)


def run_env(config: Config, script: ScriptDirectory, **context_opts: Any) -> None:
    """Run ``env.py`` inside an EnvironmentContext made of ``context_opts``."""
    from ..runtime.environment import EnvironmentContext

    with EnvironmentContext(config, script, **context_opts):
        script.run_env()


def as_bool(value: Any) -> bool:
    """A config value read as a flag (``true``/``yes``/``on``/``1`` ... are true)."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("true", "yes", "on", "y", "t", "1")


def revision_environment(config: Config) -> bool:
    """Whether ``revision_environment`` asks revision-writing commands to run ``env.py``."""
    return as_bool(config.get_alembic_option("revision_environment", False))


def new_rev_id() -> str:
    """A new random 12-hex-digit revision id."""
    import uuid

    return uuid.uuid4().hex[-12:]
