"""Configuration: ``alembic.ini``, ``pyproject.toml`` ``[tool.alembic]`` (or ``[tool.dbshift]``).

:class:`Config` is the object every command receives and that ``env.py`` sees as
``context.config``. It reads two optional sources:

* an ini file (``alembic.ini`` by default), whose ``[alembic]`` section (or the one named with
  ``-n``) holds the main options, interpolated by :mod:`configparser` with ``%(here)s`` set to the
  ini file's directory;
* a ``pyproject.toml`` whose ``[tool.alembic]`` table (or, when that is absent, dbshift's own
  ``[tool.dbshift]`` table) holds the same source-code options as TOML values; strings, and the
  members of lists and tables, are ``%``-formatted with ``here`` = the pyproject directory.

Importing this module is cheap: no SQLAlchemy, no Mako, and TOML is parsed only when asked for.
"""

from __future__ import annotations

import os
import sys

from .util.exc import CommandError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from configparser import ConfigParser
    from typing import Any, TextIO

# configparser, re, warnings, typing and functools are not imported on the way to a graph
# command's answer: a plain ini file is read by :class:`_PlainIni` (see there), and
# ConfigParser is built only when something needs it.

_MappingProxy = type(type.__dict__)  # types.MappingProxyType

__all__ = ["Config", "resolve_config_files"]

PYPROJECT_NAME = "pyproject.toml"
DEFAULT_INI_NAME = "alembic.ini"
CONFIG_ENV_VARS = ("DBSHIFT_CONFIG", "ALEMBIC_CONFIG")

_PATH_SEPARATORS = {
    "os": os.pathsep,
    ":": ":",
    ";": ";",
    "space": " ",
    "newline": "\n",
}
_LEGACY_VERSION_SPLIT = r", *| +"
_LEGACY_SYS_PATH_SPLIT = r", *| +|:"
_HOOK_NAME_SPLIT = r",|(?: +)"
_MISSING: Any = object()


def _re_split(pattern: str, text: str) -> list[str]:
    import re

    return re.split(pattern, text)


def _parent_dir(name: Any) -> str:
    """``Path(name).absolute().parent.as_posix()``; plain POSIX names skip importing pathlib."""
    if (
        os.name == "posix"
        and isinstance(name, str)
        and name
        and "//" not in name
        and not name.endswith("/")
        and not any(part in (".", "..") for part in name.split("/"))
    ):
        return os.path.dirname(name if name.startswith("/") else os.path.join(os.getcwd(), name))
    from pathlib import Path

    return Path(name).absolute().parent.as_posix()


def resolve_config_files(
    names: Sequence[str] | None = None, environ: Mapping[str, str] | None = None
) -> tuple[str, str]:
    """Return ``(ini_file, toml_file)`` for the command line's ``-c`` values.

    Each name whose basename is ``pyproject.toml`` is the TOML file, any other is the ini file;
    at most one of each may be given. With no names, ``DBSHIFT_CONFIG`` and then ``ALEMBIC_CONFIG``
    supply one. Whatever is still unnamed defaults to ``alembic.ini`` / ``pyproject.toml`` in the
    current directory (they need not exist: ``init`` creates them).
    """
    env = os.environ if environ is None else environ
    if not names:
        from_env = next((env[var] for var in CONFIG_ENV_VARS if env.get(var)), None)
        names = [from_env] if from_env else []
    ini: str | None = None
    toml: str | None = None
    for name in names:
        if os.path.basename(name) == PYPROJECT_NAME:
            if toml is not None:
                raise CommandError(f"pyproject.toml given more than once ({toml!r}, {name!r})")
            toml = name
        else:
            if ini is not None:
                raise CommandError(f"only one ini file may be given ({ini!r}, {name!r})")
            ini = name
    return (ini or DEFAULT_INI_NAME, toml or PYPROJECT_NAME)


