"""Projects set up as pytest-alembic's documentation shows pass and fail under dbshift's plugin
(pytest-alembic not installed) exactly where they pass and fail under pytest-alembic 0.13.1 with
Alembic 1.20.1, on SQLite, PostgreSQL and MariaDB: the same outcome for every built-in test, the
same failure message, the same failing revision, and the same rows and schema left behind.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from .harness import CONFTEST, FRESH_CONFTEST, Project, Run, fresh_database, revision, run_both

pytestmark = pytest.mark.usefixtures("reference_venv")

MODELS = """\
import sqlalchemy as sa

metadata = sa.MetaData()
account = sa.Table(
    "account", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(50), nullable=False),
    sa.Column("email", sa.String(120)),
)
"""
CHAIN = {
    "0001_account.py": revision(
        "0001", None,
        'op.create_table("account", sa.Column("id", sa.Integer, primary_key=True), '
        'sa.Column("name", sa.String(50), nullable=False))',
        'op.drop_table("account")', "account",
    ),
    "0002_email.py": revision(
        "0002", "0001",
        'op.add_column("account", sa.Column("email", sa.String(120)))',
        'op.drop_column("account", "email")', "email",
    ),
}
EXPERIMENTAL = (
    "pytest_alembic_include_experimental = downgrade_leaves_no_trace,"
    "all_models_register_on_metadata\n"
)
DEFAULT_TESTS = (
    "test_model_definitions_match_ddl",
    "test_single_head_revision",
    "test_up_down_consistency",
    "test_upgrade",
)


def _same(runs: dict[str, Run], *, blocks: tuple[str, ...] = ("Failing Revision",)) -> Run:
    """Both tools gave every test the same outcome, headline and named blocks; the reference."""
    reference, dbshift = runs["pytest-alembic"], runs["dbshift"]
    assert reference.outcomes, reference.describe()
    assert {name: o.result for name, o in dbshift.outcomes.items()} == {
        name: o.result for name, o in reference.outcomes.items()
    }, f"{reference.describe()}\n\n{dbshift.describe()}"
    for name, expected in reference.outcomes.items():
        found = dbshift.outcomes[name]
        if expected.result != "failure":
            continue
        raw_error = re.match(r"^[\w.]+(Error|Exception): (.*)$", expected.headline)
        if raw_error:
            # pytest-alembic lets the database's error through as it is; dbshift's failure
            # says what failed and shows that error in it
            assert raw_error.group(2) in found.text, (name, expected.text, found.text)
        else:
            assert found.headline == expected.headline, (name, expected.text, found.text)
        for title in blocks:
            if expected.block(title) is not None:
                assert found.block(title) == expected.block(title), (name, title, found.text)
    return reference


def _rows(url: str, sql: str) -> list[tuple]:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.exec_driver_sql(sql)]
    finally:
        engine.dispose()


def _url_of(backend: tuple[str, str | None], where: Path, tool: str) -> str:
    """The URL the run of ``tool`` used (same naming as :func:`fresh_database`, not reset)."""
    name, server = backend
    if name == "sqlite":
        return f"sqlite:///{where / tool / f'{tool}.db'}"
    url = sa.make_url(server)
    return url.set(database=f"{url.database}_pa_{tool.replace('-', '_')}").render_as_string(
        hide_password=False
    )


def test_matching_models_pass_every_test(backend, tmp_path: Path) -> None:
    runs = run_both(Project(CHAIN, MODELS, ini=EXPERIMENTAL), tmp_path, *backend)
    if backend[0] == "mariadb":
        # Deliberate difference (README): pytest-alembic's downgrade_leaves_no_trace rolls a
        # savepoint back to undo the upgrade, which MariaDB's self-committing DDL ignores; the
        # tables stay and every later test fails on them. dbshift compares the schema before
        # the upgrade with the schema after the downgrade instead.
        reference = runs["pytest-alembic"].outcomes["test_downgrade_leaves_no_trace"]
        assert reference.result == "failure"
        assert runs["pytest-alembic"].outcomes["test_upgrade"].result == "failure"
        assert {o.result for o in runs["dbshift"].outcomes.values()} == {"passed"}
        assert len(runs["dbshift"].outcomes) == 6
        return
    reference = _same(runs)
    assert set(reference.outcomes) == {
        *DEFAULT_TESTS, "test_downgrade_leaves_no_trace", "test_all_models_register_on_metadata"
    }
    assert {o.result for o in reference.outcomes.values()} == {"passed"}
    assert runs["dbshift"].returncode == 0


SEED_REVISION = revision(
    "0003", "0002",
    'op.add_column("account", sa.Column("nickname", sa.String(20), nullable=False{default}))',
    'op.drop_column("account", "nickname")', "nickname",
)
SEED_CONFTEST = FRESH_CONFTEST + '''

@pytest.fixture
def alembic_config():
    return {
        "before_revision_data": {
            "0002": {"__tablename__": "account", "id": 1, "name": "ann"},
        },
        "at_revision_data": {
            "0003": [
                {"__tablename__": "account", "id": 2, "name": "bob", "email": "b@x", "nickname": "b"},
                {"__tablename__": "account", "id": 3, "name": "cy", "nickname": "c"},
            ],
        },
    }
'''
SEED_MODELS = MODELS.replace(
    'sa.Column("email", sa.String(120)),',
    'sa.Column("email", sa.String(120)),\n    sa.Column("nickname", sa.String(20), '
    'nullable=False, server_default="-"),',
)


def test_seed_data_is_written_around_each_revision(backend, tmp_path: Path) -> None:
    chain = {**CHAIN, "0003_nickname.py": SEED_REVISION.format(default=', server_default="-"')}
    runs = run_both(Project(chain, SEED_MODELS, conftest=SEED_CONFTEST), tmp_path, *backend)
    reference = _same(runs)
    assert {o.result for o in reference.outcomes.values()} == {"passed"}
    found = {
        tool: _rows(_url_of(backend, tmp_path, tool), "SELECT id, name, email, nickname FROM "
                    "account ORDER BY id")
        for tool in runs
    }
    assert found["dbshift"] == found["pytest-alembic"] == [
        (1, "ann", None, "-"), (2, "bob", "b@x", "b"), (3, "cy", None, "c"),
    ]


UNIQUE_NAME = revision(
    "0003", "0002", 'op.create_index("ix_account_name", "account", ["name"], unique=True)',
    'op.drop_index("ix_account_name", table_name="account")', "unique name",
)
DUPLICATE_CONFTEST = FRESH_CONFTEST + '''

@pytest.fixture
def alembic_config():
    return {
        "before_revision_data": {"0002": {"__tablename__": "account", "id": 1, "name": "ann"}},
        "at_revision_data": {"0002": {"__tablename__": "account", "id": 2, "name": "ann"}},
    }
'''


def test_seed_data_that_breaks_a_revision_fails_where_pytest_alembic_fails(
    backend, tmp_path: Path
) -> None:
    chain = {**CHAIN, "0003_unique.py": UNIQUE_NAME}
    runs = run_both(Project(chain, MODELS, conftest=DUPLICATE_CONFTEST), tmp_path, *backend)
    reference = _same(runs)
    assert reference.outcomes["test_upgrade"].result == "failure"
    assert reference.outcomes["test_up_down_consistency"].block("Failing Revision") == "0003"
    # dbshift's failure also names the step and the statement the database refused
    text = runs["dbshift"].outcomes["test_up_down_consistency"].text
    assert "upgrade 0002 -> 0003" in text
    assert "ix_account_name" in text.split("Failing SQL:")[1]


BRANCHED = {
    **CHAIN,
    "0002b_audit.py": revision(
        "0002b", "0001",
        'op.create_table("audit", sa.Column("id", sa.Integer, primary_key=True))',
        'op.drop_table("audit")', "audit",
    ),
}
BRANCHED_MODELS = MODELS + 'sa.Table("audit", metadata, sa.Column("id", sa.Integer, primary_key=True))\n'


MERGED = {**BRANCHED, "0003_merge.py": revision("0003", ("0002", "0002b"), "", "", "merge")}


def test_merged_branches_pass(backend, tmp_path: Path) -> None:
    runs = run_both(Project(MERGED, BRANCHED_MODELS), tmp_path, *backend)
    reference = _same(runs)
    assert {o.result for o in reference.outcomes.values()} == {"passed"}


def test_merged_branches_downgrade_trace_undoes_only_the_revision_it_ran(tmp_path: Path) -> None:
    # Deliberate difference (README): pytest-alembic undoes the upgrade of 0002 (on top of
    # 0002b) by downgrading to the revision before 0002b in its flattened history, which also
    # undoes branch 0002b, and then reports 0002b's table as left behind. dbshift runs the
    # downgrade of exactly the revision it upgraded.
    ini = "pytest_alembic_include_experimental = downgrade_leaves_no_trace\n"
    runs = run_both(Project(MERGED, BRANCHED_MODELS, ini=ini), tmp_path, "sqlite", None)
    reference = runs["pytest-alembic"].outcomes["test_downgrade_leaves_no_trace"]
    assert reference.result == "failure" and "audit" in reference.text
    assert runs["dbshift"].outcomes["test_downgrade_leaves_no_trace"].result == "passed"


def test_two_heads_fail_the_single_head_test(backend, tmp_path: Path) -> None:
    runs = run_both(Project(BRANCHED, BRANCHED_MODELS), tmp_path, *backend)
    reference = _same(runs, blocks=())
    failure = reference.outcomes["test_single_head_revision"]
    assert failure.headline == "Expected 1 head revision, found 2"
    assert {"0002", "0002b"} <= set(runs["dbshift"].outcomes["test_single_head_revision"].text.split())


LEAKY_DOWNGRADE = {
    **CHAIN,
    "0003_audit.py": revision(
        "0003", "0002",
        'op.create_table("audit", sa.Column("id", sa.Integer, primary_key=True))\n'
        'op.add_column("account", sa.Column("note", sa.String(20)))',
        'op.drop_column("account", "note")', "audit",
    ),
}
LEAKY_MODELS = MODELS.replace(
    'sa.Column("email", sa.String(120)),',
    'sa.Column("email", sa.String(120)),\n    sa.Column("note", sa.String(20)),',
) + 'sa.Table("audit", metadata, sa.Column("id", sa.Integer, primary_key=True))\n'


def test_a_downgrade_that_leaves_a_table_fails_both_round_trip_tests(
    backend, tmp_path: Path
) -> None:
    runs = run_both(Project(LEAKY_DOWNGRADE, LEAKY_MODELS, ini=EXPERIMENTAL), tmp_path, *backend)
    if backend[0] == "mariadb":
        # (see test_matching_models_pass_every_test: on MariaDB pytest-alembic's savepoints
        # leave every upgraded table behind, so only these two outcomes are comparable)
        reference = runs["pytest-alembic"]
        for name in ("test_downgrade_leaves_no_trace", "test_up_down_consistency"):
            assert reference.outcomes[name].result == "failure"
            assert runs["dbshift"].outcomes[name].result == "failure"
    else:
        reference = _same(runs, blocks=())
        assert reference.outcomes["test_downgrade_leaves_no_trace"].result == "failure"
        assert reference.outcomes["test_up_down_consistency"].result == "failure"
    # dbshift names what the downgrade left behind
    trace = runs["dbshift"].outcomes["test_downgrade_leaves_no_trace"].text
    assert "What the downgrade leaves behind" in trace and "audit" in trace


def test_a_failing_downgrade_names_the_revision(backend, tmp_path: Path) -> None:
    chain = {
        **CHAIN,
        "0002_email.py": revision(
            "0002", "0001", 'op.add_column("account", sa.Column("email", sa.String(120)))',
            'op.drop_table("no_such_table")', "email",
        ),
        "0003_nothing.py": revision("0003", "0002", "pass", "pass", "nothing"),
    }
    runs = run_both(Project(chain, MODELS), tmp_path, *backend)
    reference = _same(runs)
    outcome = reference.outcomes["test_up_down_consistency"]
    assert outcome.headline == "Failed to downgrade through each revision individually."
    assert outcome.block("Failing Revision") == "0001"
    text = runs["dbshift"].outcomes["test_up_down_consistency"].text
    assert "downgrade 0002 -> 0001" in text and "no_such_table" in text


def test_a_downgrade_raising_not_implemented_stops_the_round_trip(
    backend, tmp_path: Path
) -> None:
    chain = {
        **CHAIN,
        "0002_email.py": revision(
            "0002", "0001", 'op.add_column("account", sa.Column("email", sa.String(120)))',
            'raise NotImplementedError("one way")', "email",
        ),
    }
    runs = run_both(Project(chain, MODELS), tmp_path, *backend)
    reference = _same(runs)
    assert {o.result for o in reference.outcomes.values()} == {"passed"}
    assert "NotImplementedError" in runs["dbshift"].output
    assert "see 'minimum_downgrade_revision'" in runs["dbshift"].output


def test_drifted_models_fail_the_model_test(backend, tmp_path: Path) -> None:
    drifted = MODELS + 'sa.Table("audit", metadata, sa.Column("id", sa.Integer, primary_key=True))\n'
    runs = run_both(Project(CHAIN, drifted), tmp_path, *backend)
    reference = _same(runs, blocks=())
    assert reference.outcomes["test_model_definitions_match_ddl"].result == "failure"
    shown = runs["dbshift"].outcomes["test_model_definitions_match_ddl"].text
    assert "op.create_table(" in shown and "'audit'" in shown


MINIMUM_CONFTEST = CONFTEST + '''
from pytest_alembic.config import Config


@pytest.fixture
def alembic_config():
    return Config(minimum_downgrade_revision="0002")
'''


def test_minimum_downgrade_revision_from_a_config_object(backend, tmp_path: Path) -> None:
    chain = {
        **CHAIN,
        "0002_email.py": revision(
            "0002", "0001", 'op.add_column("account", sa.Column("email", sa.String(120)))',
            'op.drop_table("no_such_table")', "email",
        ),
        "0003_nothing.py": revision("0003", "0002", "pass", "pass", "nothing"),
    }
    runs = run_both(Project(chain, MODELS, conftest=MINIMUM_CONFTEST, ini=EXPERIMENTAL),
                    tmp_path, *backend)
    reference = _same(runs)
    assert {o.result for o in reference.outcomes.values()} == {"passed"}


RUNNER_TESTS = '''
def test_runner_api(alembic_runner):
    alembic_runner.migrate_down_to("base")
    assert alembic_runner.current == "base"
    assert alembic_runner.heads == ["0003"]
    assert alembic_runner.history.revisions == ["base", "0001", "0002", "0003", "heads"]
    assert alembic_runner.migrate_up_before("0002") == "0001"
    alembic_runner.insert_into("account", {"id": 1, "name": "ann"})
    assert alembic_runner.migrate_up_one() == "0002"
    assert "email" in alembic_runner.table_at_revision("account").columns
    assert alembic_runner.migrate_down_one() == "0001"
    assert alembic_runner.current == "0001"
    assert alembic_runner.roundtrip_next_revision() == "0002"
    assert alembic_runner.migrate_up_to("heads") == "0003"
    assert alembic_runner.migrate_up_one() is None
    assert alembic_runner.migrate_down_before("0002") == "0003"
    alembic_runner.set_revision("0002")
    assert alembic_runner.current == "0002"
    alembic_runner.migrate_down_to("base")


def test_generate_revision_without_a_file(alembic_runner):
    alembic_runner.migrate_up_to("heads")
    seen = []
    alembic_runner.generate_revision(
        autogenerate=True, prevent_file_generation=True,
        process_revision_directives=lambda ctx, rev, directives: seen.append(
            directives[0].upgrade_ops.is_empty()
        ),
    )
    assert seen == [True]


def test_a_built_in_test_called_by_hand(alembic_runner):
    from pytest_alembic.tests import test_single_head_revision, test_upgrade

    test_single_head_revision(alembic_runner)
    test_upgrade(alembic_runner)
'''


def test_runner_api_used_by_a_projects_own_tests(backend, tmp_path: Path) -> None:
    chain = {**CHAIN, "0003_nothing.py": revision("0003", "0002", "pass", "pass", "nothing")}
    project = Project(chain, MODELS, extra_files={"tests/test_migrations.py": RUNNER_TESTS})
    runs = run_both(project, tmp_path, *backend)
    reference = _same(runs)
    assert {o.result for o in reference.outcomes.values()} == {"passed"}
    assert len(reference.outcomes) == 7


def test_without_an_engine_fixture_both_use_in_memory_sqlite(tmp_path: Path) -> None:
    runs = run_both(Project(CHAIN, MODELS, conftest=""), tmp_path, "sqlite", None)
    reference = _same(runs)
    assert {o.result for o in reference.outcomes.values()} == {"passed"}


def test_fresh_database_helper_gives_empty_databases(backend, tmp_path: Path) -> None:
    # the comparisons above rely on each run starting empty
    (tmp_path / "x").mkdir()
    url = fresh_database(backend[0], backend[1], tmp_path / "x", "dbshift")
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            assert sa.inspect(conn).get_table_names() == []
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- deliberate differences
# (README: "Where it deliberately differs from pytest-alembic"; SQLite is enough to show them)


def test_seed_rows_are_not_written_again_for_revisions_already_applied(tmp_path: Path) -> None:
    chain = {**CHAIN, "0003_nickname.py": SEED_REVISION.format(default=', server_default="-"')}
    conftest = SEED_CONFTEST.replace(FRESH_CONFTEST, CONFTEST)  # one database for all tests
    runs = run_both(Project(chain, SEED_MODELS, conftest=conftest), tmp_path, "sqlite", None)
    reference = runs["pytest-alembic"].outcomes["test_up_down_consistency"]
    assert reference.result == "failure" and "UNIQUE constraint failed" in reference.text
    assert {o.result for o in runs["dbshift"].outcomes.values()} == {"passed"}


def test_a_revision_that_fails_to_import(tmp_path: Path) -> None:
    chain = dict(CHAIN)
    chain["0002_email.py"] = chain["0002_email.py"].replace(
        "import sqlalchemy as sa\n", "import sqlalchemy as sa\nimport no_such_module\n"
    )
    runs = run_both(Project(chain, MODELS), tmp_path, "sqlite", None)
    assert {o.result for o in runs["pytest-alembic"].outcomes.values()} == {"error"}
    assert {name: o.result for name, o in runs["dbshift"].outcomes.items()} == {
        "test_model_definitions_match_ddl": "failure", "test_single_head_revision": "passed",
        "test_up_down_consistency": "failure", "test_upgrade": "failure",
    }
    assert runs["pytest-alembic"].returncode == runs["dbshift"].returncode == 1


def test_models_in_a_plain_module_of_a_package(tmp_path: Path) -> None:
    project = Project(
        CHAIN, "from app.models.tables import metadata  # noqa: F401\n",
        ini="pytest_alembic_include_experimental = all_models_register_on_metadata\n",
        extra_files={"app/models/tables.py": MODELS},
    )
    # env.py takes metadata from app.models, which imports it from the module app.models.tables
    runs = run_both(project, tmp_path, "sqlite", None)
    reference = runs["pytest-alembic"].outcomes["test_all_models_register_on_metadata"]
    assert reference.result == "failure" and "Invalid module name: app.models.tables" in reference.text
    assert runs["dbshift"].outcomes["test_all_models_register_on_metadata"].result == "passed"


def test_models_missing_from_env_py_fail_both(backend, tmp_path: Path) -> None:
    project = Project(
        CHAIN, MODELS,
        ini="pytest_alembic_include_experimental = all_models_register_on_metadata\n",
        extra_files={"app/models/audit.py": (
            "import sqlalchemy as sa\n\nfrom app.models import metadata\n\n"
            'sa.Table("audit", metadata, sa.Column("id", sa.Integer, primary_key=True))\n'
        )},
    )
    runs = run_both(project, tmp_path, *backend)
    reference = _same(runs)
    outcome = reference.outcomes["test_all_models_register_on_metadata"]
    assert outcome.result == "failure" and "The following tables are affected: audit." in outcome.text
    assert "The following tables are affected: audit." in (
        runs["dbshift"].outcomes["test_all_models_register_on_metadata"].text
    )
