"""Content-addressed file store: raw mail and workbooks kept by sha256, never by the sender's name."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


class BlobStore:
    def __init__(self, root: Path):
        self.root = root

    def path_for(self, digest: str, suffix: str = "") -> Path:
        return self.root / digest[:2] / f"{digest}{suffix}"

    def put(self, data: bytes, suffix: str = "", durable: bool = True) -> tuple[str, Path]:
        """Store ``data`` (atomic rename; fsync unless it can be derived again from a durable blob, like an
        attachment from its archived mail) and return (sha256, path). Idempotent."""
        digest = hashlib.sha256(data).hexdigest()
        path = self.path_for(digest, suffix)
        if path.exists():
            return digest, path
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
        return digest, path

    def get(self, digest: str, suffix: str = "") -> bytes:
        return self.path_for(digest, suffix).read_bytes()
