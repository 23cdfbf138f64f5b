"""The ``init`` templates: revision template renders to valid Python, config files parse back,
and each env.py drives ``context`` the way its mode requires (run against a recording stub)."""

from __future__ import annotations

import ast
import logging.config
import runpy
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from mako.template import Template
from sqlalchemy.pool import NullPool

import dbshift
from dbshift.config import Config

TEMPLATES = Path(Config().get_template_directory())
ALL = ["generic", "async", "multidb", "pyproject", "pyproject_async"]
SINGLE_DB = ["generic", "async", "pyproject", "pyproject_async"]


def comma(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return ", ".join(value)


def render_script(template: str, config: Config | None = None, **overrides: Any) -> str:
    args: dict[str, Any] = {
        "message": "add account table",
        "up_revision": "ae1027a6acf",
        "down_revision": ("1975ea83b712", "27c6a30d7c24"),
        "branch_labels": None,
        "depends_on": "b2c3",
        "create_date": "2024-05-01 10:00:00.000000",
        "comma": comma,
        "imports": "",
        "upgrades": None,
        "downgrades": None,
        "config": config or Config(),
    }
    args.update(overrides)
    return Template(filename=str(TEMPLATES / template / "script.py.mako")).render(**args)


def header(source: str) -> dict[str, Any]:
    values = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            values[node.target.id] = ast.literal_eval(node.value)
    return values


def functions(source: str) -> dict[str, ast.FunctionDef]:
    return {n.name: n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)}


@pytest.mark.parametrize("name", ALL)
def test_template_directory_contents(name):
    files = {p.name for p in (TEMPLATES / name).iterdir()}
    assert {"README", "env.py", "script.py.mako", "alembic.ini.mako"} <= files
    if name.startswith("pyproject"):
        assert "pyproject.toml.mako" in files
    readme_first = (TEMPLATES / name / "README").read_text().splitlines()[0]
    assert readme_first.strip()
    compile((TEMPLATES / name / "env.py").read_text(), "env.py", "exec")


@pytest.mark.parametrize("name", SINGLE_DB)
def test_script_template_renders_valid_python_with_empty_bodies(name):
    source = render_script(name)
    compile(source, "rev.py", "exec")
    tree = ast.parse(source)
    doc = ast.get_docstring(tree)
    assert doc.splitlines()[:5] == [
        "add account table",
        "",
        "Revision ID: ae1027a6acf",
        "Revises: 1975ea83b712, 27c6a30d7c24",
        "Create Date: 2024-05-01 10:00:00.000000",
    ]
    assert header(source) == {
        "revision": "ae1027a6acf",
        "down_revision": ("1975ea83b712", "27c6a30d7c24"),
        "branch_labels": None,
        "depends_on": "b2c3",
    }
    fns = functions(source)
    for fn in ("upgrade", "downgrade"):
        assert isinstance(fns[fn].body[-1], ast.Pass)
    assert "from dbshift import op" in source
    assert "import sqlalchemy as sa" in source


@pytest.mark.parametrize("name", SINGLE_DB)
def test_script_template_renders_ops_and_imports(name):
    source = render_script(
        name,
        down_revision=None,
        imports="import mymodels",
        upgrades="op.create_table('account', sa.Column('id', sa.Integer()))\n    op.f('x')",
        downgrades="op.drop_table('account')",
    )
    compile(source, "rev.py", "exec")
    assert "import mymodels" in source
    assert "Revises: \n" in source
    assert header(source)["down_revision"] is None
    up = ast.unparse(functions(source)["upgrade"])
    assert "op.create_table('account'" in up and "op.f('x')" in up
    assert "op.drop_table('account')" in ast.unparse(functions(source)["downgrade"])


def test_multidb_script_template_has_functions_per_engine():
    cfg = Config()
    cfg.set_main_option("databases", "engine1, engine2")
    source = render_script(
        "multidb",
        config=cfg,
        engine1_upgrades="op.create_table('a')",
        engine1_downgrades="op.drop_table('a')",
    )
    compile(source, "rev.py", "exec")
    fns = functions(source)
    assert [a.arg for a in fns["upgrade"].args.args] == ["engine_name"]
    assert "op.create_table('a')" in ast.unparse(fns["upgrade_engine1"])
    assert "op.drop_table('a')" in ast.unparse(fns["downgrade_engine1"])
    assert isinstance(fns["upgrade_engine2"].body[-1], ast.Pass)
    assert isinstance(fns["downgrade_engine2"].body[-1], ast.Pass)

    # the dispatcher really calls the per-engine function
    calls: list[str] = []
    namespace: dict[str, Any] = {}
    exec(
        compile(source.replace("from dbshift import op", "op = None"), "rev.py", "exec"), namespace
    )
    namespace["upgrade_engine2"] = lambda: calls.append("up2")
    namespace["upgrade"]("engine2")
    assert calls == ["up2"]


