"""A genuinely full file system for tests: a small tmpfs mounted over a folder and filled to the last
byte. Mounting needs root (CAP_SYS_ADMIN); elsewhere the tests that use it are skipped, saying why."""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def full_tmpfs(where: Path, size_kb: int = 256, prepare: Callable[[Path], None] | None = None) -> Iterator[Path]:
    """Mount a ``size_kb`` tmpfs at ``where`` (created if needed), ``prepare`` it (a database, say),
    fill it, yield it; unmount after."""
    where.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("a full file system needs a tmpfs mount, which needs root (run the tests as root or in a "
                    "container with CAP_SYS_ADMIN)")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(where)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip() or done.returncode}): no full disk to test on")
    try:
        if prepare:
            prepare(where)
        _fill(where / ".filler")
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _fill(path: Path) -> None:
    with open(path, "wb", buffering=0) as fh:
        block = b"\0" * 4096
        try:
            while True:
                fh.write(block)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    try:  # the last partial page too
        with open(path, "ab", buffering=0) as fh:
            while True:
                fh.write(b"\0")
    except OSError:
        pass


def leftovers(root: Path) -> list[Path]:
    """Temporary files left anywhere under ``root``."""
    return [p for p in root.rglob("*") if p.name.endswith(".tmp")]
