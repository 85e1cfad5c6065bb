"""Where untrusted bytes are parsed: child processes with a memory limit (RLIMIT_AS), a time budget per
mail, and no way to outlive the intake that started them.

Everything a sender controls — the mail's structure and headers, its zip files, its workbooks — is
parsed here, never in the intake's own process: the standard library's parsers are correct but not
hardened (deep nesting, super-linear headers), and calamine is native code that aborts the process
when a crafted file makes it allocate too much. Each mail is a task of its own with its own budget, so
a mail that needs its whole budget delays only the mails queued behind it on that one child. A mail
whose task fails (its child died, its budget ran out, or it raised) is read once more with the careful
reader, then from its header block alone to know whom to answer; it is never read the same way twice.
Results come out as they finish (`Reading.finished`), in any order. Pebble's process pool gives
per-task timeouts and replaces a dead worker; workers come from a fork server, never forked from the
intake itself (a flow run has threads whose locks a fork would copy mid-use)."""

from __future__ import annotations

import atexit
import ctypes
import hashlib
import multiprocessing
import os
import pickle
import resource
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from pebble import ProcessExpired, ProcessPool

from nianbao.cityconfig import CityConfig
from nianbao.intake.prepare import PreparedMail, prepare_head, prepare_safely
from nianbao.mail.auth import Trust
from nianbao.mail.inbox_types import HEAD_BYTES

Item = tuple["str | None", str, bytes, bool]  # mailbox key, sha256 of the archived mail, bytes, whole?
# A child that died (ProcessExpired), ran out of time, or failed in any other way on these bytes.
_FAILED = (ProcessExpired, FutureTimeout, Exception)
FAST, CAREFUL, HEAD = 0, 1, 2  # the ways a mail is read, each at most once, in this order


@dataclass(frozen=True)
class Limits:
    processes: int = 2
    memory_mb: int = 640  # hard cap of a child's address space; each mail's own limit is below (`_limit_for`)
    seconds_per_mail: float = 30.0
    # What a child runs on one mail (a module-level function with prepare_safely's signature); tests
    # pass a slower one to play a mail that takes its whole budget.
    reader: Callable[..., PreparedMail] = prepare_safely


_CONFIG: CityConfig | None = None


