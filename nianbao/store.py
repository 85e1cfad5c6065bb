"""Content-addressed file store: raw mail and workbooks kept by sha256, never by the sender's name."""

from __future__ import annotations

import ctypes
import hashlib
import os
import sys
import threading
from collections.abc import Iterable
from pathlib import Path


class BlobStore:
    def __init__(self, root: Path):
        self.root = root

    def path_for(self, digest: str, suffix: str = "") -> Path:
        return self.root / digest[:2] / f"{digest}{suffix}"

    def put(self, data: bytes, suffix: str = "", durable: bool = True) -> tuple[str, Path]:
        """Store ``data`` (atomic rename; fsync unless it can be derived again from a durable blob, like an
        attachment from its archived mail) and return (sha256, path). Idempotent."""
        digest = self.put_many([data], suffix, durable)[0]
        return digest, self.path_for(digest, suffix)

    def put_many(self, items: Iterable[bytes], suffix: str = "", durable: bool = True) -> list[str]:
        """Store every item and return their sha256s. All files are written before any is synced, so a
        batch costs the disk one flush rather than one per file."""
        digests: list[str] = []
        pending: dict[Path, Path] = {}
        for data in items:
            digest = hashlib.sha256(data).hexdigest()
            digests.append(digest)
            path = self.path_for(digest, suffix)
            if path in pending or path.exists():
                continue
            tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
            try:  # the folder usually exists: a mkdir per file would be a syscall per mail
                tmp.write_bytes(data)
            except FileNotFoundError:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp.write_bytes(data)
            pending[path] = tmp
        if durable and pending:
            _flush(self.root, list(pending.values()))
        for path, tmp in pending.items():
            os.replace(tmp, path)
        return digests

    def get(self, digest: str, suffix: str = "") -> bytes:
        return self.path_for(digest, suffix).read_bytes()


# Below this many files one fsync each is cheaper than flushing the whole file system.
SYNCFS_FROM = 8


def _syncfs() -> object | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None


_SYNCFS = _syncfs()


def _flush(root: Path, files: list[Path]) -> None:
    """Make ``files`` durable before they are renamed into place. On Linux a batch is flushed with one
    syncfs(2) (measured here: ~0.06 ms a file against ~0.26 ms for fsync after fsync, each of which waits
    for its own journal commit); elsewhere, or when it fails, each file is fsynced."""
    if _SYNCFS is not None and len(files) >= SYNCFS_FROM:
        fd = os.open(root, os.O_RDONLY)
        try:
            if _SYNCFS(fd) == 0:
                return
        finally:
            os.close(fd)
    for tmp in files:
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
