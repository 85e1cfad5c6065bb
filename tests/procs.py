"""Processes as the tests watch them: a process tree's resident memory, its live children."""

from __future__ import annotations

import os
import threading


def _own_children(pid: int) -> list[int]:
    """Children of every thread of ``pid``: a process started from a thread (the intake's sandbox is
    started by its archiving thread) is listed under that thread only."""
    kids: list[int] = []
    try:
        threads = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return kids
    for tid in threads:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                kids += [int(k) for k in fh.read().split()]
        except OSError:
            continue
    return kids


def children(pid: int) -> list[int]:
    """Every live descendant of ``pid``."""
    out, todo = [], [pid]
    while todo:
        kids = _own_children(todo.pop())
        out += kids
        todo += kids
    return out


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(") ", 1)[1][0] != "Z"  # a zombie has exited
    except (OSError, IndexError):
        return False


def rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0


class TreePeak:
    """Peak resident memory of ``pid`` plus all its descendants, sampled every 10 ms."""

    def __init__(self, pid: int):
        self.pid, self.peak = pid, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, sum(rss_mb(p) for p in [self.pid, *children(self.pid)]))

    def __enter__(self) -> TreePeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