def _watch(parent: int) -> None:
    """Exit as soon as the intake is gone (even SIGKILLed): its fork server then exits, and the child
    is re-parented."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def unmap_big_buffers() -> None:
    """Big buffers (a mail's bytes) mmapped and unmapped when freed, so a process shrinks after a big
    mail: glibc otherwise raises its mmap threshold to the largest buffer freed and keeps the next ones
    in its heap. In the intake's own process too: 40 mails of 29.8 MB peaked it at 275 MB, now 186 MB."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(M_MMAP_THRESHOLD, 1024 * 1024)
        libc.mallopt(M_TRIM_THRESHOLD, 64 * MB)  # fixing the first fixes this one at 128 KB: a trim a free
    except (OSError, AttributeError):  # not glibc
        pass


def _init(config: CityConfig, memory_mb: int) -> None:
    global _CONFIG, _CAP
    _CONFIG, _CAP = config, memory_mb * MB
    resource.setrlimit(resource.RLIMIT_AS, (_CAP, _CAP))
    unmap_big_buffers()
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # an abort leaves no multi-GB core file behind
    os.environ["RUST_BACKTRACE"] = "0"  # a native reader's abort is expected here: one line, not a page
    threading.Thread(target=_watch, args=(os.getppid(),), daemon=True).start()


MB = 1024 * 1024
M_MMAP_THRESHOLD, M_TRIM_THRESHOLD = -3, -1
# A child's address space while it reads one mail (RLIMIT_AS, lowered and raised per task under the hard
# cap `Limits.memory_mb`): what the largest real workbook needs (measured 181 MB) plus a margin, and ten
# times the mail's size (a 29 MB mail measured 370 MB). So a small hostile file ends its child at ~300 MB
# while a real mail up to the size limit still fits; two big mails are never read at once (intake.run).
BASE_MB = 288
PER_MAIL_BYTE = 10
_CAP = 0


def _vm_size() -> int:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * resource.getpagesize()
    except OSError:
        return 0


def _limit_for(size: int | None) -> None:
    """This task's address-space limit: for a mail of ``size`` bytes, or the cap (None); never below
    what the child already holds plus some room."""
    need = _CAP if size is None else min(_CAP, BASE_MB * MB + PER_MAIL_BYTE * size)
    soft = min(_CAP, max(need, _vm_size() + 32 * MB))
    resource.setrlimit(resource.RLIMIT_AS, (soft, _CAP))


def _prepare(reader: Callable[..., PreparedMail], key: bytes, item: Item, careful: bool, trust: Trust) -> PreparedMail:
    assert _CONFIG is not None
    _limit_for(len(item[2]))
    try:
        return reader(_CONFIG, key, item, careful, trust)
    finally:
        if len(item[2]) > BIG_MAIL:
            _trim()


BIG_MAIL = 1024 * 1024  # after a mail this large, the child hands its freed memory back to the system
_LIBC: Any = None


def _trim() -> None:
    """glibc keeps freed memory for reuse; after a big mail that would leave an idle child holding
    hundreds of MB. malloc_trim(0) returns the free pages (a few ms, so only after big mails)."""
    global _LIBC
    try:
        _LIBC = _LIBC or ctypes.CDLL("libc.so.6")
        _LIBC.malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to trim
        pass


def _head(head: bytes, sha: str, source_key: str | None, reason: str) -> PreparedMail:
    _limit_for(len(head))
    return prepare_head(head, sha, source_key, "unreadable", reason)


def _call(fn: Callable[..., Any], *args: Any) -> Any:
    _limit_for(None)
    return fn(_CONFIG, *args)


def _context() -> multiprocessing.context.BaseContext:
    """Children forked from a fork server that has imported the readers once: a child that replaces
    one killed by its budget starts in ~0.1 s, not the ~2 s a spawned interpreter takes to import
    them. The server is a clean single-threaded process, so nothing of a flow run's threads is copied."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["nianbao.intake.prepare", "nianbao.workbook.calamine", "python_calamine"])
    return ctx


@dataclass
class _Task:
    tag: Any  # the caller's name for the mail
    item: Item
    way: int = FAST
    reason: str = ""


class Reading:
    """Mails being prepared, each a task with its own budget. `add` schedules a mail; `finished` hands
    back the mails done so far, in the order they finish; a failed task is rescheduled the next way."""

    def __init__(self, box: Sandbox, key: bytes, trust: Trust):
        self.box, self.key, self.trust = box, key, trust
        self.running: dict[Future, _Task] = {}
        self.bytes = 0  # of the mails in flight, for the caller's memory bound

    def __len__(self) -> int:
        return len(self.running)

    def add(self, tag: Any, item: Item) -> None:
        self.bytes += len(item[2])
        self._schedule(_Task(tag, item))

    def _schedule(self, t: _Task) -> None:
        source_key, sha, data, _ = t.item
        if t.way == HEAD:  # only the header block, to know whom to answer
            fn, args = _head, (data[:HEAD_BYTES], sha, source_key, t.reason)
        else:
            fn, args = _prepare, (self.box.limits.reader, self.key, t.item, t.way == CAREFUL, self.trust)
        self.running[self.box.pool.schedule(fn, args, timeout=self.box.limits.seconds_per_mail)] = t

    def finished(self, timeout: float | None = None) -> list[tuple[Any, PreparedMail]]:
        """Wait up to ``timeout`` seconds for at least one mail to be done; return every mail done."""
        done, _ = wait(list(self.running), timeout=timeout, return_when=FIRST_COMPLETED)
        out = []
        for future in done:
            t = self.running.pop(future)
            try:
                out.append((t.tag, future.result()))
            except _FAILED as exc:
                if t.way == FAST:
                    t.reason = f"{type(exc).__name__}: {exc}"[:500]
                if t.way == HEAD:  # not even its header block: nobody can be answered
                    out.append((t.tag, prepare_head(b"", t.item[1], t.item[0], "unreadable", t.reason)))
                else:
                    t.way += 1
                    self._schedule(t)
                    continue
            self.bytes -= len(t.item[2])
        return out

    def cancel(self) -> list[Any]:
        """Stop every mail still in flight (a running child is killed and replaced); their tags."""
        for future in self.running:
            future.cancel()
        tags = [t.tag for t in self.running.values()]
        self.running.clear()
        self.bytes = 0
        return tags


class Sandbox:
    def __init__(self, config: CityConfig, limits: Limits):
        self.config, self.limits = config, limits
        unmap_big_buffers()  # the intake's process holds each mail's bytes too
        self.pool = ProcessPool(max_workers=limits.processes, initializer=_init,
                                initargs=(config, limits.memory_mb), context=_context())

    def reading(self, key: bytes, trust: Trust = Trust()) -> Reading:
        return Reading(self, key, trust)

    def prepare_all(self, key: bytes, items: list[Item], trust: Trust = Trust()) -> list[PreparedMail]:
        """Every item prepared (whatever its fate), in the items' order."""
        reading = self.reading(key, trust)
        for n, item in enumerate(items):
            reading.add(n, item)
        out: dict[int, PreparedMail] = {}
        while reading:
            out.update(reading.finished())
        return [out[n] for n in range(len(items))]

    def call(self, fn: Callable[..., Any], *args: Any, seconds: float | None = None) -> Any:
        """``fn(config, *args)`` in a child (module-level ``fn``); a dead or slow child raises
        SandboxFailed."""
        try:
            return self.pool.schedule(_call, (fn, *args), timeout=seconds or self.limits.seconds_per_mail).result()
        except _FAILED as exc:
            raise SandboxFailed(f"{type(exc).__name__}: {exc}") from None

    def close(self) -> None:
        self.pool.stop()
        self.pool.join(timeout=10)


class SandboxFailed(Exception):
    """A child process died or ran out of time on the bytes it was given."""


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
