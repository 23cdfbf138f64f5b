"""``init`` and ``list_templates``: a new migration environment from a template."""

from __future__ import annotations

import os
import sys

from ..util.exc import CommandError
from ..util.messaging import msg, status

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ..config import Config


def list_templates(config: Config) -> None:
    """List the templates ``init`` can use, each with the first line of its README."""
    template_dir = config.get_template_directory()
    config.print_stdout("Available templates:\n")
    for name in sorted(os.listdir(template_dir)):
        readme = os.path.join(template_dir, name, "README")
        if not os.path.isfile(readme):
            continue
        with open(readme, encoding="utf-8") as fh:
            synopsis = fh.readline().rstrip()
        config.print_stdout(f"{name} - {synopsis}")
    config.print_stdout("\nTemplates are used via the 'init' command, e.g.:")
    config.print_stdout("\n  dbshift init --template generic ./migrations")


def init(
    config: Config, directory: str, template: str = "generic", package: bool = False
) -> None:
    """Create a migration environment in ``directory`` from a template (and its config).

    What it creates is said on standard output as Alembic says it: the template's files in the
    order its folder lists them, one ``Generating <path> ...  done`` line each.
    """
    if os.access(directory, os.F_OK) and os.listdir(directory):
        raise CommandError(
            f"Directory {directory} already exists and is not empty; choose a new directory"
        )
    template_root = config.get_template_directory()
    template_dir = os.path.join(template_root, template)
    if not os.path.isdir(template_dir):
        available = ", ".join(
            sorted(n for n in os.listdir(template_root) if not n.startswith(("_", ".")))
        )
        raise CommandError(f"No such template {template!r}; available templates: {available}")

    quiet = bool(config.messaging_opts.get("quiet"))
    if not os.access(directory, os.F_OK):
        with status(f"Creating directory {os.path.abspath(directory)}", quiet):
            os.makedirs(directory)
    versions = os.path.join(directory, "versions")
    with status(f"Creating directory {os.path.abspath(versions)}", quiet):
        os.makedirs(versions)

    ini_file = os.path.abspath(config.config_file_name or "alembic.ini")
    toml_file = os.path.abspath(config.toml_file_name or "pyproject.toml")
    edited_toml = False
    for name in os.listdir(template_dir):
        source = os.path.join(template_dir, name)
        if not os.path.isfile(source):
            continue
        if name == "alembic.ini.mako":
            if os.path.exists(ini_file):
                msg(f"File {ini_file} already exists, skipping", quiet=quiet)
                continue
            location = _here_relative(directory, ini_file)
            with status(f"Generating {ini_file}", quiet):
                _render_to_file(source, ini_file, script_location=location)
        elif name == "pyproject.toml.mako":
            edited_toml = True
            location = _here_relative(directory, toml_file)
            if os.path.exists(toml_file):
                if _has_tool_alembic(toml_file):
                    msg(
                        f"File {toml_file} already exists and already has a [tool.alembic] "
                        "section, skipping",
                        quiet=quiet,
                    )
                    continue
                with status(f"Appending to existing {toml_file}", quiet):
                    _render_to_file(source, toml_file, append=True, script_location=location)
            else:
                with status(f"Generating {toml_file}", quiet):
                    _render_to_file(source, toml_file, script_location=location)
        else:
            import shutil

            target = os.path.abspath(os.path.join(directory, name))
            with status(f"Generating {target}", quiet):
                shutil.copyfile(source, target)
    if package:
        for folder in (directory, versions):
            path = os.path.abspath(os.path.join(folder, "__init__.py"))
            with status(f"Adding {path}", quiet):
                _touch(path)
    if edited_toml:
        msg(
            f"Please edit configuration settings in {toml_file} and configuration/connection/"
            f"logging settings in {ini_file} before proceeding.",
            quiet=quiet,
        )
    else:
        msg(
            f"Please edit configuration/connection/logging settings in {ini_file} before "
            "proceeding.",
            quiet=quiet,
        )


def _touch(path: str) -> None:
    with open(path, "w", encoding="utf-8"):
        pass


def _here_relative(directory: str, config_file: str) -> str:
    """``directory`` as written in a config file: ``%(here)s/...`` unless it is absolute."""
    if os.path.isabs(directory):
        return directory
    rel = os.path.relpath(os.path.abspath(directory), os.path.dirname(config_file))
    rel = rel.replace(os.sep, "/")
    return "%(here)s" if rel == "." else f"%(here)s/{rel}"


def _has_tool_alembic(toml_file: str) -> bool:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10 only
        import tomli as tomllib
    with open(toml_file, "rb") as fh:
        try:
            data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as err:
            raise CommandError(f"{toml_file}: invalid TOML: {err}") from err
    tool = data.get("tool")
    return isinstance(tool, dict) and "alembic" in tool


def _render_to_file(source: str, dest: str, append: bool = False, **kw: Any) -> None:
    from mako.template import Template

    text = Template(filename=source).render_unicode(**kw)
    if append:
        with open(dest, encoding="utf-8") as fh:
            existing = fh.read()
        separator = "" if not existing or existing.endswith("\n\n") else (
            "\n" if existing.endswith("\n") else "\n\n"
        )
        text = existing + separator + text
    with open(dest, "w", encoding="utf-8") as fh:
        fh.write(text)
