"""Every ``alembic`` name the ecosystem packages use, served by dbshift's alias.

:mod:`.alembic_names` lists them with how each package calls them. One probe per virtualenv
resolves them all: in ``.venv-eco-alembic`` every one must resolve and bind (that checks the list
itself); in ``.venv-eco``, after ``dbshift.compat.install()`` (what dbshift's CLI does before it
runs env.py), each must resolve to the module dbshift serves (not a second execution of it),
and each call must bind to dbshift's signature. Names dbshift lacks today are strict xfails.
"""

from __future__ import annotations

import dataclasses
import json

import pytest

from .alembic_names import NEEDS, PROBE, Need
from .harness import ROOT, EcosystemGap, per_tool, run_in_venv

#: Need.key -> the problems the probe finds for it today under dbshift. A strict xfail: the
#: test fails if a problem not listed here appears, and passes (so fails, strict) once none is
#: left; a fixed problem may leave the list as it is until then.
KNOWN_GAPS: dict[str, tuple[str, ...]] = {
    'alembic.util.exc:CommandError': (
        'duplicate: alembic.util.exc is a second execution of dbshift.util.exc, not the same module',
    ),
    'alembic.util:immutabledict': (
        "missing: AttributeError: module 'dbshift.util' has no attribute 'immutabledict'",
    ),
    'alembic.util:DispatchPriority.LAST': (
        "missing: AttributeError: module 'dbshift.util' has no attribute 'DispatchPriority'",
    ),
    'alembic.runtime.migration:MigrationContext.configure(0,connection,opts,dialect)': (
        'duplicate: alembic.runtime.migration is a second execution of dbshift.runtime.migration, not the same module',
    ),
    'alembic.runtime.migration:MigrationContext[migration]': (
        'duplicate: alembic.runtime.migration is a second execution of dbshift.runtime.migration, not the same module',
    ),
    'alembic.runtime.migration:RevisionStep': (
        'duplicate: alembic.runtime.migration is a second execution of dbshift.runtime.migration, not the same module',
        "missing: AttributeError: module 'dbshift.runtime.migration' has no attribute 'RevisionStep'",
    ),
    'alembic.runtime.environment:EnvironmentContext(2,fn,destination_rev,dont_mutate)': (
        'duplicate: alembic.runtime.environment is a second execution of dbshift.runtime.environment, not the same module',
    ),
    'alembic.runtime.environment:EnvironmentContext(2,fn,as_sql)': (
        'duplicate: alembic.runtime.environment is a second execution of dbshift.runtime.environment, not the same module',
    ),
    'alembic.script.base:ScriptDirectory._upgrade_revs(3)': (
        "missing: AttributeError: type object 'ScriptDirectory' has no attribute '_upgrade_revs'",
    ),
    'alembic.script.base:ScriptDirectory._downgrade_revs(3)': (
        "missing: AttributeError: type object 'ScriptDirectory' has no attribute '_downgrade_revs'",
    ),
    'alembic.script.base:ScriptDirectory.revision_map=set': (
        'different: ScriptDirectory.revision_map is a read-only property',
    ),
    'alembic.script.revision:RevisionMap(1)': (
        'duplicate: alembic.script.revision is a second execution of dbshift.script.revision, not the same module',
    ),
    'alembic.script.revision:RevisionMap.iterate_revisions(3)': (
        'duplicate: alembic.script.revision is a second execution of dbshift.script.revision, not the same module',
    ),
    'alembic.script.revision:Revision(2)': (
        'duplicate: alembic.script.revision is a second execution of dbshift.script.revision, not the same module',
    ),
    'alembic.autogenerate.render:renderers.dispatch_for(1)': (
        'duplicate: alembic.autogenerate.render is a second execution of dbshift.autogenerate.render, not the same module',
    ),
    'alembic.autogenerate.render:_render_cmd_body(2)': (
        'duplicate: alembic.autogenerate.render is a second execution of dbshift.autogenerate.render, not the same module',
        "missing: AttributeError: module 'dbshift.autogenerate.render' has no attribute '_render_cmd_body'",
    ),
    'alembic.autogenerate.render:_alter_column(2)': (
        'duplicate: alembic.autogenerate.render is a second execution of dbshift.autogenerate.render, not the same module',
        "missing: AttributeError: module 'dbshift.autogenerate.render' has no attribute '_alter_column'",
    ),
    'alembic.autogenerate:_render_migration_diffs(2)': (
        "missing: AttributeError: module 'dbshift.autogenerate' has no attribute '_render_migration_diffs'",
    ),
    'alembic.autogenerate:_produce_net_changes(2)': (
        "missing: AttributeError: module 'dbshift.autogenerate' has no attribute '_produce_net_changes'",
    ),
    'alembic.autogenerate.api:AutogenContext(1)': (
        'duplicate: alembic.autogenerate.api is a second execution of dbshift.autogenerate, not the same module',
    ),
    'alembic.autogenerate.api:AutogenContext(2)': (
        'duplicate: alembic.autogenerate.api is a second execution of dbshift.autogenerate, not the same module',
    ),
    'alembic.autogenerate.api:AutogenContext[autogen]': (
        'duplicate: alembic.autogenerate.api is a second execution of dbshift.autogenerate, not the same module',
    ),
    'alembic.autogenerate.api:AutogenContext.run_name_filters(4)': (
        'duplicate: alembic.autogenerate.api is a second execution of dbshift.autogenerate, not the same module',
    ),
    'alembic.autogenerate.api:AutogenContext.run_object_filters(4,reflected,compare_to)': (
        'duplicate: alembic.autogenerate.api is a second execution of dbshift.autogenerate, not the same module',
    ),
    'alembic.operations:MigrateOperation': (
        "missing: AttributeError: module 'dbshift.operations' has no attribute 'MigrateOperation'",
    ),
    'alembic.operations.base:Operations.register_operation(1)': (
        'duplicate: alembic.operations.base is a second execution of dbshift.operations.base, not the same module',
    ),
    'alembic.operations.ops:MigrateOperation': (
        'duplicate: alembic.operations.ops is a second execution of dbshift.operations.ops, not the same module',
    ),
    'alembic.operations.ops:UpgradeOps(0,ops)': (
        'duplicate: alembic.operations.ops is a second execution of dbshift.operations.ops, not the same module',
    ),
    'alembic.operations.ops:UpgradeOps.as_diffs(1)': (
        'duplicate: alembic.operations.ops is a second execution of dbshift.operations.ops, not the same module',
    ),
    'alembic.operations.ops:UpgradeOps.is_empty(1)': (
        'duplicate: alembic.operations.ops is a second execution of dbshift.operations.ops, not the same module',
    ),
    'alembic.operations.ops:ModifyTableOps': (
        'duplicate: alembic.operations.ops is a second execution of dbshift.operations.ops, not the same module',
    ),
    'alembic.operations.ops:AddColumnOp[add_column]': (
        'duplicate: alembic.operations.ops is a second execution of dbshift.operations.ops, not the same module',
    ),
    'alembic.operations.ops:DropColumnOp[drop_column]': (
        'duplicate: alembic.operations.ops is a second execution of dbshift.operations.ops, not the same module',
    ),
    'alembic.operations.ops:AlterColumnOp[alter_column]': (
        'duplicate: alembic.operations.ops is a second execution of dbshift.operations.ops, not the same module',
    ),
    'alembic.operations.ops:AlterColumnOp.reverse(1)': (
        'duplicate: alembic.operations.ops is a second execution of dbshift.operations.ops, not the same module',
    ),
    'alembic.operations.ops:CreateTableOp[create_table]': (
        'duplicate: alembic.operations.ops is a second execution of dbshift.operations.ops, not the same module',
    ),
    'alembic.operations.ops:DropTableOp[drop_table]': (
        'duplicate: alembic.operations.ops is a second execution of dbshift.operations.ops, not the same module',
    ),
}


