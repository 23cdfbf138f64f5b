"""Real Alembic chains shipped inside PyPI packages, fetched on demand (never committed).

``pip download --no-deps`` puts the pinned wheel into the cache
(``$DBSHIFT_DIFFTEST_CACHE``, default ``~/.cache/dbshift-difftest``); the wheel is unpacked there
once. Chains whose revision files import their own package (optuna) also get that package's light
runtime dependencies installed into the cache with ``pip install --target`` and put on
``PYTHONPATH`` for both tools. Chains whose revisions import an application with many
dependencies (airflow, prefect) get the pinned package with all its dependencies installed with
``pip install --target`` instead, less the migration tool and the database layer each tool brings
itself (Alembic, SQLAlchemy, the drivers). Each chain runs with a harness ``env.py`` from ``envs/``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .runner import Project

HERE = Path(__file__).resolve().parent
ENVS = HERE / "envs"


class FetchError(RuntimeError):
    """A package could not be fetched (PyPI unreachable, or pip failed)."""


@dataclass(frozen=True)
class Chain:
    """One migration chain inside a wheel."""

    name: str
    requirement: str  # pinned "name==version"
    migrations: str  # the migration directory inside the wheel (holds versions/)
    env: str  # harness env.py in envs/
    version_table: str = "alembic_version"
    backends: tuple[str, ...] = ("sqlite", "postgresql", "mariadb")
    imports_package: bool = False  # revision files import the package itself
    deps: tuple[str, ...] = ()  # what importing the package needs, installed --no-deps
    #: install the package with all its dependencies (their site is on PYTHONPATH)
    full_install: bool = False
    #: backend -> the revision directory under ``migrations`` when each backend has its own
    versions_by_backend: tuple[tuple[str, str], ...] = ()
    #: environment both tools run with (``{cache}`` is the cache directory)
    environ: tuple[tuple[str, str], ...] = ()

    def versions_for(self, backend: str | None) -> str:
        """The revision directory (relative to ``migrations``) for ``backend``."""
        by_backend = dict(self.versions_by_backend)
        if not by_backend:
            return "versions"
        if backend not in by_backend:
            raise ValueError(
                f"chain {self.name} has revisions for {', '.join(by_backend)} only, not {backend}"
            )
        return by_backend[backend]


CHAINS: dict[str, Chain] = {
    chain.name: chain
    for chain in (
        Chain(
            "optuna",
            "optuna==5.0.0",
            "optuna/storages/_rdb/alembic",
            "optuna.py",
            imports_package=True,
            deps=("numpy", "colorlog", "tqdm", "PyYAML", "packaging"),
        ),
        Chain("aim-storage", "aim==3.29.1", "aim/storage/migrations", "aim_storage.py"),
        Chain("aim-web", "aim==3.29.1", "aim/web/migrations", "aim_web.py"),
        Chain(
            "airflow-fab",
            "apache-airflow-providers-fab==3.10.2",
            "airflow/providers/fab/migrations",
            "airflow_fab.py",
            version_table="alembic_version_fab",
        ),
        Chain(
            "airflow",
            "apache-airflow-core==3.3.2",
            "airflow/migrations",
            "airflow.py",
            full_install=True,
            # airflow as a library: importing it configures no logging of its own (its
            # structlog lines on stdout would mix with the offline SQL)
            environ=(("AIRFLOW_HOME", "{cache}/airflow-home"), ("_AIRFLOW__AS_LIBRARY", "1")),
        ),
        Chain(
            "prefect",
            "prefect==3.9.1",
            "prefect/server/database/_migrations",
            "prefect.py",
            backends=("sqlite", "postgresql"),
            full_install=True,
            versions_by_backend=(
                ("sqlite", "versions/sqlite"),
                ("postgresql", "versions/postgresql"),
            ),
            environ=(("PREFECT_HOME", "{cache}/prefect-home"),),
        ),
    )
}

#: What a full install leaves out: each tool runs with its own migration tool, SQLAlchemy and
#: drivers (top-level names in site-packages, matched case-insensitively).
TOOL_OWNED = ("alembic", "sqlalchemy", "psycopg2", "psycopg2_binary", "pymysql")


def cache_dir() -> Path:
    """Where wheels, unpacked wheels and dependency sites are kept."""
    override = os.environ.get("DBSHIFT_DIFFTEST_CACHE")
    return Path(override) if override else Path.home() / ".cache" / "dbshift-difftest"


def _pip(*args: str) -> None:
    cmd = [sys.executable, "-m", "pip", "--disable-pip-version-check", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=600)
    if done.returncode != 0:
        tail = " / ".join((done.stdout + done.stderr).strip().splitlines()[-4:])
        raise FetchError(f"pip {args[0]} {args[-1]} failed: {tail}")


def fetch_wheel(requirement: str) -> Path:
    """The wheel for ``requirement`` (``name==version``), downloaded into the cache if missing."""
    name, _, version = requirement.partition("==")
    wheels = cache_dir() / "wheels"
    prefix = f"{name.replace('-', '_').lower()}-{version}-"
    found = sorted(p for p in wheels.glob("*.whl") if p.name.lower().startswith(prefix))
    if not found:
        wheels.mkdir(parents=True, exist_ok=True)
        _pip("download", "--no-deps", "--only-binary=:all:", "-q", "-d", str(wheels), requirement)
        found = sorted(p for p in wheels.glob("*.whl") if p.name.lower().startswith(prefix))
        if not found:
            raise FetchError(f"pip download {requirement} left no wheel in {wheels}")
    return found[-1]


def unpack(wheel: Path) -> Path:
    """The wheel unpacked into the cache (once)."""
    target = cache_dir() / "unpacked" / wheel.stem
    if not (target / ".complete").exists():
        if target.exists():
            shutil.rmtree(target)
        with zipfile.ZipFile(wheel) as zf:
            zf.extractall(target)
        (target / ".complete").write_text(wheel.name)
    return target


def dependency_site(chain: Chain) -> Path:
    """A ``pip install --target`` directory with the chain's import dependencies."""
    key = hashlib.sha1(" ".join(sorted(chain.deps)).encode()).hexdigest()[:10]
    target = cache_dir() / "sites" / f"{sys.version_info[0]}{sys.version_info[1]}-{key}"
    if not (target / ".complete").exists():
        if target.exists():
            shutil.rmtree(target)
        _pip("install", "-q", "--no-deps", "--only-binary=:all:", "--target", str(target), *chain.deps)
        (target / ".complete").write_text(" ".join(chain.deps))
    return target


