"""What ``on_version_apply`` callbacks receive (``MigrationInfo``) is what Alembic gives them.

A revision's ``depends_on`` revisions count among its down revisions (unless an ancestor
already depends on them), so they appear in ``down_revision_ids`` and in the source (upgrade)
or destination (downgrade) ids. An env.py that prints every ``MigrationInfo`` runs the same
commands under Alembic 1.20 and dbshift, on each live backend; the printed steps and the
version rows after each command must be the same.
"""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from alembic_reference import TOOLS, require_alembic
from conftest import drop_everything
from workflow_graphs import Rev, read_state, run_cli, write_project

GRAPH = (
    Rev("trunk1", labels=("trunk",)),
    Rev("trunk2", "trunk1"),
    Rev("side1", labels=("side",)),
    Rev("side2", "side1"),
    Rev("trunk3", "trunk2", depends=("side2",)),
    Rev("trunk4", "trunk3", depends=("side1",)),  # already implied through trunk3
)

COMMANDS = (
    ("upgrade", "trunk@head"),
    ("downgrade", "side@base"),
    ("upgrade", "heads"),
    ("downgrade", "trunk2"),
    ("downgrade", "base"),
    ("stamp", "trunk3"),
    ("stamp", "side@base"),
    ("stamp", "base"),
)

_CALLBACK_ENV = '''\
import json as _json
import sqlalchemy as sa
from alembic import context

url = context.get_x_argument(as_dictionary=True)["url"]


def _show(ctx, step, heads, run_args):
    print("STEP " + _json.dumps({
        "up": list(step.up_revision_ids),
        "down": list(step.down_revision_ids),
        "source": list(step.source_revision_ids),
        "destination": list(step.destination_revision_ids),
        "up_id": step.up_revision_id,
        "is_upgrade": step.is_upgrade,
        "is_stamp": step.is_stamp,
        "is_migration": step.is_migration,
        "up_revisions": sorted(r.revision for r in step.up_revisions),
        "source_revisions": sorted(r.revision for r in step.source_revisions),
        "heads": sorted(heads),
    }))


engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection, on_version_apply=_show)
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
'''


def test_on_version_apply_sees_depends_on_like_alembic(engine: sa.Engine, tmp_path: Path) -> None:
    require_alembic()
    url = engine.url.render_as_string(hide_password=False)
    runs = {}
    for tool in TOOLS:
        drop_everything(engine)
        root = tmp_path / tool
        root.mkdir()
        ini = write_project(root, GRAPH)
        (root / "migrations" / "env.py").write_text(_CALLBACK_ENV)
        runs[tool] = []
        for argv in COMMANDS:
            result = run_cli(tool, ini, url, argv)
            assert result.ok, (tool, argv, result.stderr)
            steps = [json.loads(line[5:]) for line in result.stdout.splitlines()
                     if line.startswith("STEP ")]
            runs[tool].append((argv, steps, read_state(url).rows))
    for alembic, dbshift in zip(runs["alembic"], runs["dbshift"]):
        assert dbshift == alembic
    # the dependency is there: trunk3's upgrade starts from trunk2 and side2
    upgrade_heads = runs["dbshift"][2][1]
    (trunk3,) = [s for s in upgrade_heads if s["up"] == ["trunk3"]]
    assert trunk3["down"] == ["trunk2", "side2"] and trunk3["source"] == ["trunk2", "side2"]