def render_ini(name: str, tmp_path: Path, script_location: str = "%(here)s/migrations") -> Path:
    text = Template(filename=str(TEMPLATES / name / "alembic.ini.mako")).render(
        script_location=script_location
    )
    path = tmp_path / "alembic.ini"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("name", "url"),
    [("generic", "sqlite:///{here}/app.db"), ("async", "sqlite+aiosqlite:///{here}/app.db")],
)
def test_ini_template_parses_back(name, url, tmp_path):
    cfg = Config(str(render_ini(name, tmp_path)))
    here = tmp_path.as_posix()
    assert cfg.get_script_location() == f"{here}/migrations"
    assert cfg.get_main_option("sqlalchemy.url") == url.format(here=here)
    assert cfg.get_main_option("path_separator") == "os"
    assert cfg.get_prepend_sys_paths_list() == ["."]
    assert cfg.get_version_locations_list() is None
    assert cfg.get_hooks_list() == []
    assert cfg.get_alembic_option("file_template") is None
    assert set(cfg.file_config.sections()) >= {"alembic", "loggers", "handlers", "formatters"}


def test_multidb_ini_template_parses_back(tmp_path):
    cfg = Config(str(render_ini("multidb", tmp_path)))
    assert cfg.get_main_option("databases") == "engine1, engine2"
    here = tmp_path.as_posix()
    assert cfg.get_section_option("engine1", "sqlalchemy.url") == f"sqlite:///{here}/engine1.db"
    assert cfg.get_section_option("engine2", "sqlalchemy.url") == f"sqlite:///{here}/engine2.db"


@pytest.mark.parametrize("name", ["pyproject", "pyproject_async"])
def test_pyproject_templates_parse_back(name, tmp_path):
    ini = render_ini(name, tmp_path)
    toml_text = Template(filename=str(TEMPLATES / name / "pyproject.toml.mako")).render(
        script_location="%(here)s/migrations"
    )
    toml_path = tmp_path / "pyproject.toml"
    # init appends to an existing pyproject.toml
    toml_path.write_text('[project]\nname = "app"\n\n' + toml_text)
    cfg = Config(str(ini), toml_file=str(toml_path))
    here = tmp_path.as_posix()
    assert cfg.get_main_option("script_location") is None  # only in TOML
    assert cfg.get_script_location() == f"{here}/migrations"
    assert cfg.get_prepend_sys_paths_list() == ["."]
    assert cfg.get_hooks_list() == []
    assert cfg.get_main_option("sqlalchemy.url").startswith("sqlite")
    assert cfg.get_main_option("sqlalchemy.url").endswith(f"{here}/app.db")


def test_ini_logging_sections_are_valid_for_fileconfig(tmp_path, monkeypatch):
    import configparser

    path = render_ini("generic", tmp_path)
    parser = configparser.ConfigParser()
    parser.read(path)
    # exactly what fileConfig needs, without reconfiguring this process's logging
    handlers = logging.config._install_handlers(parser, logging.config._create_formatters(parser))
    try:
        assert set(handlers) == {"console"}
    finally:
        for h in handlers.values():
            h.close()


# -- env.py against a recording stand-in for dbshift.context --------------------------------


class RecordingContext:
    def __init__(self, config: Config, offline: bool, on_run: Any = None) -> None:
        self.config = config
        self.offline = offline
        self.configured: list[dict[str, Any]] = []
        self.runs: list[dict[str, Any]] = []
        self.on_run = on_run

    def is_offline_mode(self) -> bool:
        return self.offline

    def configure(self, **kw: Any) -> None:
        self.configured.append(kw)

    @contextmanager
    def begin_transaction(self) -> Iterator[None]:
        yield

    def run_migrations(self, **kw: Any) -> None:
        self.runs.append(kw)
        if self.on_run is not None:
            self.on_run(self.configured[-1], kw)


@pytest.fixture
def run_env(monkeypatch: pytest.MonkeyPatch):
    logged: list[Any] = []
    monkeypatch.setattr(logging.config, "fileConfig", lambda *a, **k: logged.append(a[0]))

    def run(template: str, config: Config, offline: bool, on_run: Any = None) -> RecordingContext:
        ctx = RecordingContext(config, offline, on_run)
        monkeypatch.setattr(dbshift, "context", ctx, raising=False)
        runpy.run_path(str(TEMPLATES / template / "env.py"), run_name="env_py")
        ctx.logged = list(logged)
        return ctx

    return run


