"""EnvironmentContext: the dbshift.context proxy, configure() options, arguments, running."""

from __future__ import annotations

import argparse
import io
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa

from dbshift import context as context_module
from dbshift import op as op_module
from dbshift.config import Config
from dbshift.runtime.environment import EnvironmentContext
from dbshift.runtime.steps import upgrade_steps
from dbshift.script import ScriptDirectory
from dbshift.util.exc import CommandError, NoActiveContext

REV_A = "aaaa0001"
REV_B = "bbbb0002"


def _write_revision(versions: Path, rev: str, down: str | None, body: str = "pass") -> None:
    source = textwrap.dedent(
        f'''\
        """rev {rev}"""
        from dbshift import op

        revision = {rev!r}
        down_revision = {down!r}
        branch_labels = None
        depends_on = None

        CALLS = []


        def upgrade(**kw):
            CALLS.append(kw)
            {body}


        def downgrade(**kw):
            pass
        '''
    )
    (versions / f"{rev}_rev.py").write_text(source)


@pytest.fixture
def script(tmp_path: Path) -> ScriptDirectory:
    env_dir = tmp_path / "env"
    versions = env_dir / "versions"
    versions.mkdir(parents=True)
    _write_revision(versions, REV_A, None, 'op.execute("CREATE TABLE ta (x INTEGER)")')
    _write_revision(versions, REV_B, REV_A, 'op.execute("CREATE TABLE tb (x INTEGER)")')
    return ScriptDirectory(str(env_dir))


@pytest.fixture
def config() -> Config:
    return Config(output_buffer=io.StringIO())


def _offline(config: Config, script: ScriptDirectory, **kw: object) -> EnvironmentContext:
    return EnvironmentContext(config, script, as_sql=True, **kw)


# --------------------------------------------------------------------------------------------
# the dbshift.context proxy


def test_context_proxies_the_active_environment_and_restores_the_previous(config, script):
    outer = EnvironmentContext(config, script, tag="outer")
    inner_config = Config()
    inner = EnvironmentContext(inner_config, script, tag="inner")
    with outer:
        assert context_module.config is config
        assert context_module.get_tag_argument() == "outer"
        with inner:
            assert context_module.config is inner_config
            assert context_module.script is script
            assert context_module.get_tag_argument() == "inner"
        assert context_module.get_tag_argument() == "outer"
    with pytest.raises(NoActiveContext, match="only available while a dbshift command runs env.py"):
        context_module.is_offline_mode()
    with pytest.raises(NoActiveContext, match=r"context\.config"):
        context_module.config  # noqa: B018


def test_context_module_functions_have_the_environment_signatures():
    import inspect

    assert str(inspect.signature(context_module.get_x_argument)) == (
        "(as_dictionary: 'bool' = False) -> 'list[str] | dict[str, str]'"
    )
    assert "target_metadata" in inspect.signature(context_module.configure).parameters


# --------------------------------------------------------------------------------------------
# command arguments


def test_x_arguments_as_list_and_dictionary(script):
    cmd_opts = argparse.Namespace(x=["db=replica", "dry", "k=a=b"])
    env = EnvironmentContext(Config(cmd_opts=cmd_opts), script)
    assert env.get_x_argument() == ["db=replica", "dry", "k=a=b"]
    assert env.get_x_argument(as_dictionary=True) == {"db": "replica", "dry": "", "k": "a=b"}
    assert EnvironmentContext(Config(), script).get_x_argument() == []
    no_x = EnvironmentContext(Config(cmd_opts=argparse.Namespace(x=None)), script)
    assert no_x.get_x_argument(as_dictionary=True) == {}


def test_offline_mode_flags(config, script):
    assert _offline(config, script).is_offline_mode() is True
    assert _offline(config, script).requires_connection() is False
    online = EnvironmentContext(config, script)
    assert online.is_offline_mode() is False
    assert online.requires_connection() is True


def test_head_and_destination_revision_arguments(config, script):
    env = EnvironmentContext(config, script, destination_rev="head")
    assert env.get_head_revision() == REV_B
    assert env.get_head_revisions() == (REV_B,)
    assert env.get_revision_argument() == REV_B
    assert EnvironmentContext(config, script, destination_rev="base").get_revision_argument() is None
    # anything but head/heads/label@head/base comes back as given, as in Alembic
    for given in ("aaaa", "+1", "aaaa+1", "-1", "zzzz"):
        env = EnvironmentContext(config, script, destination_rev=given)
        assert env.get_revision_argument() == given


