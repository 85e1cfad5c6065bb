"""Where untrusted bytes are parsed: child processes with a memory limit (RLIMIT_AS), a time budget per
mail, and no way to outlive the intake that started them.

Everything a sender controls — the mail's structure and headers, its zip files, its workbooks — is
parsed here, never in the intake's own process: the standard library's parsers are correct but not
hardened (deep nesting, super-linear headers), and calamine is native code that aborts the process
when a crafted file makes it allocate too much. A child that dies or runs out of time costs one mail:
the chunk it was in is read again mail by mail, the mail that killed it once more with the careful
reader alone, and if that fails too the mail is answered as unreadable. Pebble's process pool gives
per-task timeouts and replaces a dead worker; workers are spawned, never forked (a flow run has
threads whose locks a fork would copy mid-use)."""

from __future__ import annotations

import atexit
import hashlib
import multiprocessing
import os
import pickle
import resource
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, fields
from itertools import islice
from pathlib import Path
from typing import Any

from pebble import ProcessExpired, ProcessPool

from nianbao.cityconfig import CityConfig
from nianbao.intake.prepare import PreparedMail, prepare_head, prepare_safely
from nianbao.mail.auth import Trust
from nianbao.mail.inbox_types import HEAD_BYTES

Item = tuple["str | None", str, bytes, bool]  # mailbox key, sha256 of the archived mail, bytes, whole?
CHUNK = 16  # mails per task: fewer round trips (each costs the parent GIL time), and a failed chunk is
# only sixteen mails to re-read alone
# A child that died (ProcessExpired), ran out of time, or failed in any other way on these bytes: the
# mails are read again one by one, so the failure ends up with the one mail that caused it.
_FAILED = (ProcessExpired, FutureTimeout, Exception)


@dataclass(frozen=True)
class Limits:
    processes: int = 2
    memory_mb: int = 1536  # address space of a child: a real workbook needs a few tens of MB
    seconds_per_mail: float = 30.0


_CONFIG: CityConfig | None = None


def _watch(parent: int) -> None:
    """Exit as soon as the intake is gone (even SIGKILLed): the child is then re-parented."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def _init(config: CityConfig, memory_mb: int, parent: int) -> None:
    global _CONFIG
    _CONFIG = config
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # an abort leaves no multi-GB core file behind
    os.environ["RUST_BACKTRACE"] = "0"  # a native reader's abort is expected here: one line, not a page
    threading.Thread(target=_watch, args=(parent,), daemon=True).start()


def _prepare(key: bytes, items: list[Item], careful: bool, trust: Trust) -> list[PreparedMail]:
    assert _CONFIG is not None
    return [prepare_safely(_CONFIG, key, item, careful, trust) for item in items]


def _call(fn: Callable[..., Any], *args: Any) -> Any:
    return fn(_CONFIG, *args)


class Batch:
    """A batch's mails being prepared; `result()` waits and settles any chunk whose child failed."""

    def __init__(self, box: Sandbox, key: bytes, trust: Trust, parts: list[tuple[list[Item], Any]]):
        self.box, self.key, self.trust, self.parts = box, key, trust, parts

    def result(self) -> list[PreparedMail]:
        out: list[PreparedMail] = []
        for items, future in self.parts:
            try:
                out += future.result()
            except _FAILED:
                out += [self.box.prepare_one(self.key, item, self.trust) for item in items]
        return out


class Sandbox:
    def __init__(self, config: CityConfig, limits: Limits):
        self.config, self.limits = config, limits
        self.pool = ProcessPool(max_workers=limits.processes, initializer=_init,
                                initargs=(config, limits.memory_mb, os.getpid()),
                                context=multiprocessing.get_context("spawn"))

    def prepare(self, key: bytes, items: Iterable[Item], trust: Trust = Trust()) -> Batch:
        """Start preparing ``items`` in chunks, on every child, each chunk as soon as ``items`` yields it;
        return once all are scheduled."""
        parts = []
        items = iter(items)
        while chunk := list(islice(items, CHUNK)):
            parts.append((chunk, self.pool.schedule(_prepare, (key, chunk, False, trust),
                                                    timeout=self.limits.seconds_per_mail * len(chunk))))
        return Batch(self, key, trust, parts)

    def prepare_one(self, key: bytes, item: Item, trust: Trust = Trust()) -> PreparedMail:
        """One mail alone; if its child fails, once more with the careful reader; then unreadable."""
        for careful in (False, True):
            try:
                return self._run(_prepare, key, [item], careful, trust)[0]
            except _FAILED as exc:
                reason = f"{type(exc).__name__}: {exc}"[:500]
        try:  # only the header block, to know whom to answer
            source_key, sha, data, _ = item
            return self._run(_head, data[:HEAD_BYTES], sha, source_key, reason)
        except _FAILED:
            return prepare_head(b"", item[1], item[0], "unreadable", reason)

    def call(self, fn: Callable[..., Any], *args: Any, seconds: float | None = None) -> Any:
        """``fn(config, *args)`` in a child (module-level ``fn``); a dead or slow child raises
        SandboxFailed."""
        try:
            return self.pool.schedule(_call, (fn, *args), timeout=seconds or self.limits.seconds_per_mail).result()
        except _FAILED as exc:
            raise SandboxFailed(f"{type(exc).__name__}: {exc}") from None

    def _run(self, fn: Callable[..., Any], *args: Any) -> Any:
        return self.pool.schedule(fn, args, timeout=self.limits.seconds_per_mail).result()

    def close(self) -> None:
        self.pool.stop()
        self.pool.join(timeout=10)


class SandboxFailed(Exception):
    """A child process died or ran out of time on the bytes it was given."""


def _head(head: bytes, sha: str, source_key: str | None, reason: str) -> PreparedMail:
    return prepare_head(head, sha, source_key, "unreadable", reason)


_OPEN: dict[tuple, Sandbox] = {}
_LOCK = threading.Lock()


def fingerprint(config: CityConfig) -> str:
    """Equal for equal configurations, however they were built (loaded twice, or replaced in a test). The
    folder counts only when it holds work plan task files: the children read config/tasks/ from it."""
    state = {f.name: getattr(config, f.name) for f in fields(config) if f.name != "root"}
    state["tasks"] = str(config.root) if (Path(config.root) / "tasks").is_dir() else None
    return hashlib.sha256(pickle.dumps(state)).hexdigest()


def sandbox_for(config: CityConfig, limits: Limits) -> Sandbox:
    """The process's sandbox for this configuration, started on first use and kept for the next run
    (starting children costs ~0.5 s); a different configuration replaces it. The same configuration
    object is recognised without fingerprinting it (a province's takes ~35 ms to pickle)."""
    with _LOCK:
        for (_, lim), box in _OPEN.items():
            if lim == limits and box.config is config:
                return box
        key = (fingerprint(config), limits)
        box = _OPEN.get(key)
        if box is None:
            for old in _OPEN.values():
                old.close()
            _OPEN.clear()
            box = _OPEN[key] = Sandbox(config, limits)
        box.config = config
        return box


@atexit.register
def close_all() -> None:
    with _LOCK:
        for box in _OPEN.values():
            box.close()
        _OPEN.clear()
