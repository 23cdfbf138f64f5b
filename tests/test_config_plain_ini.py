"""Config reads plain ini files without configparser: the same answers as ConfigParser."""

from __future__ import annotations

import configparser
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import dbshift
from dbshift.config import Config, _PlainIni

SRC = str(Path(dbshift.__file__).resolve().parent.parent)

PLAIN = {
    "generic": (
        "# A generic alembic.ini\n"
        "[alembic]\n"
        "script_location = %(here)s/migrations\n"
        "prepend_sys_path = .\n"
        "path_separator = os\n"
        "sqlalchemy.url = sqlite:///%(here)s/x.db\n"
        "\n"
        "[post_write_hooks]\n"
        "hooks = black, ruff\n"
        "black.type = console_scripts\n"
        "black.entrypoint = black\n"
        "black.options = -l 79 REVISION_SCRIPT_FILENAME\n"
        "\n"
        "[formatter_generic]\n"
        "format = %%(levelname)-5.5s [%%(name)s] %%(message)s\n"
        "datefmt = %%H:%%M:%%S\n"
    ),
    "odd_but_plain": (
        "; semicolon comment\n"
        "   # indented comment\n"
        "[alembic]\n"
        "Script_Location: %(HERE)s/m\n"
        "a=1\n"
        "b :2:3\n"
        "c = x = y\n"
        "empty =\n"
        "spaced key = v\n"
        "nested = <%(a)s|%(b)s|%(c)s>\n"
        "deep = %(nested)s!\n"
        "percent = 100%%\n"
        "inline = v # not a comment\n"
        "\n"
        "\n"
        "[ spaced section ]\n"
        "x = 1\n"
        "[other]\n"
        "a = other-a %(b)s\n"
    ),
    "crlf": "[alembic]\r\nscript_location = m\r\nk = v\r\n",
    "no_final_newline": "[alembic]\nscript_location = m",
    "empty": "",
    "only_other_section": "[other]\nk = v\n",
}

NOT_PLAIN = {
    "continuation": "[alembic]\nscript_location = a\n  b\n",
    "indented_option": "[alembic]\n  script_location = a\n",
    "duplicate_option": "[alembic]\na = 1\nA = 2\n",
    "duplicate_section": "[alembic]\na = 1\n[alembic]\nb = 2\n",
    "default_section": "[DEFAULT]\na = 1\n[alembic]\nb = %(a)s\n",
    "no_section": "a = 1\n[alembic]\n",
    "no_delimiter": "[alembic]\njust words\n",
    "empty_name": "[alembic]\n= 1\n",
    "header_junk": "[alembic] junk\na = 1\n",
    "bom": "\ufeff[alembic]\na = 1\n",
}

BROKEN_VALUES = (
    "[alembic]\n"
    "missing = %(nosuch)s\n"
    "syntax = 50% off\n"
    "unclosed = %(abc\n"
    "loop = %(loop)s\n"
    "ok = fine\n"
    + "".join(f"c{i} = <%(c{i + 1})s>\n" for i in range(11))  # c1: 10 levels deep, c0: 11
    + "c11 = end\n"
)


def _write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "alembic.ini"
    path.write_bytes(text.encode("utf-8"))
    return str(path)


def _answers(make: Any, names: list[str], sections: list[str], plain: bool) -> list[Any]:
    """Every question the getters ask, each of a fresh ``make()`` Config (an answer that
    fails hands that Config over to ConfigParser); with ``plain``, every answer that did not
    fail must have come from _PlainIni."""
    out: list[Any] = []

    def ask(what: str, fn: Any, *args: Any) -> None:
        config = make()
        got = _outcome(fn(config), *args)
        out.append((what, args, got))
        failed = isinstance(got, tuple) and len(got) == 2 and str(got[0]).endswith("Error")
        if plain and not failed:
            assert "_file_config" not in config.__dict__, (what, args)

    for section in [*sections, "alembic", "nosuch", "DEFAULT"]:
        ask("has_section", lambda c: c._ini.has_section, section)
        for name in [*names, "here", "nosuch"]:
            ask("has_option", lambda c: c._ini.has_option, section, name)
            ask("get", lambda c: c._ini.get, section, name)
            ask("fallback", lambda c: lambda s, n: c._ini.get(s, n, fallback="FB"), section, name)
        ask("items", lambda c: c._ini.items, section)
        ask("get_section", lambda c: c.get_section, section, {"d": "1"})
    return out