def test_starting_revision_argument(config, script):
    with pytest.raises(CommandError, match="No starting revision argument"):
        EnvironmentContext(config, script).get_starting_revision_argument()
    env = _offline(config, script, starting_rev="aaaa")
    assert env.get_starting_revision_argument() == "aaaa"
    env = _offline(config, script, starting_rev="head")
    assert env.get_starting_revision_argument() == REV_B
    env = _offline(config, script)
    env.configure(dialect_name="sqlite", starting_rev=REV_B)
    assert env.get_starting_revision_argument() == REV_B


def test_tag_argument_from_command_and_from_configure(config, script):
    env = _offline(config, script, tag="from-cli")
    assert env.get_tag_argument() == "from-cli"
    env.configure(dialect_name="sqlite", tag="from-env")
    assert env.get_tag_argument() == "from-env"


# --------------------------------------------------------------------------------------------
# configure()


def test_configure_maps_every_option_into_the_migration_context_opts(config, script):
    def callback(**kw):
        return None

    def directives(context, revision, directives):
        return None

    env = _offline(config, script, template_args={"a": 1})
    env.configure(
        dialect_name="postgresql",
        transactional_ddl=False,
        transaction_per_migration=True,
        template_args={"b": 2},
        render_as_batch=True,
        target_metadata=sa.MetaData(),
        include_schemas=True,
        process_revision_directives=directives,
        compare_server_default=True,
        upgrade_token="ups",
        downgrade_token="downs",
        alembic_module_prefix="migrate.",
        sqlalchemy_module_prefix="sqla.",
        user_module_prefix="mine.",
        on_version_apply=callback,
        autogenerate_plugins=["dbshift.autogenerate.*"],
        version_table="my_version",
        version_table_schema="meta",
        version_table_pk=False,
        mssql_batch_separator="GOGO",
        oracle_batch_separator="//",
        custom_flag="yes",
    )
    opts = env.get_context().opts
    assert opts["transactional_ddl"] is False
    assert opts["transaction_per_migration"] is True
    assert opts["template_args"] == {"a": 1, "b": 2}
    assert opts["render_as_batch"] is True
    assert isinstance(opts["target_metadata"], sa.MetaData)
    assert opts["include_schemas"] is True
    assert opts["process_revision_directives"] is directives
    assert opts["compare_type"] is True
    assert opts["compare_server_default"] is True
    assert (opts["upgrade_token"], opts["downgrade_token"]) == ("ups", "downs")
    assert opts["alembic_module_prefix"] == "migrate."
    assert opts["sqlalchemy_module_prefix"] == "sqla."
    assert opts["user_module_prefix"] == "mine."
    assert opts["on_version_apply"] == (callback,)
    assert opts["autogenerate_plugins"] == ["dbshift.autogenerate.*"]
    assert opts["mssql_batch_separator"] == "GOGO"
    assert opts["oracle_batch_separator"] == "//"
    assert opts["custom_flag"] == "yes"
    assert opts["script"] is script
    ctx = env.get_context()
    assert ctx.version_table == "my_version"
    assert ctx.version_table_schema == "meta"
    assert env.is_transactional_ddl() is False
    assert env.get_impl() is ctx.impl
    assert env.get_bind() is ctx.bind


def test_version_table_options_shape_the_offline_create_table(config, script):
    env = _offline(config, script, fn=lambda heads, ctx: upgrade_steps(script, REV_A, heads))
    env.configure(
        dialect_name="postgresql",
        version_table="schema_history",
        version_table_schema="meta",
        version_table_pk=False,
        transactional_ddl=False,
    )
    env.run_migrations()
    sql = config.output_buffer.getvalue()
    assert "CREATE TABLE meta.schema_history (\n    version_num VARCHAR(32) NOT NULL\n)" in sql
    assert "PRIMARY KEY" not in sql
    assert "BEGIN" not in sql
    assert "INSERT INTO meta.schema_history (version_num) VALUES ('aaaa0001')" in sql
    assert "CREATE TABLE ta (x INTEGER)" in sql


def test_output_buffer_argument_wins_over_config_buffer(config, script):
    mine = io.StringIO()
    env = _offline(config, script)
    env.configure(dialect_name="sqlite", output_buffer=mine)
    env.static_output("-- hello")
    assert mine.getvalue() == "-- hello\n\n"
    assert config.output_buffer.getvalue() == ""


def test_output_buffer_falls_back_to_config_then_stdout(script, capsys):
    config = Config(output_buffer=io.StringIO())
    env = _offline(config, script)
    env.configure(dialect_name="sqlite")
    env.execute("SELECT 1")
    assert config.output_buffer.getvalue().startswith("SELECT 1;")

    env = _offline(Config(), script)
    env.configure(dialect_name="sqlite")
    env.execute("SELECT 2")
    assert capsys.readouterr().out.startswith("SELECT 2;")


