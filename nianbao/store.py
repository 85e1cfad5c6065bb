"""Content-addressed file store: raw mail and workbooks kept by sha256, never by the sender's name."""

from __future__ import annotations

import hashlib
import os
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
        """Store every item and return their sha256s, each synced to disk before it is renamed into place."""
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
            _flush(list(pending.values()))
        for path, tmp in pending.items():
            os.replace(tmp, path)
        return digests

    def get(self, digest: str, suffix: str = "") -> bytes:
        return self.path_for(digest, suffix).read_bytes()

    def exists(self, digest: str, suffix: str = "") -> bool:
        return self.path_for(digest, suffix).exists()


def _flush(files: list[Path]) -> None:
    """Make ``files`` durable before they are renamed into place."""
    for tmp in files:
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
