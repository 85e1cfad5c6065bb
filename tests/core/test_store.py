"""The content-addressed archive: one file per content, written atomically and synced."""

from __future__ import annotations

import hashlib
from pathlib import Path

from nianbao.store import BlobStore


def test_put_many_returns_digests_in_order_and_stores_each_content_once(tmp_path):
    store = BlobStore(tmp_path)
    items = [b"first mail", b"second mail", b"first mail"]
    digests = store.put_many(items, ".eml")
    assert digests == [hashlib.sha256(x).hexdigest() for x in items]
    assert [store.get(d, ".eml") for d in digests] == items
    assert sorted(p.name for p in tmp_path.rglob("*.eml")) == sorted({f"{d}.eml" for d in digests})


def test_put_many_leaves_no_temporary_files(tmp_path):
    store = BlobStore(tmp_path)
    store.put_many([b"a", b"b"])
    store.put_many([b"c"])
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]


def test_putting_stored_content_again_changes_nothing(tmp_path):
    store = BlobStore(tmp_path)
    digest, location = store.put(b"workbook")
    path = Path(location)
    before = path.stat().st_mtime_ns
    assert store.put_many([b"workbook"]) == [digest]
    assert path.stat().st_mtime_ns == before


def test_every_new_file_is_synced_before_it_appears(tmp_path, monkeypatch):
    import os

    from nianbao import store as store_mod

    synced = []
    real = os.fsync
    monkeypatch.setattr(store_mod.os, "fsync", lambda fd: (synced.append(fd), real(fd)))
    BlobStore(tmp_path).put_many([b"a", b"b", b"a"], ".eml")
    assert len(synced) == 2  # one per new content, none for the repeat