def _outcome(fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except Exception as err:  # the error ConfigParser raises must be raised on both paths
        return (type(err).__name__, str(err))


def _names(text: str) -> tuple[list[str], list[str]]:
    parser = configparser.RawConfigParser()
    parser.read_string(text)
    names = sorted({n for s in parser.sections() for n in parser.options(s)})
    return names, parser.sections()


@pytest.mark.parametrize("name", sorted(PLAIN))
def test_plain_files_read_like_configparser(tmp_path: Path, name: str) -> None:
    path = _write(tmp_path, PLAIN[name])
    names, sections = _names(PLAIN[name])
    args = {"Extra": "e", "Other": 5} if name == "generic" else None

    def plain() -> Config:
        return Config(path, config_args=args)

    def reference() -> Config:
        config = Config(path, config_args=args)
        config.file_config  # noqa: B018 - build ConfigParser first: the getters then use it
        assert not isinstance(config._ini, _PlainIni)
        return config

    assert isinstance(plain()._ini, _PlainIni)
    assert _answers(plain, names, sections, True) == _answers(reference, names, sections, False)
    one, two = plain(), reference()
    one.get_alembic_option("nosuch")
    assert one.config_args == two.config_args


@pytest.mark.parametrize("name", sorted(PLAIN))
def test_plain_files_are_read_without_configparser(tmp_path: Path, name: str) -> None:
    path = _write(tmp_path, PLAIN[name])
    assert isinstance(Config(path)._ini, _PlainIni)


@pytest.mark.parametrize("name", sorted(NOT_PLAIN))
def test_other_files_go_to_configparser(tmp_path: Path, name: str) -> None:
    path = _write(tmp_path, NOT_PLAIN[name])
    assert _PlainIni.read(path, {"here": str(tmp_path)}, Config(path)) is None
    config = Config(path)
    reference = Config(path)
    try:
        reference.file_config  # noqa: B018
    except configparser.Error as err:
        with pytest.raises(type(err)):
            config.get_main_option("a")
        return
    assert not isinstance(config._ini, _PlainIni)
    assert config.get_section("alembic") == reference.get_section("alembic")


def test_interpolation_errors_are_configparsers(tmp_path: Path) -> None:
    path = _write(tmp_path, BROKEN_VALUES)
    names = ["missing", "syntax", "unclosed", "loop", "ok", "c0", "c1"]
    reference = Config(path)
    reference.file_config  # noqa: B018
    for name in names:
        plain = Config(path)  # a fresh one each time: a failed value hands over to ConfigParser
        assert isinstance(plain._ini, _PlainIni)
        assert _outcome(plain.get_main_option, name) == _outcome(
            reference.get_main_option, name
        )
    assert _answers(lambda: Config(path), names, ["alembic"], True) == _answers(
        lambda: reference, names, ["alembic"], False
    )
    plain = Config(path)
    assert plain.get_main_option("ok") == "fine"
    assert plain.get_main_option("c1") == "<" * 10 + "end" + ">" * 10
    with pytest.raises(configparser.InterpolationDepthError):
        plain.get_main_option("c0")
    with pytest.raises(configparser.InterpolationMissingOptionError):
        plain.get_main_option("missing")


def test_changes_through_file_config_are_seen(tmp_path: Path) -> None:
    path = _write(tmp_path, PLAIN["generic"])
    config = Config(path)
    assert config.get_main_option("prepend_sys_path") == "."
    config.set_main_option("prepend_sys_path", "src")
    assert config.get_main_option("prepend_sys_path") == "src"
    assert config.get_alembic_option("prepend_sys_path") == "src"
    config.remove_main_option("prepend_sys_path")
    assert config.get_main_option("prepend_sys_path", "gone") == "gone"


def test_missing_file(tmp_path: Path) -> None:
    config = Config(str(tmp_path / "nosuch.ini"))
    assert isinstance(config._ini, _PlainIni)
    assert not config._ini.has_section("alembic")
    assert config.get_alembic_option("script_location") is None


def test_reading_options_imports_no_configparser(tmp_path: Path) -> None:
    path = _write(tmp_path, PLAIN["generic"])
    probe = (
        "import sys\n"
        "from dbshift.config import Config\n"
        f"c = Config({path!r})\n"
        "print(c.get_alembic_option('script_location'), c.get_hooks_list()[0]['_hook_name'])\n"
        "print(sorted(m for m in ('configparser', 're', 'functools') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        env={"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert out[0] == f"{tmp_path}/migrations black"
    assert "configparser" not in out[1]
