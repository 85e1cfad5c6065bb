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
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
            tmp.write_bytes(data)
            pending[path] = tmp
        if durable:
            for tmp in pending.values():
                fd = os.open(tmp, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
        for path, tmp in pending.items():
            os.replace(tmp, path)
        return digests

    def get(self, digest: str, suffix: str = "") -> bytes:
        return self.path_for(digest, suffix).read_bytes()
