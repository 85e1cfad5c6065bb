"""Content-addressed file store: raw mail and workbooks kept by sha256, never by the sender's name;
and the outputs (templates, drafts) an administrator opens.

Both live under one URL (`NIANBAO_STORE_URL`): a local or shared folder by default
(`$NIANBAO_DATA`), or any fsspec URL — `s3://bucket/nianbao` for object storage — so that several
machines share one archive: a workbook held by the intake on one machine is released from another,
and a draft made on one is found from every other. A local folder is written with an atomic rename
after an fsync; an object store writes each object whole. A local write that fails (a full disk) raises
`CannotWrite` naming the path and leaves no temporary file."""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterable
from pathlib import Path

import fsspec

from nianbao.errors import CannotWrite


class BlobStore:
    def __init__(self, url: str | Path):
        self.url = str(url).rstrip("/")
        self.fs, self.root = fsspec.core.url_to_fs(self.url)
        self.local = _is_local(self.fs)

    def _key(self, digest: str, suffix: str = "") -> str:
        return f"{self.root}/{digest[:2]}/{digest}{suffix}"

    def path_for(self, digest: str, suffix: str = "") -> Path:
        """Where a local store keeps a blob (for the administrator to open)."""
        return Path(self._key(digest, suffix))

    def location(self, digest: str, suffix: str = "") -> str:
        """A path (local store) or URL (object store) an administrator can open the blob at."""
        key = self._key(digest, suffix)
        return key if self.local else self.fs.unstrip_protocol(key)

    def download_url(self, digest: str, suffix: str = "", seconds: int = 86400) -> str | None:
        """A link anyone holding it can download the blob from for ``seconds`` (a presigned URL on S3);
        None where the store cannot serve one (a folder: its path means nothing in a browser)."""
        if self.local:
            return None
        try:
            return self.fs.sign(self._key(digest, suffix), expiration=seconds)
        except NotImplementedError:
            return None

    def put(self, data: bytes, suffix: str = "") -> tuple[str, str]:
        """Store ``data`` and return (sha256, location). Idempotent."""
        digest = self.put_many([data], suffix)[0]
        return digest, self.location(digest, suffix)

    def put_many(self, items: Iterable[bytes], suffix: str = "") -> list[str]:
        """Store every item and return their sha256s; each is durable before it appears."""
        digests: list[str] = []
        done: set[str] = set()
        for data in items:
            digest = hashlib.sha256(data).hexdigest()
            digests.append(digest)
            key = self._key(digest, suffix)
            if key in done:
                continue
            done.add(key)
            if self.local:
                _write_local(Path(key), data)
            elif not self.fs.exists(key):
                self.fs.pipe_file(key, data)
        return digests

    def get(self, digest: str, suffix: str = "") -> bytes:
        return self.fs.cat_file(self._key(digest, suffix))

    def exists(self, digest: str, suffix: str = "") -> bool:
        return self.fs.exists(self._key(digest, suffix))


class Outputs:
    """Files an administrator opens (templates, drafts, disclosures): written under the store's
    `outputs/` and, when the store is remote, also in this machine's `$NIANBAO_DATA/outputs` copy."""

    def __init__(self, url: str | Path, local: Path):
        self.url, self.local_root = str(url).rstrip("/"), local
        self.fs, self.root = fsspec.core.url_to_fs(self.url)
        self.remote = not _is_local(self.fs)

    def write(self, relative: str, data: bytes) -> Path:
        """Write ``relative`` (e.g. "2026/draft/报告.docx"); return the local path of the copy."""
        path = self.local_root / relative
        write_file(path, data, durable=False)  # made again from the database if a crash loses it
        if self.remote:
            self.fs.pipe_file(f"{self.root}/{relative}", data)
        return path

    def download_url(self, relative: str, seconds: int = 86400) -> str | None:
        """A browser link to an output (a presigned URL on S3); None where the store cannot serve one."""
        if not self.remote:
            return None
        try:
            return self.fs.sign(f"{self.root}/{relative}", expiration=seconds)
        except NotImplementedError:
            return None

    def location(self, relative: str) -> str:
        return self.fs.unstrip_protocol(f"{self.root}/{relative}") if self.remote else str(self.local_root / relative)

    def read(self, relative: str) -> bytes:
        return self.fs.cat_file(f"{self.root}/{relative}") if self.remote else (self.local_root / relative).read_bytes()


def _is_local(fs: fsspec.AbstractFileSystem) -> bool:
    from fsspec.implementations.local import LocalFileSystem

    return isinstance(fs, LocalFileSystem)


def _write_local(path: Path, data: bytes) -> None:
    """Atomic and durable (a crash leaves either nothing or the whole file); a blob is never rewritten."""
    if not path.exists():
        write_file(path, data)


def write_file(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write ``path`` whole or not at all: a temporary file beside it (synced when ``durable``), renamed
    into place. On any failure the temporary file is removed and `CannotWrite` names ``path``."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        try:  # the folder usually exists: a mkdir per file would be a syscall per mail
            fh = open(tmp, "wb")
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
            fh = open(tmp, "wb")
        with fh:
            fh.write(data)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        raise CannotWrite(path, exc) from exc
