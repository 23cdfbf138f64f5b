"""Config: ini and pyproject.toml sources, option lookup, path lists, hooks, discovery."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path
from types import SimpleNamespace

import pytest

from dbshift.config import Config, resolve_config_files
from dbshift.util.exc import CommandError


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


@pytest.fixture
def ini(tmp_path: Path):
    def make(body: str, name: str = "alembic.ini") -> Config:
        return Config(str(write(tmp_path / name, body)))

    return make


@pytest.fixture
def toml(tmp_path: Path):
    def make(body: str) -> Config:
        return Config(toml_file=str(write(tmp_path / "pyproject.toml", body)))

    return make


# -- ini ----------------------------------------------------------------------------------


def test_ini_here_is_the_ini_directory_and_double_percent_is_literal(ini, tmp_path):
    cfg = ini(
        """
        [alembic]
        script_location = %(here)s/migrations
        file_template = %%(rev)s_%%(slug)s
        """
    )
    assert cfg.get_main_option("script_location") == f"{tmp_path.as_posix()}/migrations"
    assert cfg.get_main_option("file_template") == "%(rev)s_%(slug)s"
    assert cfg.config_file_name == str(tmp_path / "alembic.ini")
    assert cfg.file_config.defaults()["here"] == tmp_path.as_posix()


def test_config_args_are_interpolation_defaults(tmp_path):
    path = write(tmp_path / "a.ini", "[alembic]\nurl = sqlite:///%(base)s/x.db\n")
    cfg = Config(str(path), config_args={"base": "/srv"})
    assert cfg.get_main_option("url") == "sqlite:////srv/x.db"


def test_named_ini_section(tmp_path):
    path = write(tmp_path / "a.ini", "[alembic]\nk = main\n[other]\nk = second\n")
    assert Config(str(path), ini_section="other").get_main_option("k") == "second"


def test_get_main_option_default_and_section_helpers(ini):
    cfg = ini(
        """
        [alembic]
        a = 1
        [db2]
        sqlalchemy.url = sqlite://
        """
    )
    assert cfg.get_main_option("missing") is None
    assert cfg.get_main_option("missing", "fallback") == "fallback"
    assert cfg.get_section_option("db2", "sqlalchemy.url") == "sqlite://"
    section = cfg.get_section("db2")
    assert section is not None and section["sqlalchemy.url"] == "sqlite://"
    assert cfg.get_section("nope") is None
    assert cfg.get_section("nope", {"x": "y"}) == {"x": "y"}


def test_missing_section_error_names_file_and_section(ini):
    cfg = ini("[other]\na = 1\n", name="proj.ini")
    with pytest.raises(CommandError, match=r"proj\.ini.*has no \[alembic\] section"):
        cfg.get_main_option("script_location")


def test_missing_ini_file_error_names_file(tmp_path):
    cfg = Config(str(tmp_path / "nothere.ini"))
    with pytest.raises(CommandError, match=r"No config file '.*nothere\.ini' found"):
        cfg.get_main_option("script_location")


def test_set_and_remove_options(ini, tmp_path):
    cfg = ini("[alembic]\na = 1\n")
    cfg.set_main_option("url", "sqlite:///%(here)s/x.db")
    assert cfg.get_main_option("url") == f"sqlite:///{tmp_path.as_posix()}/x.db"
    cfg.set_main_option("pct", "100%%")
    assert cfg.get_main_option("pct") == "100%"
    cfg.set_section_option("newsec", "k", "v")
    assert cfg.get_section_option("newsec", "k") == "v"
    cfg.remove_main_option("a")
    assert cfg.get_main_option("a") is None


def test_programmatic_config_without_files():
    cfg = Config()
    assert cfg.get_main_option("script_location") is None
    cfg.set_main_option("script_location", "somewhere")
    assert cfg.get_alembic_option("script_location") == "somewhere"
    assert cfg.get_script_location() == "somewhere"
    assert cfg.toml_alembic_config == {}


def test_attributes_and_cmd_opts():
    conn = object()
    opts = SimpleNamespace(quiet=False, x=["a=1"])
    cfg = Config(attributes={"connection": conn}, cmd_opts=opts)
    assert cfg.attributes["connection"] is conn
    assert cfg.cmd_opts is opts
    assert Config().attributes == {}


# -- printing -----------------------------------------------------------------------------


def test_print_stdout_formats_args_and_obeys_quiet():
    buf = io.StringIO()
    cfg = Config(stdout=buf)
    cfg.print_stdout("Rev %s of %d", "abc", 3)
    cfg.print_stdout("100% literal")
    assert buf.getvalue() == "Rev abc of 3\n100% literal\n"

    quiet_buf = io.StringIO()
    quiet = Config(stdout=quiet_buf, cmd_opts=SimpleNamespace(quiet=True))
    assert quiet.messaging_opts["quiet"] is True
    quiet.print_stdout("hidden")
    assert quiet_buf.getvalue() == ""


# -- TOML ---------------------------------------------------------------------------------


def test_toml_substitutes_here_in_strings_and_lists(toml, tmp_path):
    cfg = toml(
        """
        [tool.alembic]
        script_location = "%(here)s/migrations"
        file_template = "%%(rev)s_%%(slug)s"
        prepend_sys_path = [".", "%(here)s/src"]
        version_locations = ["%(here)s/a", "%(here)s/b"]
        truncate_slug_length = 20
        sourceless = true
        """
    )
    here = tmp_path.as_posix()
    assert cfg.get_alembic_option("script_location") == f"{here}/migrations"
    assert cfg.get_alembic_option("file_template") == "%(rev)s_%(slug)s"
    assert cfg.get_alembic_option("truncate_slug_length") == 20
    assert cfg.get_alembic_option("sourceless") is True
    assert cfg.get_alembic_option("timezone", "UTC") == "UTC"
    assert cfg.get_prepend_sys_paths_list() == [".", f"{here}/src"]
    assert cfg.get_version_locations_list() == [f"{here}/a", f"{here}/b"]
    # the raw table keeps what was written
    assert cfg.toml_alembic_config["script_location"] == "%(here)s/migrations"


def test_ini_main_section_wins_over_toml(tmp_path):
    ini_path = write(tmp_path / "alembic.ini", "[alembic]\nscript_location = from_ini\n")
    toml_path = write(
        tmp_path / "pyproject.toml",
        '[tool.alembic]\nscript_location = "from_toml"\ntimezone = "UTC"\n',
    )
    cfg = Config(str(ini_path), toml_file=str(toml_path))
    assert cfg.get_alembic_option("script_location") == "from_ini"
    assert cfg.get_alembic_option("timezone") == "UTC"


def test_tool_dbshift_table_is_read_when_tool_alembic_is_absent(toml, tmp_path):
    cfg = toml('[tool.dbshift]\nscript_location = "%(here)s/db"\n')
    assert cfg.get_script_location() == f"{tmp_path.as_posix()}/db"


def test_tool_alembic_wins_over_tool_dbshift(toml):
    cfg = toml('[tool.alembic]\nscript_location = "a"\n[tool.dbshift]\nscript_location = "d"\n')
    assert cfg.get_alembic_option("script_location") == "a"


def test_toml_missing_file_gives_empty_table(tmp_path):
    cfg = Config(toml_file=str(tmp_path / "pyproject.toml"))
    assert cfg.toml_alembic_config == {}
    assert cfg.get_alembic_option("script_location") is None


def test_invalid_toml_is_a_command_error(toml):
    with pytest.raises(CommandError, match="pyproject.toml: invalid TOML"):
        toml("[tool.alembic\n").get_alembic_option("x")


def test_bad_substitution_in_toml_names_the_key(toml):
    cfg = toml('[tool.alembic]\nfile_template = "%(rev)s_%(nope)s"\n')
    with pytest.raises(CommandError, match="file_template"):
        cfg.get_alembic_option("file_template")


# -- booleans -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"), [("true", True), ("True", True), ("false", False), ("yes", False)]
)
def test_ini_boolean_option(ini, value, expected):
    cfg = ini(f"[alembic]\nsourceless = {value}\n")
    assert cfg.get_alembic_boolean_option("sourceless") is expected


def test_toml_boolean_must_be_real_bool(toml):
    assert toml("[tool.alembic]\nsourceless = true\n").get_alembic_boolean_option("sourceless")
    assert not toml("[tool.alembic]\n").get_alembic_boolean_option("sourceless")
    with pytest.raises(CommandError, match="sourceless must be true or false"):
        toml('[tool.alembic]\nsourceless = "true"\n').get_alembic_boolean_option("sourceless")


# -- path lists ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sep", "joined"),
    [
        ("os", os.pathsep.join(["a dir", "b"])),
        (":", "a dir:b"),
        (";", "a dir;b"),
        ("newline", "\n    a dir\n    b"),
    ],
)
def test_path_separator_splits_version_locations_and_sys_path(ini, sep, joined):
    cfg = ini(
        f"[alembic]\npath_separator = {sep}\nversion_locations = {joined}\n"
        f"prepend_sys_path = {joined}\n"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cfg.get_version_locations_list() == ["a dir", "b"]
        assert cfg.get_prepend_sys_paths_list() == ["a dir", "b"]


def test_path_separator_space(ini):
    cfg = ini("[alembic]\npath_separator = space\nversion_locations = a  b\n")
    assert cfg.get_version_locations_list() == ["a", "b"]


def test_invalid_path_separator_is_a_command_error(ini):
    cfg = ini("[alembic]\npath_separator = |\nversion_locations = a|b\n")
    with pytest.raises(CommandError, match=r"path_separator = '\|' is not valid"):
        cfg.get_version_locations_list()


def test_legacy_splitting_warns(ini):
    cfg = ini("[alembic]\nversion_locations = a, b c\nprepend_sys_path = x:y z,w\n")
    with pytest.warns(DeprecationWarning, match="path_separator"):
        assert cfg.get_version_locations_list() == ["a", "b", "c"]
    with pytest.warns(DeprecationWarning, match="path_separator"):
        assert cfg.get_prepend_sys_paths_list() == ["x", "y", "z", "w"]


def test_version_path_separator_is_honoured_with_a_warning(ini):
    cfg = ini("[alembic]\nversion_path_separator = ;\nversion_locations = a b;c\n")
    with pytest.warns(DeprecationWarning, match="version_path_separator"):
        assert cfg.get_version_locations_list() == ["a b", "c"]


def test_unset_path_lists(ini):
    cfg = ini("[alembic]\npath_separator = os\n")
    assert cfg.get_version_locations_list() is None
    assert cfg.get_prepend_sys_paths_list() == []


# -- hooks --------------------------------------------------------------------------------


def test_hooks_from_ini(ini):
    cfg = ini(
        """
        [alembic]
        [post_write_hooks]
        hooks = black, ruff
        black.type = console_scripts
        black.entrypoint = black
        black.options = -l 79 REVISION_SCRIPT_FILENAME
        ruff.type = module
        ruff.module = ruff
        ruffian.type = ignored
        """
    )
    assert cfg.get_hooks_list() == [
        {
            "type": "console_scripts",
            "entrypoint": "black",
            "options": "-l 79 REVISION_SCRIPT_FILENAME",
            "_hook_name": "black",
        },
        {"type": "module", "module": "ruff", "_hook_name": "ruff"},
    ]


def test_hooks_from_toml_and_ini_section_wins(tmp_path):
    toml_path = write(
        tmp_path / "pyproject.toml",
        """
        [tool.alembic]
        [[tool.alembic.post_write_hooks]]
        name = "fmt"
        type = "exec"
        executable = "%(here)s/fmt.sh"
        """,
    )
    cfg = Config(toml_file=str(toml_path))
    assert cfg.get_hooks_list() == [
        {"type": "exec", "executable": f"{tmp_path.as_posix()}/fmt.sh", "_hook_name": "fmt"}
    ]
    ini_path = write(tmp_path / "alembic.ini", "[alembic]\n[post_write_hooks]\nhooks =\n")
    assert Config(str(ini_path), toml_file=str(toml_path)).get_hooks_list() == []


def test_no_hooks(ini):
    assert ini("[alembic]\n").get_hooks_list() == []


# -- script_location, templates, discovery -------------------------------------------------


def test_script_location_missing_messages(tmp_path, ini):
    cfg = ini("[alembic]\nprepend_sys_path = .\n")
    with pytest.raises(
        CommandError, match=r"No script_location in \[alembic\] of '.*alembic\.ini'"
    ):
        cfg.get_script_location()

    nothing = Config(str(tmp_path / "none.ini"), toml_file=str(tmp_path / "pyproject.toml"))
    with pytest.raises(CommandError, match=r"No configuration found .*none\.ini.*dbshift init"):
        nothing.get_script_location()

    write(tmp_path / "pyproject.toml", '[tool.alembic]\ntimezone = "UTC"\n')
    toml_only = Config(toml_file=str(tmp_path / "pyproject.toml"))
    with pytest.raises(CommandError, match=r"No script_location in \[tool\.alembic\]"):
        toml_only.get_script_location()


def test_template_directory_lists_the_templates():
    names = sorted(os.listdir(Config().get_template_directory()))
    assert {"generic", "async", "multidb", "pyproject", "pyproject_async"} <= set(names)


def test_resolve_config_files_defaults_and_env():
    assert resolve_config_files([], environ={}) == ("alembic.ini", "pyproject.toml")
    env = {"ALEMBIC_CONFIG": "a.ini", "DBSHIFT_CONFIG": "d.ini"}
    assert resolve_config_files(None, environ=env) == ("d.ini", "pyproject.toml")
    assert resolve_config_files(None, environ={"ALEMBIC_CONFIG": "x/pyproject.toml"}) == (
        "alembic.ini",
        "x/pyproject.toml",
    )
    assert resolve_config_files(["c.ini"], environ=env) == ("c.ini", "pyproject.toml")
    assert resolve_config_files(["p/pyproject.toml", "c.ini"], environ={}) == (
        "c.ini",
        "p/pyproject.toml",
    )


def test_resolve_config_files_rejects_duplicates():
    with pytest.raises(CommandError, match="only one ini"):
        resolve_config_files(["a.ini", "b.ini"], environ={})
    with pytest.raises(CommandError, match="pyproject.toml given more than once"):
        resolve_config_files(["pyproject.toml", "x/pyproject.toml"], environ={})


def test_import_is_cheap():
    code = (
        "import sys, dbshift.config; "
        "bad = [m for m in ('sqlalchemy', 'mako', 'tomllib') if m in sys.modules]; "
        "print(bad)"
    )
    src = str(Path(__file__).resolve().parents[1] / "src")
    env = {**os.environ, "PYTHONPATH": src}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "name",
    ["alembic.ini", "sub/alembic.ini", "/abs/dir/alembic.ini", "/alembic.ini", "./a.ini",
     "../up/a.ini", "a//b.ini", "dir/", "x/../y.ini", ".hidden.ini"],
)
def test_here_is_what_pathlib_says(name):
    from pathlib import Path

    from dbshift.config import _parent_dir

    assert _parent_dir(name) == Path(name).absolute().parent.as_posix()
