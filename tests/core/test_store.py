"""The content-addressed archive: one file per content, written atomically, a batch synced at once."""

from __future__ import annotations

import hashlib

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
    store.put_many([b"a", b"b"], durable=True)
    store.put_many([b"c"], durable=False)
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]


def test_putting_stored_content_again_changes_nothing(tmp_path):
    store = BlobStore(tmp_path)
    digest, path = store.put(b"workbook")
    before = path.stat().st_mtime_ns
    assert store.put_many([b"workbook"]) == [digest]
    assert path.stat().st_mtime_ns == before


def _count_flushes(monkeypatch, syncfs_result: int | None):
    from nianbao import store as store_mod

    calls = {"syncfs": 0, "fsync": 0}
    real_fsync = store_mod.os.fsync

    def syncfs(fd: int) -> int:
        calls["syncfs"] += 1
        return syncfs_result

    def fsync(fd: int) -> None:
        calls["fsync"] += 1
        real_fsync(fd)

    monkeypatch.setattr(store_mod, "_SYNCFS", syncfs if syncfs_result is not None else None)
    monkeypatch.setattr(store_mod.os, "fsync", fsync)
    return calls


def test_a_large_batch_is_flushed_once(tmp_path, monkeypatch):
    calls = _count_flushes(monkeypatch, 0)
    BlobStore(tmp_path).put_many([f"mail {i}".encode() for i in range(20)], ".eml")
    assert calls == {"syncfs": 1, "fsync": 0}


def test_a_small_batch_is_fsynced_file_by_file(tmp_path, monkeypatch):
    calls = _count_flushes(monkeypatch, 0)
    BlobStore(tmp_path).put_many([b"one", b"two"], ".eml")
    assert calls == {"syncfs": 0, "fsync": 2}


def test_a_failed_file_system_flush_falls_back_to_fsync_per_file(tmp_path, monkeypatch):
    calls = _count_flushes(monkeypatch, -1)
    store = BlobStore(tmp_path)
    digests = store.put_many([f"mail {i}".encode() for i in range(10)], ".eml")
    assert calls == {"syncfs": 1, "fsync": 10}
    assert store.get(digests[3], ".eml") == b"mail 3"


def test_the_real_file_system_flush_is_found_on_linux():
    import sys

    from nianbao import store as store_mod

    assert (store_mod._SYNCFS is not None) == sys.platform.startswith("linux")
