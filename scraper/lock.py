"""One scheduled run at a time per database: an exclusive ``flock`` on ``<db>.lock``.

The kernel drops the lock when the holder dies, however it dies (SIGKILL, OOM), so a crashed run
never leaves a stale lock behind. The file holds the holder's pid, for the message a second run
prints. The crawl process started by ``run_crawl`` is handed the lock's descriptor
(:meth:`RunLock.fileno`), so a parent killed alone does not free it while its crawl still writes.
"""

from __future__ import annotations

import errno
import fcntl
import os
from pathlib import Path
from types import TracebackType


class AlreadyRunning(RuntimeError):
    """Another run holds the lock on this database."""

    def __init__(self, lock_path: Path, holder: str | None):
        self.lock_path = lock_path
        self.holder = holder
        who = f" (pid {holder})" if holder else ""
        super().__init__(f"another majobs run is using this database{who}; lock file {lock_path}")


def lock_path_for(db_path: str | Path) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".lock")


class RunLock:
    """``with RunLock(db_path): ...`` — raises :class:`AlreadyRunning` at once if taken."""

    def __init__(self, db_path: str | Path):
        self.path = lock_path_for(db_path)
        self._fd: int | None = None

    def acquire(self) -> RunLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or None
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise AlreadyRunning(self.path, holder) from None
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        self._fd = fd
        return self

    def fileno(self) -> int:
        if self._fd is None:
            raise ValueError("lock not held")
        return self._fd

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()
