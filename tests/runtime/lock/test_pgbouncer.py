"""Behind PgBouncer in transaction pooling mode: the lease row instead of the advisory lock.

A PgBouncer of the test's own (the Debian package, installed by ``scripts/pgbouncer.sh``) runs
on a free local port with a config in a temp dir, ``pool_mode = transaction``, in front of the
test PostgreSQL. Without it: a skip on a developer's machine, a failure in CI.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from . import project
from .conftest import side_effects, url_of, version_rows

IN_CI = bool(os.environ.get("CI"))
PGBOUNCER = shutil.which("pgbouncer") or (
    "/usr/sbin/pgbouncer" if os.path.exists("/usr/sbin/pgbouncer") else None
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def bouncer_url(pg_engine) -> Iterator[str]:
    """The test database's URL through a PgBouncer in transaction pooling mode."""
    if PGBOUNCER is None:
        message = "pgbouncer is not installed (bash scripts/pgbouncer.sh)"
        if IN_CI:
            pytest.fail(message + " (CI requires it)")
        pytest.skip(message)
    url = pg_engine.url
    user = url.username or "postgres"
    port = _free_port()
    workdir = tempfile.mkdtemp(prefix="dbshift-pgbouncer-")
    os.chmod(workdir, 0o755)
    users = os.path.join(workdir, "users.txt")
    with open(users, "w") as fh:
        fh.write(f'"{user}" "{url.password or ""}"\n')
    config = os.path.join(workdir, "pgbouncer.ini")
    with open(config, "w") as fh:
        fh.write(
            "[databases]\n"
            f"* = host={url.host or '127.0.0.1'} port={url.port or 5432}\n"
            "[pgbouncer]\n"
            "listen_addr = 127.0.0.1\n"
            f"listen_port = {port}\n"
            "unix_socket_dir =\n"
            "auth_type = trust\n"
            f"auth_file = {users}\n"
            "pool_mode = transaction\n"
            "default_pool_size = 20\n"
        )
    for path in (users, config):
        os.chmod(path, 0o644)
    # PgBouncer refuses to run as root; -u drops to another user after reading its config.
    argv = [PGBOUNCER, *(["-u", "nobody"] if os.geteuid() == 0 else []), config]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    bounced = url.set(port=port, host="127.0.0.1")
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"pgbouncer did not start: {process.stderr.read()}")
                time.sleep(0.05)
        yield bounced.render_as_string(hide_password=False)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(workdir, ignore_errors=True)


def _advisory_locks(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'").scalar()


def test_the_pooler_is_found_and_a_lease_serialises_the_race(pg_engine, bouncer_url, tmp_path):
    root = project.write_project(tmp_path / "proj", bouncer_url, 3)
    results = project.race(root, 6)
    failed = [r.stderr for r in results if r.returncode != 0]
    assert not failed, "\n---\n".join(failed)
    assert sum(r.stderr.count("Running upgrade") for r in results) == 3
    assert all("using a lease row in dbshift_migration_lock instead" in r.stderr for r in results if "Running upgrade" in r.stderr)
    assert side_effects(pg_engine) == [("r1", 1), ("r2", 1), ("r3", 1)]
    assert version_rows(pg_engine) == ["r3"]
    # no session lock was left behind on a pooled server session
    assert _advisory_locks(pg_engine) == 0


def test_processes_behind_the_pooler_and_direct_ones_exclude_each_other(
    pg_engine, bouncer_url, tmp_path
):
    bounced = project.write_project(tmp_path / "bounced", bouncer_url, 3)
    direct = project.write_project(tmp_path / "direct", url_of(pg_engine), 3)
    # the lease table exists once a process behind the pooler has locked
    assert project.run(bounced, ["stamp", "base"]).returncode == 0
    results = project.race(bounced, 6, roots=[bounced, direct])
    failed = [r.stderr for r in results if r.returncode != 0]
    assert not failed, "\n---\n".join(failed)
    assert side_effects(pg_engine) == [("r1", 1), ("r2", 1), ("r3", 1)]
    assert version_rows(pg_engine) == ["r3"]


def test_a_killed_lease_holder_is_taken_over_when_its_lease_expires(
    pg_engine, bouncer_url, tmp_path
):
    root = project.write_project(
        tmp_path / "proj", bouncer_url, 2, ini_extra="lock_lease_ttl = 2s\n"
    )
    hold = tmp_path / "hold"
    hold.mkdir()
    holder = project.start(root, ["upgrade", "head"], {"LOCK_TEST_HOLD": str(hold)})
    try:
        project.wait_for(lambda: any(hold.glob("holding.*")), what="the holder inside r1")
        log = tmp_path / "waiter.err"
        waiter = project.start(root, ["upgrade", "head"], stderr_file=log)
        project.wait_for(lambda: "waiting for the migration lease" in log.read_text(), what="wait")
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
    result = project.finish(waiter)
    assert result.returncode == 0, result.stderr
    assert "(lease row in dbshift_migration_lock, expires in " in result.stderr
    assert side_effects(pg_engine) == [("r1", 1), ("r2", 1)]
    assert version_rows(pg_engine) == ["r2"]
