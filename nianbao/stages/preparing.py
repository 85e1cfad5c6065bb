"""Where mails are prepared (parsed, workbooks read and identified): in this process, or, for a big
inbox, in a few worker processes while this one archives and stores the previous batch.

Reading is pure CPU work and the GIL would serialise it in threads. Workers are spawned, never forked:
a flow run has threads (Prefect's API client, log handlers) whose locks a fork would copy mid-use."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Protocol

from nianbao.cityconfig import CityConfig
from nianbao.stages.prepare import PreparedMail, prepare_mail

Item = tuple[bytes, str, "str | None"]  # raw mail, its archive sha256, its mailbox key


class Pending(Protocol):
    def result(self) -> list[PreparedMail]: ...


class Preparer(Protocol):
    def submit(self, items: list[Item]) -> Pending: ...

    def close(self) -> None: ...


class InProcess:
    def __init__(self, config: CityConfig, key: bytes):
        self.config, self.key = config, key

    def submit(self, items: list[Item]) -> Pending:
        done: Future[list[PreparedMail]] = Future()
        done.set_result([prepare_mail(self.config, self.key, data, sha, src) for data, sha, src in items])
        return done

    def close(self) -> None:
        pass


_WORKER: tuple[CityConfig, bytes] | None = None


def _init(config: CityConfig, key: bytes) -> None:
    global _WORKER
    _WORKER = (config, key)


def _prepare_chunk(items: list[Item]) -> list[PreparedMail]:
    assert _WORKER is not None
    config, key = _WORKER
    return [prepare_mail(config, key, data, sha, src) for data, sha, src in items]


class _Joined:
    def __init__(self, parts: list[Future[list[PreparedMail]]]):
        self.parts = parts

    def result(self) -> list[PreparedMail]:
        return [m for part in self.parts for m in part.result()]


class InWorkers:
    """A bounded pool: ``processes`` workers, each given a contiguous chunk of every batch."""

    def __init__(self, config: CityConfig, key: bytes, processes: int):
        self.processes = processes
        self.pool = ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_init, initargs=(config, key))

    def submit(self, items: list[Item]) -> Pending:
        size = -(-len(items) // self.processes)
        return _Joined([self.pool.submit(_prepare_chunk, items[i:i + size]) for i in range(0, len(items), size)])

    def close(self) -> None:
        self.pool.shutdown(cancel_futures=True)