class Config:
    """The configuration of one dbshift environment, as commands and ``env.py`` see it.

    ``file_`` names the ini file and ``toml_file`` the ``pyproject.toml``; either may be ``None``
    (a ``Config()`` with neither is filled in programmatically with :meth:`set_main_option`).
    ``ini_section`` is the ini section holding the main options. ``output_buffer`` receives SQL in
    offline (``--sql``) mode, ``stdout`` receives :meth:`print_stdout` messages, ``cmd_opts`` is the
    parsed command line (its ``quiet`` and ``x`` attributes are used), ``config_args`` adds
    interpolation defaults, and ``attributes`` is a free dict for passing objects (a connection,
    say) to ``env.py``.
    """

    #: Told how ``upgrade``/``downgrade`` runs go, step by step
    #: (:class:`dbshift.command.progress.RunListener`). The command line sets one that prints
    #: progress; by default there is none, and commands print nothing Alembic would not.
    run_listener: Any = None

    def __init__(
        self,
        file_: str | os.PathLike[str] | None = None,
        toml_file: str | os.PathLike[str] | None = None,
        ini_section: str = "alembic",
        output_buffer: TextIO | None = None,
        stdout: TextIO = sys.stdout,
        cmd_opts: Any = None,
        config_args: Mapping[str, Any] | None = None,
        attributes: dict[str, Any] | None = None,
    ) -> None:
        self.config_file_name = file_
        self.toml_file_name = toml_file
        self.config_ini_section = ini_section
        self.output_buffer = output_buffer
        self.stdout = stdout
        self.cmd_opts = cmd_opts
        self.config_args: dict[str, Any] = dict(config_args or {})
        self.toml_args: dict[str, Any] = dict(self.config_args)
        self.attributes: dict[str, Any] = {}
        """A free-form dict shared with ``env.py`` (e.g. ``config.attributes["connection"]``)."""
        if attributes:
            self.attributes.update(attributes)
        self.messaging_opts: Mapping[str, Any] = _MappingProxy(
            {"quiet": bool(getattr(cmd_opts, "quiet", False))}
        )

    # -- sources ---------------------------------------------------------------------------

    @property
    def file_config(self) -> ConfigParser:
        """The ini file parsed by :class:`~configparser.ConfigParser` with ``here`` as a default.

        Without an ini file the parser is empty except for the main section, so that
        :meth:`set_main_option` and :meth:`get_main_option` work on a programmatic ``Config``.
        Built on first use (and then kept: changes made through it are seen by every getter).
        """
        parser = self.__dict__.get("_file_config")
        if parser is None:
            parser = self.__dict__["_file_config"] = self._parse_file_config()
        return parser

    @file_config.setter
    def file_config(self, parser: ConfigParser) -> None:
        self.__dict__["_file_config"] = parser

    @property
    def _ini(self) -> Any:
        """What the getters read: :attr:`file_config` once it exists, else (for a plain ini
        file, see :class:`_PlainIni`) the same options read without :mod:`configparser`."""
        parser = self.__dict__.get("_file_config")
        if parser is not None:
            return parser
        plain = self.__dict__.get("_plain_ini", _MISSING)
        if plain is _MISSING:
            plain = self.__dict__["_plain_ini"] = self._read_plain_ini()
        return plain if plain is not None else self.file_config

    def _here(self) -> str:
        return _parent_dir(self.config_file_name) if self.config_file_name is not None else "."

    def _read_plain_ini(self) -> _PlainIni | None:
        if self.config_file_name is None:
            return None
        defaults = dict(self.config_args)
        defaults["here"] = self._here()
        plain = _PlainIni.read(self.config_file_name, defaults, self)
        if plain is not None:
            self.config_args["here"] = defaults["here"]
        return plain

    def _parse_file_config(self) -> ConfigParser:
        from configparser import ConfigParser

        self.config_args["here"] = self._here()
        parser = ConfigParser(self.config_args)
        if self.config_file_name is not None:
            try:
                with open(self.config_file_name, encoding="utf-8") as fh:
                    parser.read_file(fh, source=os.fspath(self.config_file_name))
            except FileNotFoundError:
                pass
        else:
            parser.add_section(self.config_ini_section)
        return parser

    @property
    def toml_alembic_config(self) -> Mapping[str, Any]:
        """The raw ``[tool.alembic]`` table (else ``[tool.dbshift]``) of the TOML file, or ``{}``.

        Values are as written; :meth:`get_alembic_option` applies the ``%(here)s`` substitution.
        """
        table = self.__dict__.get("_toml_alembic_config")
        if table is None:
            table = self.__dict__["_toml_alembic_config"] = self._read_toml()
        return table

    def _read_toml(self) -> Mapping[str, Any]:
        if self.toml_file_name is None:
            return {}
        if not os.path.isfile(self.toml_file_name):
            return {}
        path = self.toml_file_name
        self.toml_args["here"] = _parent_dir(path)
        tomllib = _tomllib()
        try:
            with open(path, "rb") as fh:
                data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as err:
            raise CommandError(f"{self.toml_file_name}: invalid TOML: {err}") from err
        tool = data.get("tool", {})
        table = tool.get("alembic", _MISSING) if isinstance(tool, dict) else _MISSING
        if table is _MISSING and isinstance(tool, dict):
            table = tool.get("dbshift", {})
        if table is _MISSING:
            table = {}
        if not isinstance(table, dict):
            raise CommandError(
                f"{self.toml_file_name}: [tool.alembic] must be a table of configuration keys"
            )
        return table

    # -- messages --------------------------------------------------------------------------

    def print_stdout(self, text: str, *arg: Any) -> None:
        """Write one line (``text % arg`` when args are given) to ``stdout`` unless quiet."""
        if self.messaging_opts.get("quiet"):
            return
        output = str(text) % arg if arg else str(text)
        try:
            self.stdout.write(output + "\n")
        except UnicodeEncodeError:
            encoding = getattr(self.stdout, "encoding", None) or "ascii"
            self.stdout.write(output.encode(encoding, "replace").decode(encoding) + "\n")
        flush = getattr(self.stdout, "flush", None)
        if flush is not None:
            flush()

    # -- ini access ------------------------------------------------------------------------

    def get_section(
        self, name: str, default: Mapping[str, str] | None = None
    ) -> Mapping[str, str] | None:
        """All options of ini section ``name`` (defaults included), or ``default`` if absent."""
        if not self._ini.has_section(name):
            return default
        return dict(self._ini.items(name))

    def get_section_option(self, section: str, name: str, default: str | None = None) -> str | None:
        """Option ``name`` of ini ``section``; ``default`` if the option is absent.

        Raises CommandError when the section itself is missing (or the ini file is).
        """
        if not self._ini.has_section(section):
            raise CommandError(self._missing_section_message(section))
        if self._ini.has_option(section, name):
            return self._ini.get(section, name)
        return default

    def get_main_option(self, name: str, default: str | None = None) -> str | None:
        """Option ``name`` of the main ini section (``[alembic]`` unless ``-n`` chose another)."""
        return self.get_section_option(self.config_ini_section, name, default)

    def set_section_option(self, section: str, name: str, value: str) -> None:
        """Set an ini option, creating the section if needed; a literal ``%`` must be ``%%``."""
        if not self.file_config.has_section(section):
            self.file_config.add_section(section)
        self.file_config.set(section, name, value)

    def set_main_option(self, name: str, value: str) -> None:
        """Set an option of the main ini section; a literal ``%`` must be written ``%%``."""
        self.set_section_option(self.config_ini_section, name, value)

    def remove_main_option(self, name: str) -> None:
        """Remove an option from the main ini section."""
        self.file_config.remove_option(self.config_ini_section, name)

    # -- dbshift's own options (ini first, then TOML) ---------------------------------------

    def get_alembic_option(self, name: str, default: Any = None) -> Any:
        """A source-code option: the main ini section first, then the TOML table, else default."""
        if self._ini.has_option(self.config_ini_section, name):
            return self._ini.get(self.config_ini_section, name)
        return self._toml_value(name, default)

    def get_alembic_boolean_option(self, name: str) -> bool:
        """A boolean option: ini value ``true`` (any case) or a real TOML boolean; default False."""
        if self._ini.has_option(self.config_ini_section, name):
            return self._ini.get(self.config_ini_section, name).strip().lower() == "true"
        value = self.toml_alembic_config.get(name, False)
        if not isinstance(value, bool):
            raise CommandError(
                f"{self.toml_file_name}: [tool.alembic] {name} must be true or false, not {value!r}"
            )
        return value

    def get_version_locations_list(self) -> list[str] | None:
        """The ``version_locations`` directories, or None when the option is not set."""
        raw = self._ini.get(self.config_ini_section, "version_locations", fallback=None)
        if raw:
            sep = self._path_separator("path_separator", "version_path_separator")
            if sep is None:
                _warn_legacy_split("version_locations")
                return [p for p in _re_split(_LEGACY_VERSION_SPLIT, raw) if p]
            return _split_paths(raw, sep)
        value = self._toml_value("version_locations", None)
        return self._as_toml_list("version_locations", value)

    def get_prepend_sys_paths_list(self) -> list[str]:
        """The ``prepend_sys_path`` entries (empty when unset), to put in front of sys.path."""
        raw = self._ini.get(self.config_ini_section, "prepend_sys_path", fallback=None)
        if raw:
            sep = self._path_separator("path_separator")
            if sep is None:
                _warn_legacy_split("prepend_sys_path")
                return [p for p in _re_split(_LEGACY_SYS_PATH_SPLIT, raw) if p]
            return _split_paths(raw, sep)
        value = self._toml_value("prepend_sys_path", None)
        return self._as_toml_list("prepend_sys_path", value) or []

    def get_hooks_list(self) -> list[dict[str, Any]]:
        """Post-write hooks as dicts of their options plus ``_hook_name``, in declared order.

        An ini ``[post_write_hooks]`` section wins over ``[[tool.alembic.post_write_hooks]]``.
        """
        hooks: list[dict[str, Any]] = []
        if self._ini.has_section("post_write_hooks"):
            section = self.get_section("post_write_hooks", {}) or {}
            for name in _re_split(_HOOK_NAME_SPLIT, section.get("hooks", "")):
                if not name:
                    continue
                prefix = name + "."
                opts: dict[str, Any] = {
                    key[len(prefix) :]: value
                    for key, value in section.items()
                    if key.startswith(prefix)
                }
                opts["_hook_name"] = name
                hooks.append(opts)
            return hooks
        entries = self._toml_value("post_write_hooks", [])
        if not isinstance(entries, list):
            raise CommandError(
                f"{self.toml_file_name}: post_write_hooks must be an array of tables "
                "([[tool.alembic.post_write_hooks]])"
            )
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict) or "name" not in entry:
                raise CommandError(
                    f"{self.toml_file_name}: post_write_hooks entry #{index + 1} needs a 'name' key"
                )
            opts = dict(entry)
            opts["_hook_name"] = opts.pop("name")
            hooks.append(opts)
        return hooks

    def get_template_directory(self) -> str:
        """The directory holding the ``init`` templates shipped with dbshift."""
        return os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")

    def get_script_location(self) -> str:
        """``script_location``, or a CommandError naming the file and the key to add."""
        location = self.get_alembic_option("script_location")
        if location:
            return location
        raise CommandError(self._missing_script_location_message())

    # -- internals -------------------------------------------------------------------------

    def _toml_value(self, name: str, default: Any) -> Any:
        value = self.toml_alembic_config.get(name, _MISSING)
        if value is _MISSING:
            return default
        return _substitute(value, self.toml_args, name, self.toml_file_name)

    def _as_toml_list(self, name: str, value: Any) -> list[str] | None:
        if value is None:
            return None
        if isinstance(value, str):
            return [value]
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return list(value)
        raise CommandError(f"{self.toml_file_name}: {name} must be a list of strings")

    def _path_separator(self, *names: str) -> str | None:
        for name in names:
            value = self._ini.get(self.config_ini_section, name, fallback=None)
            if value is not None:
                break
        else:
            return None
        try:
            sep = _PATH_SEPARATORS[value]
        except KeyError:
            raise CommandError(
                f"{self._ini_label()}: {name} = {value!r} is not valid; use one of "
                "os, ':', ';', space, newline"
            ) from None
        if name == "version_path_separator":
            import warnings

            warnings.warn(
                "version_path_separator is deprecated; use path_separator instead",
                DeprecationWarning,
                stacklevel=3,
            )
        return sep

    def _ini_label(self) -> str:
        return repr(os.fspath(self.config_file_name)) if self.config_file_name else "config"

    def _ini_exists(self) -> bool:
        return self.config_file_name is not None and os.path.isfile(self.config_file_name)

    def _missing_section_message(self, section: str) -> str:
        if self.config_file_name is not None and not self._ini_exists():
            return (
                f"No config file {self._ini_label()} found (needed for its [{section}] "
                "section); create it with 'dbshift init DIRECTORY' or pass -c FILE"
            )
        return (
            f"Config file {self._ini_label()} has no [{section}] section; add one "
            "(with script_location = %(here)s/migrations)"
        )

    def _missing_script_location_message(self) -> str:
        toml_name = os.fspath(self.toml_file_name) if self.toml_file_name else None
        if self._ini_exists() and self._ini.has_section(self.config_ini_section):
            where = f"[{self.config_ini_section}] of {self._ini_label()}"
            if toml_name:
                where += f" or [tool.alembic] of {toml_name!r}"
            return f"No script_location in {where}; add script_location = %(here)s/migrations"
        if self.toml_alembic_config:
            return (
                f"No script_location in [tool.alembic] of {toml_name!r}; add "
                'script_location = "%(here)s/migrations"'
            )
        if self._ini_exists():
            return self._missing_section_message(self.config_ini_section)
        if self.config_file_name is None and toml_name is None:
            return "No script_location configured; call set_main_option('script_location', ...)"
        looked = [self._ini_label()] if self.config_file_name is not None else []
        if toml_name:
            looked.append(f"[tool.alembic] in {toml_name!r}")
        return (
            f"No configuration found ({' or '.join(looked)}); run 'dbshift init DIRECTORY' "
            "or pass -c FILE"
        )


