"""One intake run at a time per mailbox: a run that finds another still reading the same mailbox (or the
same shard of it) on this machine leaves it alone. Shards are separate mailboxes, so sharded runs go on
side by side; runs on other machines are kept apart by the database's unique keys, as before."""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from nianbao.settings import Settings


def mailbox_key(settings: Settings) -> str:
    """The inbound mailbox as configured (backend, server, account, folder or path), hashed."""
    inbound = settings.mail.inbound.model_dump(mode="json", exclude={"password", "password_block"})
    return hashlib.sha256(repr(sorted(inbound.items())).encode()).hexdigest()[:16]


@contextmanager
def mailbox_lock(settings: Settings) -> Iterator[bool]:
    """Yield True while this process holds the mailbox's lock, False (at once) if another run holds it.
    The lock is the kernel's (flock): a run killed with -9 releases it with its process."""
    folder = settings.data_dir / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    path: Path = folder / f"intake-{mailbox_key(settings)}.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
