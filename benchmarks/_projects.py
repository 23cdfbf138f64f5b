"""Generate migration projects for the benchmarks: the same revision files for every tool.

A project is an ``alembic.ini``, an ``env.py`` and a ``versions/`` directory of revision files in
the shape ``alembic revision`` / ``dbshift revision`` write them (docstring, annotated header
assignments, ``upgrade()``/``downgrade()``). Only the module the scripts import ``op`` and
``context`` from differs between copies (``alembic`` or ``dbshift``); everything else is
byte-for-byte the same, so both tools do the same work.

Revision ids are derived from a hash of the revision's position, so a chain of 500 is a prefix of
the chain of 2,000 and every run generates the same files. File modification times are set an
hour into the past, like a checked-out project (a file modified within the last seconds is one no
cache may trust).
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

if (_MAIN := os.path.dirname(os.path.dirname(os.path.abspath(__file__)))) not in sys.path:
    sys.path.insert(0, _MAIN)  # the repository root: the dev tools' shared pieces

from tools.logging_ini import LOGGING_SECTIONS  # noqa: E402

# ---------------------------------------------------------------------------------------------
# revisions: pure data


@dataclass
class Rev:
    """One revision: its id, parents, labels, and the lines of its two functions."""

    revision: str
    down_revision: str | tuple[str, ...] | None
    message: str
    upgrade: list[str] = field(default_factory=list)
    downgrade: list[str] = field(default_factory=list)
    branch_labels: tuple[str, ...] | None = None
    depends_on: str | tuple[str, ...] | None = None


def rev_id(kind: str, n: int) -> str:
    """A 12-hex-digit id, stable for (kind, n)."""
    return hashlib.sha1(f"{kind}:{n}".encode()).hexdigest()[:12]


def _ddl_step(i: int) -> tuple[str, list[str], list[str]]:
    """The i-th small DDL change of a chain: create a table, add a column, add an index."""
    table = f"t{i // 3:05d}"
    kind = i % 3
    if kind == 0:
        return (
            f"create table {table}",
            [
                f"op.create_table({table!r},",
                "    sa.Column('id', sa.Integer(), primary_key=True),",
                "    sa.Column('name', sa.String(50), nullable=False),",
                ")",
            ],
            [f"op.drop_table({table!r})"],
        )
    if kind == 1:
        return (
            f"add column to {table}",
            [f"op.add_column({table!r}, sa.Column('c{i:05d}', sa.Integer(), nullable=True))"],
            [f"op.drop_column({table!r}, 'c{i:05d}')"],
        )
    return (
        f"index {table}.name",
        [f"op.create_index('ix_{table}_name', {table!r}, ['name'])"],
        [f"op.drop_index('ix_{table}_name', table_name={table!r})"],
    )


def linear_chain(n: int) -> list[Rev]:
    """``n`` revisions in one line, each a small DDL change (the tables stay small)."""
    revs: list[Rev] = []
    parent: str | None = None
    for i in range(n):
        msg, up, down = _ddl_step(i)
        rid = rev_id("linear", i)
        revs.append(Rev(rid, parent, f"{msg} ({i})", up, down))
        parent = rid
    return revs


def branchy_graph(n: int, seed: int = 20) -> list[Rev]:
    """``n`` revisions that branch and merge: two bases, labelled branches, ``depends_on``.

    Tips are the current heads. Each step extends a tip (most of the time), forks a new branch
    off a random earlier revision, or merges two or three tips; the last 50 steps
    only extend and fork, so a few heads remain.
    Every non-merge revision creates its own small table, so the graph is also runnable.
    """
    rnd = random.Random(seed)
    revs: list[Rev] = []
    tips: list[str] = []
    label_no = 0

    def new(parent: str | tuple[str, ...] | None, **kw: object) -> str:
        i = len(revs)
        rid = rev_id("branchy", i)
        if kw.pop("merge", False):
            revs.append(Rev(rid, parent, f"merge ({i})", [], [], **kw))  # type: ignore[arg-type]
        else:
            table = f"b{i:05d}"
            revs.append(
                Rev(
                    rid,
                    parent,
                    f"branch step ({i})",
                    [
                        f"op.create_table({table!r},",
                        "    sa.Column('id', sa.Integer(), primary_key=True),",
                        ")",
                    ],
                    [f"op.drop_table({table!r})"],
                    **kw,  # type: ignore[arg-type]
                )
            )
        return rid

    tips.append(new(None))
    tips.append(new(None, branch_labels=("second_base",)))
    while len(revs) < n:
        roll = rnd.random()
        remaining = n - len(revs)
        if len(tips) >= 2 and ((roll < 0.10 and remaining > 50) or len(tips) > 6):
            k = min(len(tips), rnd.choice((2, 2, 3)))
            picked = rnd.sample(tips, k)
            for p in picked:
                tips.remove(p)
            tips.append(new(tuple(picked), merge=True))
        elif roll < 0.18 or (remaining <= 50 and len(tips) < 4):
            fork_from = revs[rnd.randrange(len(revs))].revision
            if fork_from in tips:  # forking off a head just extends it
                tips.remove(fork_from)
            label_no += 1
            kw: dict[str, object] = {}
            if label_no % 4 == 0:
                kw["branch_labels"] = (f"feature{label_no}",)
            tips.append(new(fork_from, **kw))
        else:
            i = rnd.randrange(len(tips))
            kw = {}
            if rnd.random() < 0.03 and len(revs) > 10:
                kw["depends_on"] = revs[rnd.randrange(len(revs) - 5)].revision
            tips[i] = new(tips[i], **kw)
    return revs


# ---------------------------------------------------------------------------------------------
# files

_REVISION_TEMPLATE = '''"""{message}