@pytest.mark.parametrize("name", SINGLE_DB)
def test_env_offline_configures_url_and_literal_binds(name, run_env, tmp_path):
    if "async" in name:
        pytest.importorskip("greenlet", reason="SQLAlchemy's asyncio extension needs greenlet")
    cfg = Config(str(render_ini(name, tmp_path)))
    ctx = run_env(name, cfg, offline=True)
    assert ctx.configured == [
        {
            "url": cfg.get_main_option("sqlalchemy.url"),
            "target_metadata": None,
            "literal_binds": True,
            "dialect_opts": {"paramstyle": "named"},
        }
    ]
    assert ctx.runs == [{}]
    assert ctx.logged == [cfg.config_file_name]


@pytest.mark.parametrize("name", SINGLE_DB)
def test_env_online_connects_to_configured_url(name, run_env, tmp_path):
    if "async" in name:
        pytest.importorskip("greenlet", reason="SQLAlchemy's asyncio extension needs greenlet")
        pytest.importorskip("aiosqlite")
    cfg = Config(str(render_ini(name, tmp_path)))
    seen = {}

    def on_run(configured, _kw):
        conn = configured["connection"]
        seen["db"] = conn.engine.url.database
        seen["pool"] = conn.engine.pool
        seen["one"] = conn.exec_driver_sql("select 1").scalar()

    ctx = run_env(name, cfg, offline=False, on_run=on_run)
    assert set(ctx.configured[0]) == {"connection", "target_metadata"}
    assert seen["db"] == f"{tmp_path.as_posix()}/app.db"
    assert isinstance(seen["pool"], NullPool)
    assert seen["one"] == 1


def test_multidb_env_online_migrates_each_database_and_commits(run_env, tmp_path):
    cfg = Config(str(render_ini("multidb", tmp_path)))
    for name in ("engine1", "engine2"):
        with sqlite3.connect(tmp_path / f"{name}.db") as db:
            db.execute("create table t (x text)")

    def on_run(configured, kw):
        configured["connection"].exec_driver_sql(f"insert into t values ('{kw['engine_name']}')")

    ctx = run_env("multidb", cfg, offline=False, on_run=on_run)
    assert ctx.runs == [{"engine_name": "engine1"}, {"engine_name": "engine2"}]
    assert [c["upgrade_token"] for c in ctx.configured] == ["engine1_upgrades", "engine2_upgrades"]
    assert [c["downgrade_token"] for c in ctx.configured] == [
        "engine1_downgrades",
        "engine2_downgrades",
    ]
    for name in ("engine1", "engine2"):
        with sqlite3.connect(tmp_path / f"{name}.db") as db:
            assert list(db.execute("select x from t")) == [(name,)]


def test_multidb_env_online_rolls_back_all_on_failure(run_env, tmp_path):
    cfg = Config(str(render_ini("multidb", tmp_path)))
    for name in ("engine1", "engine2"):
        with sqlite3.connect(tmp_path / f"{name}.db") as db:
            db.execute("create table t (x int)")

    def on_run(configured, kw):
        configured["connection"].exec_driver_sql("insert into t values (1)")
        if kw["engine_name"] == "engine2":
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        run_env("multidb", cfg, offline=False, on_run=on_run)
    for name in ("engine1", "engine2"):
        with sqlite3.connect(tmp_path / f"{name}.db") as db:
            assert list(db.execute("select x from t")) == []


def test_multidb_env_offline_writes_one_sql_file_per_database(run_env, tmp_path, monkeypatch):
    cfg = Config(str(render_ini("multidb", tmp_path)))
    monkeypatch.chdir(tmp_path)

    def on_run(configured, kw):
        configured["output_buffer"].write(f"-- sql for {kw['engine_name']}\n")

    ctx = run_env("multidb", cfg, offline=True, on_run=on_run)
    assert [c["url"] for c in ctx.configured] == [
        f"sqlite:///{tmp_path.as_posix()}/engine1.db",
        f"sqlite:///{tmp_path.as_posix()}/engine2.db",
    ]
    assert all(c["literal_binds"] is True for c in ctx.configured)
    assert (tmp_path / "engine1.sql").read_text() == "-- sql for engine1\n"
    assert (tmp_path / "engine2.sql").read_text() == "-- sql for engine2\n"