def test_output_encoding_writes_encoded_bytes(script):
    raw = io.BytesIO()
    env = _offline(Config(), script)
    env.configure(dialect_name="sqlite", output_buffer=raw, output_encoding="latin-1")
    env.execute("SELECT 'é'")
    assert raw.getvalue().startswith("SELECT 'é';".encode("latin-1"))


def test_literal_binds_is_refused_online(config, script, tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    env = EnvironmentContext(config, script)
    with engine.connect() as conn:
        with pytest.raises(CommandError, match="literal_binds"):
            env.configure(connection=conn, literal_binds=True)
    engine.dispose()


def test_last_configure_call_wins(config, script):
    env = _offline(config, script)
    env.configure(dialect_name="postgresql")
    env.configure(dialect_name="mysql", compare_type=False)
    assert env.get_context().dialect.name == "mysql"
    assert env.get_context().opts["compare_type"] is False


def test_engine_instead_of_connection_is_a_command_error(config, script, tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(CommandError, match="Engine"):
        EnvironmentContext(config, script).configure(connection=engine)


def test_accessors_before_configure_say_so(config, script):
    env = EnvironmentContext(config, script)
    for call in (env.get_context, env.get_bind, env.get_impl, env.is_transactional_ddl,
                 env.begin_transaction, env.run_migrations):
        with pytest.raises(CommandError, match="call context.configure"):
            call()


# --------------------------------------------------------------------------------------------
# running


def test_run_migrations_online_passes_kw_and_reports_each_step(config, script, tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'run.db'}")
    done = []
    env = EnvironmentContext(
        config,
        script,
        fn=lambda heads, ctx: upgrade_steps(script, "heads", heads),
        on_step_done=lambda step, elapsed: done.append((step.short_log, elapsed)),
    )
    with env, engine.connect() as conn:
        env.configure(connection=conn)
        with env.begin_transaction():
            env.run_migrations(engine_name="primary")
    assert [log for log, _ in done] == [f"upgrade  -> {REV_A}", f"upgrade {REV_A} -> {REV_B}"]
    assert all(isinstance(elapsed, float) and elapsed >= 0 for _, elapsed in done)
    for rev in (REV_A, REV_B):
        assert script.get_revision(rev).module.CALLS == [{"engine_name": "primary"}]
    insp = sa.inspect(engine)
    assert {"ta", "tb", "alembic_version"} <= set(insp.get_table_names())
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == REV_B
    engine.dispose()


def test_run_migrations_installs_the_op_proxy_for_the_configured_context(config, script):
    seen = []

    def fn(heads, ctx):
        seen.append(op_module.get_context() is ctx)
        return []

    env = _offline(config, script, fn=fn)
    env.configure(dialect_name="sqlite")
    env.run_migrations()
    assert seen == [True]
    with pytest.raises(NoActiveContext):
        op_module.get_context()


def test_on_version_apply_callbacks_see_each_step(config, script):
    applied = []

    def record(ctx, step, heads, run_args):
        applied.append((step.up_revision_id, sorted(heads), run_args))

    env = _offline(config, script, fn=lambda heads, ctx: upgrade_steps(script, "heads", heads))
    env.configure(dialect_name="sqlite", on_version_apply=[record])
    env.run_migrations(flag=1)
    assert applied == [(REV_A, [REV_A], {"flag": 1}), (REV_B, [REV_B], {"flag": 1})]


def test_offline_begin_transaction_execute_and_static_output(config, script):
    env = _offline(config, script)
    env.configure(dialect_name="postgresql")
    assert env.is_transactional_ddl() is True
    with env.begin_transaction():
        env.execute(sa.text("UPDATE t SET x = 1"))
        env.static_output("-- raw text")
    lines = [line for line in config.output_buffer.getvalue().splitlines() if line.strip()]
    assert lines == ["BEGIN;", "UPDATE t SET x = 1;", "-- raw text", "COMMIT;"]


def test_online_begin_transaction_commits(config, script, tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'tx.db'}")
    env = EnvironmentContext(config, script)
    with engine.connect() as conn:
        env.configure(connection=conn)
        with env.begin_transaction():
            env.execute("CREATE TABLE kept (x INTEGER)")
            env.execute("INSERT INTO kept VALUES (5)")
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT x FROM kept")).scalar() == 5
    engine.dispose()
