"""PDF versions of the .docx drafts, made by LibreOffice headless: leaders read drafts on a phone, where
a .docx reflows and finds none of the GB/T 9704 fonts. The PDF carries its fonts (LibreOffice embeds
subsets) and the .docx's layout as LibreOffice lays it out (22 lines × 28 characters, see
`docx_styles.grid`).

- One LibreOffice run converts many files: a start costs ~1.7 s here, 20 unit drafts take ~6–8 s in
  one run against ~32 s in twenty. Runs take at most `CHUNK` files, so hundreds never hang on one run.
- Each run has its own temporary profile (`-env:UserInstallation`): runs sharing one would hand their
  files to whichever started first, or refuse to start; the administrator's own LibreOffice is untouched.
- Each run has a time limit; past it the run's whole process group (soffice, oosplash, soffice.bin) is
  killed, so nothing is left holding the profile.
- Fonts: `FONTCONFIG_FILE` points, for that process only, at config/fonts.conf, which includes the
  system configuration and maps each GB/T face name to itself or a free face (see the file).
- Errors are `PdfError`s whose text is one Chinese sentence. `pdf_versions` (what the stages call)
  turns any of them into a logged note: the .docx is the draft, the PDF a convenience, and a machine
  without LibreOffice still drafts.

Pure of Prefect."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from nianbao.errors import NianbaoError

OFFICE = ("soffice", "libreoffice")  # Debian's and some distributions' names for the same program
CHUNK = 50  # files a run: ~15 s of work each, well inside one time limit
START_SECONDS, FILE_SECONDS = 60.0, 10.0  # a run's time limit: a start on a loaded machine, then per file
FONTS_CONF = "fonts.conf"  # in the city's config/ folder
MAIL_MAX_BYTES = 8 * 2**20  # a PDF larger than this is left out of a mail (servers cap messages at 10–50 MB)
PDF_MIME = "application/pdf"

log = logging.getLogger(__name__)


class PdfError(NianbaoError):
    """No PDF for some files; ``made`` maps the .docx that were converted to their PDFs."""

    def __init__(self, message: str, made: dict[Path, Path] | None = None):
        super().__init__(message)
        self.made = made or {}


class OfficeMissing(PdfError):
    """LibreOffice is not installed (no `soffice` on PATH)."""


class PdfTimeout(PdfError):
    """A LibreOffice run took longer than its time limit and was killed."""


class PdfFailed(PdfError):
    """LibreOffice ran but left no PDF for some files (unreadable file, crash)."""


def find_office() -> str | None:
    return next((path for path in map(shutil.which, OFFICE) if path), None)


def _names(paths: list[Path]) -> str:
    shown = "、".join(p.name for p in paths[:3])
    return shown + (f"等 {len(paths)} 个文件" if len(paths) > 3 else "")


def _run(office: str, files: list[Path], out_dir: Path, timeout: float, fonts_conf: Path | None) -> str:
    """One LibreOffice run over ``files`` into ``out_dir``; its stderr. Raises PdfTimeout, or PdfFailed when
    it cannot even start."""
    env = dict(os.environ)
    if fonts_conf is not None:
        env["FONTCONFIG_FILE"] = str(fonts_conf)
    with tempfile.TemporaryDirectory(prefix="nianbao-office-") as profile:
        cmd = [office, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
               "--nolockcheck", "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(out_dir),
               *(str(f) for f in files)]
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                    env=env, start_new_session=True)  # its own process group, to kill it whole
        except OSError as exc:
            raise PdfFailed(f"无法启动 LibreOffice（{exc.strerror}），未生成 PDF 版本：{_names(files)}。") from None
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):  # it may have ended in between
                os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise PdfTimeout(f"LibreOffice 转换 PDF 超过 {timeout:g} 秒仍未完成，已停止，未生成 PDF 版本："
                             f"{_names(files)}。") from None
    return err.decode("utf-8", "replace")


def to_pdf(docx_paths: list[Path], out_dir: Path, *, timeout: float, fonts_conf: Path | None = None,
           office: str | None = None) -> dict[Path, Path]:
    """Each .docx → ``out_dir``/<stem>.pdf, in as few LibreOffice runs as `CHUNK` allows; ``timeout`` is
    the limit of one run, in seconds. A PDF appears whole or not at all (written aside, then renamed).
    Raises OfficeMissing, PdfTimeout or PdfFailed (their ``made`` says what was converted first)."""
    docx_paths = [Path(p) for p in docx_paths]
    stems = [p.stem for p in docx_paths]
    if len(set(stems)) != len(stems):
        raise ValueError(f"two files would make the same PDF: {sorted(s for s in stems if stems.count(s) > 1)}")
    if not docx_paths:
        return {}
    office = office or find_office()
    if office is None:
        raise OfficeMissing(f"未安装 LibreOffice，未生成 PDF 版本：{_names(docx_paths)}。")
    out_dir.mkdir(parents=True, exist_ok=True)
    made: dict[Path, Path] = {}
    why = ""  # LibreOffice's own last word on a run that left files out
    for start in range(0, len(docx_paths), CHUNK):
        chunk = docx_paths[start:start + CHUNK]
        with tempfile.TemporaryDirectory(prefix=".pdf-", dir=out_dir) as work:  # same file system: atomic rename
            try:
                err = _run(office, chunk, Path(work), timeout, fonts_conf)
            except PdfError as exc:
                exc.made = made
                raise
            for src in chunk:
                pdf = Path(work) / f"{src.stem}.pdf"
                if pdf.is_file() and pdf.stat().st_size:
                    made[src] = out_dir / pdf.name
                    os.replace(pdf, made[src])
            if not why and any(src not in made for src in chunk):  # its own error line, not its java warning
                why = next((line for line in reversed(err.splitlines()) if "rror" in line), "未说明原因")
    missing = [p for p in docx_paths if p not in made]
    if missing:
        raise PdfFailed(f"LibreOffice 未能生成 PDF 版本：{_names(missing)}（{why}）。", made)
    return made


def fonts_conf_in(config_dir: Path) -> Path | None:
    """The city's font mapping, if its config/ has one (without it: the machine's fontconfig as it is)."""
    path = config_dir / FONTS_CONF
    return path.resolve() if path.is_file() else None


def pdf_versions(docx: dict[str, bytes], *, config_dir: Path) -> dict[str, bytes]:
    """What a stage calls: file name (…docx) → its PDF's bytes, all in one LibreOffice run (per `CHUNK`),
    with the city's fonts.conf. Whatever could not be converted is left out and said in one logged
    Chinese note, never raised: a missing LibreOffice must not cost the draft."""
    if not docx:
        return {}
    with tempfile.TemporaryDirectory(prefix="nianbao-pdf-") as tmp:
        src = Path(tmp) / "docx"
        src.mkdir()
        paths = {}
        for name, data in docx.items():
            paths[name] = src / name
            paths[name].write_bytes(data)
        limit = START_SECONDS + FILE_SECONDS * min(len(docx), CHUNK)
        try:
            made = to_pdf(list(paths.values()), Path(tmp) / "pdf", timeout=limit, fonts_conf=fonts_conf_in(config_dir))
        except PdfError as exc:
            log.warning("%s", exc)
            made = exc.made
        return {name: made[path].read_bytes() for name, path in paths.items() if path in made}


def pdf_attachment(paths: dict[str, Path]) -> list[tuple[str, bytes, str]]:
    """The draft's PDF as a mail attachment (name, bytes, type), if there is one and it is not too large
    for mail servers; else nothing (the mail still has the .docx)."""
    pdf = paths.get("pdf")
    if pdf is None or not pdf.is_file() or pdf.stat().st_size > MAIL_MAX_BYTES:
        return []
    return [(pdf.name, pdf.read_bytes(), PDF_MIME)]