class _PlainIni:
    """The options of an ini file as :class:`~configparser.ConfigParser` (with its default
    settings and :class:`~configparser.BasicInterpolation`) reads them, for plain files only.

    :meth:`read` accepts a file made of blank lines, comment lines (``#`` or ``;``), unindented
    ``[section]`` lines and unindented ``name = value`` / ``name: value`` lines, each section and
    each option once, no ``[DEFAULT]`` section. Anything else (continuation lines, duplicates, a
    line ConfigParser would reject) makes it return ``None``, and the caller uses ConfigParser.
    A value whose interpolation fails is also left to ConfigParser, which raises its own error.
    """

    def __init__(
        self, sections: dict[str, dict[str, str]], defaults: dict[str, str], config: Config
    ) -> None:
        self._sections = sections
        self._defaults = defaults
        self._config = config

    @classmethod
    def read(cls, path: Any, defaults: Mapping[str, Any], config: Config) -> _PlainIni | None:
        """The options of ``path`` plus ``defaults``; ``None`` when the file is not plain."""
        lowered: dict[str, str] = {}
        for key, value in defaults.items():
            key = str(key).lower()
            if value is None or key in lowered:
                return None
            value = str(value)
            if "%" in value:
                return None
            lowered[key] = value
        try:
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
        except FileNotFoundError:
            return cls({}, lowered, config)
        except (OSError, ValueError):
            return None
        sections: dict[str, dict[str, str]] = {}
        current: dict[str, str] | None = None
        for line in text.split("\n"):
            stripped = line.strip()
            if not stripped or stripped[0] in "#;":
                continue
            if line[0].isspace():
                return None  # a continuation line or an indented option
            if stripped[0] == "[":
                name = stripped[1:-1]
                if stripped[-1] != "]" or not name or "]" in name:
                    return None
                if name in sections or name == "DEFAULT":
                    return None
                current = sections[name] = {}
                continue
            if current is None:
                return None
            cut = min(
                (i for i in (stripped.find("="), stripped.find(":")) if i >= 0), default=-1
            )
            if cut <= 0:
                return None
            option = stripped[:cut].rstrip().lower()
            if not option or option in current:
                return None
            current[option] = stripped[cut + 1 :].strip()
        return cls(sections, lowered, config)

    def has_section(self, section: str) -> bool:
        return section in self._sections

    def has_option(self, section: str | None, option: str) -> bool:
        if not section or section == "DEFAULT":
            return option.lower() in self._defaults
        found = self._sections.get(section)
        if found is None:
            return False
        option = option.lower()
        return option in found or option in self._defaults

    def _section(self, section: str) -> dict[str, str] | None:
        return {} if section == "DEFAULT" else self._sections.get(section)

    def get(self, section: str, option: str, *, fallback: Any = _MISSING) -> Any:
        found = self._section(section)
        key = option.lower()
        if found is None or (key not in found and key not in self._defaults):
            if fallback is _MISSING:
                return self._config.file_config.get(section, option)  # raises its error
            return fallback
        value = found[key] if key in found else self._defaults[key]
        if "%" not in value:
            return value
        result = self._interpolate(value, found, 1)
        if result is None:
            return self._config.file_config.get(section, option)
        return result

    def items(self, section: str) -> list[tuple[str, str]]:
        found = self._section(section)
        if found is None:
            return self._config.file_config.items(section)
        merged = dict(self._defaults)
        merged.update(found)
        out = []
        for key, value in merged.items():
            if "%" in value:
                value = self._interpolate(value, found, 1)
                if value is None:
                    return self._config.file_config.items(section)
            out.append((key, value))
        return out

    def _interpolate(self, value: str, section: dict[str, str], depth: int) -> str | None:
        """``%%`` and ``%(name)s`` (names from the section, then the defaults) replaced as
        BasicInterpolation does; ``None`` where it would raise."""
        if depth > 10:
            return None
        parts: list[str] = []
        rest = value
        while rest:
            p = rest.find("%")
            if p < 0:
                parts.append(rest)
                break
            parts.append(rest[:p])
            rest = rest[p:]
            c = rest[1:2]
            if c == "%":
                parts.append("%")
                rest = rest[2:]
            elif c == "(":
                end = rest.find(")", 2)
                if end <= 2 or rest[end + 1 : end + 2] != "s":
                    return None
                name = rest[2:end].lower()
                rest = rest[end + 2 :]
                if name in section:
                    found = section[name]
                elif name in self._defaults:
                    found = self._defaults[name]
                else:
                    return None
                if "%" in found:
                    inner = self._interpolate(found, section, depth + 1)
                    if inner is None:
                        return None
                    found = inner
                parts.append(found)
            else:
                return None
        return "".join(parts)


def _substitute(value: Any, args: Mapping[str, Any], name: str, source: Any) -> Any:
    """%-format strings (also inside lists and tables) with ``args``; other scalars pass through."""
    if isinstance(value, str):
        try:
            return value % args
        except (KeyError, ValueError, TypeError) as err:
            raise CommandError(
                f"{source}: cannot substitute {name} = {value!r} ({err!r}); write a literal % as %%"
            ) from err
    if isinstance(value, list):
        return [_substitute(v, args, name, source) for v in value]
    if isinstance(value, dict):
        return {k: _substitute(v, args, name, source) for k, v in value.items()}
    if isinstance(value, (bool, int, float)):
        return value
    raise CommandError(f"{source}: unsupported TOML value for {name}: {value!r}")


def _split_paths(raw: str, sep: str) -> list[str]:
    return [part.strip() for part in raw.split(sep) if part.strip()]


def _warn_legacy_split(key: str) -> None:
    import warnings

    warnings.warn(
        f"No path_separator in the configuration; splitting {key} on spaces/commas as older "
        "versions did. Add path_separator = os to the [alembic] section.",
        DeprecationWarning,
        stacklevel=3,
    )


def _tomllib() -> Any:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    return tomllib
