"""The migration lock: one run at a time changes a version table, from every replica.

``guard.py`` wraps every online run that may change the version table (``run_migrations``,
``stamp``): the fast path, taking the lock, reading again under it, statement timeouts and their
retries. ``holding.py`` owns the state of the locks this process holds (waiting, reporting,
releasing once the run's transaction has ended); ``choice.py`` picks the kind of lock;
``session_lock.py`` (the database's own named lock on a connection of its own), ``file_lock.py``
(SQLite) and ``lease.py`` (a lease row, behind a transaction pooler) are the kinds;
``settings.py`` reads the keys; ``timeouts.py`` sets ``lock_timeout``/``statement_timeout``. How
each database spells its part is in ``ddl/lock_sql.py`` and ``ddl/<dialect>_lock.py``.
"""
