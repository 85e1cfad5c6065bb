"""Where mails are archived and prepared (parsed, workbooks read and identified): in this process, or,
for a big inbox, in a few worker processes while this one stores the previous batch.

Reading is pure CPU work and the GIL would serialise it in threads. Workers are spawned, never forked:
a flow run has threads (Prefect's API client, log handlers) whose locks a fork would copy mid-use."""

from __future__ import annotations

import functools
import gc
import multiprocessing
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Protocol

from nianbao.cityconfig import CityConfig
from nianbao.stages.prepare import PreparedMail, prepare_mail
from nianbao.store import BlobStore

Item = tuple["str | None", bytes]  # mailbox key, raw mail


def archive_and_prepare(store: BlobStore, config: CityConfig, key: bytes, items: list[Item],
                        careful: bool = False) -> list[PreparedMail]:
    """Archive the raw mails (synced to disk) before anything parses them, then prepare each. The
    workbooks are not stored apart: the archived mail holds them (`stages.archived.workbook_bytes`), and
    a second file per mail cost the intake more than reading it."""
    shas = store.put_many([data for _, data in items], ".eml")
    mails = [prepare_mail(config, key, data, sha, src, careful) for (src, data), sha in zip(items, shas)]
    for m in mails:
        for b in m.workbooks:
            b.data = None
    return mails


class Pending(Protocol):
    def result(self) -> list[PreparedMail]: ...


class Preparer(Protocol):
    def submit(self, items: list[Item]) -> Pending: ...

    def close(self) -> None: ...


class InProcess:
    def __init__(self, store: BlobStore, config: CityConfig, key: bytes):
        self.store, self.config, self.key = store, config, key

    def submit(self, items: list[Item]) -> Pending:
        done: Future[list[PreparedMail]] = Future()
        done.set_result(archive_and_prepare(self.store, self.config, self.key, items))
        return done

    def close(self) -> None:
        pass


_WORKER: tuple[BlobStore, CityConfig, bytes] | None = None


def _init(store: BlobStore, config: CityConfig, key: bytes) -> None:
    global _WORKER
    _WORKER = (store, config, key)
    gc.freeze()  # the config (thousands of units) lives as long as the worker: never scan it again


def _prepare_chunk(items: list[Item]) -> list[PreparedMail]:
    assert _WORKER is not None
    return archive_and_prepare(*_WORKER, items)


class _Joined:
    """A batch's chunks; if a worker died (a native reader crashing on a hostile file), the batch is
    prepared again in this process with the careful parser alone, so the run goes on instead of failing
    on every retry, and whatever killed the worker cannot kill this process too."""

    def __init__(self, parts: list[Future[list[PreparedMail]]], redo: Callable[[], list[PreparedMail]]):
        self.parts, self.redo = parts, redo

    def result(self) -> list[PreparedMail]:
        try:
            return [m for part in self.parts for m in part.result()]
        except BrokenProcessPool:
            return self.redo()


class InWorkers:
    """A bounded pool: ``processes`` workers, each given a contiguous chunk of every batch."""

    def __init__(self, store: BlobStore, config: CityConfig, key: bytes, processes: int):
        self.processes, self.args = processes, (store, config, key)
        self.pool = ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_init, initargs=self.args)

    def submit(self, items: list[Item]) -> Pending:
        redo = functools.partial(archive_and_prepare, *self.args, items, careful=True)
        size = -(-len(items) // self.processes)
        try:
            return _Joined([self.pool.submit(_prepare_chunk, items[i:i + size])
                            for i in range(0, len(items), size)], redo)
        except BrokenProcessPool:  # it broke on an earlier batch: this one is read here, carefully too
            done: Future[list[PreparedMail]] = Future()
            done.set_result(redo())
            return done

    def close(self) -> None:
        self.pool.shutdown(cancel_futures=True)
