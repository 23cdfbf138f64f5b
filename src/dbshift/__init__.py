"""dbshift: database schema migrations for SQLAlchemy, compatible with Alembic projects."""

__version__ = "0.1.0"
