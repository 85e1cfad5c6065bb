"""Non-XML formats (.xls, .et, .ods) through python-calamine in a child process with a memory and time
cap: a crafted file can make the native reader abort the whole process, which must not be the intake."""

from __future__ import annotations

import json
import resource
import subprocess
import sys

from nianbao.workbook import layout as L
from nianbao.workbook.errors import NotAWorkbook, ReaderFailed

MEMORY_BYTES = 1024 * 1024 * 1024
SECONDS = 20
COLS = "ABCDEFGH"


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))


def read_native_cells(data: bytes, fmt: str) -> dict[str, dict[str, object]]:
    try:
        done = subprocess.run([sys.executable, "-m", "nianbao.workbook.native"], input=data,
                              capture_output=True, timeout=SECONDS, preexec_fn=_limit)
    except subprocess.TimeoutExpired:
        raise ReaderFailed("timeout") from None
    if done.returncode == 3:
        raise NotAWorkbook(done.stderr.decode(errors="replace")[-300:])
    if done.returncode != 0:
        raise ReaderFailed(f"reader exited with {done.returncode}")
    return json.loads(done.stdout)


def _main() -> None:
    import io

    from python_calamine import CalamineWorkbook

    data = sys.stdin.buffer.read()
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own error types for unreadable files
        sys.stderr.write(str(exc))
        sys.exit(3)
    out: dict[str, dict[str, object]] = {}
    for name in wb.sheet_names:
        sheet = wb.get_sheet_by_name(name)
        cells: dict[str, object] = {}
        for r, row in enumerate(sheet.iter_rows(), 1):
            if r > L.MAX_ROWS:
                break
            for c, value in enumerate(row[: len(COLS)]):
                if value not in ("", None):
                    cells[f"{COLS[c]}{r}"] = value if isinstance(value, (int, float, bool, str)) else str(value)
        out[name] = cells
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    _main()