@pytest.fixture(scope="module")
def probes(eco_venvs: None) -> dict[str, list[list[str]]]:
    """The problems each venv's probe finds, need by need (in the order of ``NEEDS``)."""
    payload = json.dumps([dataclasses.asdict(need) for need in NEEDS])

    def probe(tool: str) -> list[list[str]]:
        run = run_in_venv(tool, ("python", "-c", PROBE), ROOT, stdin=payload)
        assert run.returncode == 0, run.describe()
        return json.loads(run.stdout)

    return per_tool(probe)


def _param(need: Need) -> object:
    known = KNOWN_GAPS.get(need.key, ())
    marks = []
    if known:
        marks.append(pytest.mark.xfail(strict=True, raises=EcosystemGap, reason="; ".join(known)))
    return pytest.param(need, known, id=need.key, marks=marks)


@pytest.mark.parametrize(("need", "known"), [_param(need) for need in NEEDS])
def test_dbshift_serves_the_name(
    probes: dict[str, list[list[str]]], need: Need, known: tuple[str, ...]
) -> None:
    index = NEEDS.index(need)
    assert probes["alembic"][index] == [], f"reference: {probes['alembic'][index]}"
    found = probes["dbshift"][index]
    if not found:
        return
    new = [problem for problem in found if problem not in known]
    if new:
        pytest.fail(f"{need.key} (used by {need.users}) has problems not in KNOWN_GAPS: {new}")
    raise EcosystemGap(f"{need.key} (used by {need.users}): {'; '.join(found)}")
