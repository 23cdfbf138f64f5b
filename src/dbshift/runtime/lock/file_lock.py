"""The migration lock of a SQLite database: an exclusive lock on a file next to it.

SQLite has no lock a second session could hold while the migration connection writes, so the
processes that migrate one database file meet at ``<database>.<version table>.lock`` beside it:
``flock`` on POSIX, ``msvcrt.locking`` on Windows, tried without blocking (the runtime polls).
The operating system drops the lock when the holder's process ends, however it ends, so a killed
holder leaves nothing to clean up; the file itself stays (deleting it would let a waiter that
opened the old file and a newcomer that made a new one both "hold" it). The holder writes who it
is into the file, after a first byte that the Windows lock covers, for waiters to report.
"""

from __future__ import annotations

import os
import socket
import time

from ...util.exc import CommandError

__all__ = ["FileLock", "lock_file_path"]

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


def lock_file_path(database_file: str, schema: str | None, table: str) -> str:
    """``<database file>.<[schema.]table>.lock``: one lock per database and version table."""
    return f"{database_file}.{schema + '.' if schema else ''}{table}.lock"


class FileLock:
    """An exclusive, non-blocking lock on one file, held by this process."""

    kind = "lock file"
    #: No connection of its own: the version table is read on the migration connection.
    side_connection = None

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        """Take the lock if no other process holds it; True when taken."""
        if self._fd is None:
            try:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
            except OSError as err:
                raise CommandError(
                    f"cannot open the migration lock file {self.path}: {err.strerror}; make its "
                    "directory writable, or set migration_lock = false"
                ) from err
        if not _lock(self._fd):
            return False
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
        note = f"pid {os.getpid()} on {socket.gethostname()} since {stamp} UTC"
        os.ftruncate(self._fd, 1)
        if hasattr(os, "pwrite"):
            os.pwrite(self._fd, note.encode("utf-8"), 1)
        else:  # pragma: no cover - Windows
            _write_at(self._fd, note.encode("utf-8"))
        return True

    def holder(self) -> str | None:
        """What the holder wrote into the file (pid, host, since when)."""
        try:
            with open(self.path, "rb") as fh:
                fh.seek(1)
                text = fh.read(512).decode("utf-8", "replace").strip()
        except OSError:
            return None
        return text or None

    def release(self) -> None:
        """Unlock and close; the file stays."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            os.ftruncate(fd, 0)
            _unlock(fd)
        finally:
            os.close(fd)

    def close(self) -> None:
        """Close without having held the lock."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)


def _lock(fd: int) -> bool:
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True
    import msvcrt  # pragma: no cover - Windows

    os.lseek(fd, 0, os.SEEK_SET)  # pragma: no cover
    try:  # pragma: no cover
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
    except OSError:  # pragma: no cover
        return False
    return True  # pragma: no cover


def _unlock(fd: int) -> None:
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return
    import msvcrt  # pragma: no cover - Windows

    os.lseek(fd, 0, os.SEEK_SET)  # pragma: no cover
    msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]  # pragma: no cover


def _write_at(fd: int, data: bytes) -> None:  # pragma: no cover - Windows has no pwrite
    os.lseek(fd, 1, os.SEEK_SET)
    os.write(fd, data)