Revision ID: {revision}
Revises: {revises}
Create Date: 2025-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from {pkg} import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = {revision!r}
down_revision: Union[str, Sequence[str], None] = {down_revision!r}
branch_labels: Union[str, Sequence[str], None] = {branch_labels!r}
depends_on: Union[str, Sequence[str], None] = {depends_on!r}


def upgrade() -> None:
    """Upgrade schema."""
{upgrade}


def downgrade() -> None:
    """Downgrade schema."""
{downgrade}
'''

_ENV_PY = '''"""Benchmark env.py: the generic template's shape, same for every tool."""
from logging.config import fileConfig

from sqlalchemy import engine_from_config, pool

from {pkg} import context

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)

target_metadata = None


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={{"paramstyle": "named"}},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {{}}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
'''

# The project's ini: the tool's section, then logging as both tools' generic templates set it up.
_INI = """[alembic]
script_location = %(here)s/migrations
prepend_sys_path = .
path_separator = os
sqlalchemy.url = {url}
""" + LOGGING_SECTIONS


def _indent(lines: list[str]) -> str:
    return "\n".join("    " + line for line in lines) if lines else "    pass"


def _revises(down: str | tuple[str, ...] | None) -> str:
    if down is None:
        return ""
    if isinstance(down, str):
        return down
    return ", ".join(down)


def render_revision(rev: Rev, pkg: str) -> str:
    """The source of one revision file importing ``op`` from ``pkg``."""
    return _REVISION_TEMPLATE.format(
        message=rev.message,
        revision=rev.revision,
        revises=_revises(rev.down_revision),
        pkg=pkg,
        down_revision=rev.down_revision,
        branch_labels=rev.branch_labels,
        depends_on=rev.depends_on,
        upgrade=_indent(rev.upgrade),
        downgrade=_indent(rev.downgrade),
    )


def write_project(root: str, revs: Iterable[Rev], pkg: str, url: str) -> str:
    """Write a fresh project at ``root`` (removed first); returns ``root``."""
    if os.path.exists(root):
        shutil.rmtree(root)
    versions = os.path.join(root, "migrations", "versions")
    os.makedirs(versions)
    files = [os.path.join(root, "alembic.ini"), os.path.join(root, "migrations", "env.py")]
    with open(files[0], "w") as f:
        f.write(_INI.format(url=url))
    with open(files[1], "w") as f:
        f.write(_ENV_PY.format(pkg=pkg))
    for rev in revs:
        slug = rev.message.replace(" ", "_").replace("(", "").replace(")", "").replace(".", "_")
        path = os.path.join(versions, f"{rev.revision}_{slug[:40]}.py")
        with open(path, "w") as f:
            f.write(render_revision(rev, pkg))
        files.append(path)
    past = time.time() - 3600
    for path in files:
        os.utime(path, (past, past))
    return root