def full_site(chain: Chain) -> Path:
    """A ``pip install --target`` directory with the package and all its dependencies, less
    :data:`TOOL_OWNED` (installed once per requirement and Python version)."""
    name = chain.requirement.replace("==", "-").lower()
    target = cache_dir() / "sites" / f"{sys.version_info[0]}{sys.version_info[1]}-{name}"
    if not (target / ".complete").exists():
        if target.exists():
            shutil.rmtree(target)
        _pip("install", "-q", "--only-binary=:all:", "--target", str(target), chain.requirement)
        for entry in list(target.iterdir()):
            if entry.name.split("-", 1)[0].split(".", 1)[0].lower() in TOOL_OWNED:
                if entry.is_dir():
                    shutil.rmtree(entry)
                else:
                    entry.unlink()
        (target / ".complete").write_text(chain.requirement)
    return target


def chain_environ(chain: Chain) -> dict[str, str]:
    """The environment variables the chain's revisions need, with their directories created."""
    found = {}
    for key, value in chain.environ:
        if "{cache}" in value:  # a directory of its own in the cache
            value = value.replace("{cache}", str(cache_dir()))
            Path(value).mkdir(parents=True, exist_ok=True)
        found[key] = value
    return found


def project_for(chain: Chain, backend: str | None = None) -> Project:
    """Fetch ``chain`` and describe it as a :class:`~tools.difftest.runner.Project` (for
    ``backend``, when the chain has one revision directory per backend)."""
    extra: list[str] = []
    if chain.full_install:
        root = full_site(chain)
        extra.append(str(root))
    else:
        root = unpack(fetch_wheel(chain.requirement))
    migrations = root / chain.migrations
    versions = migrations / chain.versions_for(backend)
    if not versions.is_dir():
        raise FetchError(f"{chain.requirement}: no {chain.migrations}/{chain.versions_for(backend)}")
    if chain.imports_package and not chain.full_install:
        extra.append(str(root))
    if chain.deps:
        extra.append(str(dependency_site(chain)))
    return Project(
        source=migrations,
        env_file=ENVS / chain.env,
        version_table=chain.version_table,
        extra_paths=tuple(extra),
        label=f"{chain.name} ({chain.requirement}, {chain.migrations})",
        versions_dir=versions,
        environ=tuple(sorted(chain_environ(chain).items())),
    )
