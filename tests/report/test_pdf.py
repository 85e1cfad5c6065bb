"""The PDF beside each draft: LibreOffice headless through `nianbao.report.pdf` with config/fonts.conf —
fonts embedded and Chinese, 28 characters a line; the stages write it beside the .docx (the unit drafts
of a run in one LibreOffice run); a machine without LibreOffice gets a Chinese note, not a failure."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from pathlib import Path

import pendulum
import pytest

from nianbao.db.models import Draft
from nianbao.db.session import unit_of_work
from nianbao.intake.run import poll_inbox
from nianbao.mail.outbox import deliver_pending
from nianbao.report.docx_writer import build_docx
from nianbao.report.pdf import OfficeMissing, PdfTimeout, pdf_versions, to_pdf
from nianbao.settings import REPO_ROOT, load_settings
from nianbao.stages.draft import deliver_draft, make_draft
from nianbao.stages.unit_drafts import make_unit_drafts
from tests.factories import filled, mail_in, opened, sent_mails, unit_mail
from tests.report.test_docx_layout import DATE, SAMPLE, full_line_cells, need, text_rows

CONFIG = REPO_ROOT / "config"
FONTS_CONF = CONFIG / "fonts.conf"
YEAR = 2026
OPEN = pendulum.datetime(2027, 1, 4, 9, tz="Asia/Shanghai")
# The free face each GB/T name falls back to (config/fonts.conf) → how its name starts in the PDF.
FREE_FACES = {"Noto Serif CJK SC": "NotoSerifCJK", "Noto Sans CJK SC": "NotoSansCJK", "AR PL UKai CN": "UKai",
              "LXGW WenKai": "LXGWWenKai"}


@pytest.fixture(scope="module")
def sample_pdf(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("pdf")
    docx = folder / "某市2026年度法治政府建设工作情况报告.docx"
    docx.write_bytes(build_docx(SAMPLE, issuer="某市人民政府", date=DATE))
    need("soffice")
    return to_pdf([docx], folder / "pdf", timeout=120, fonts_conf=FONTS_CONF)[docx]


def pdf_fonts(pdf: Path) -> list[tuple[str, bool]]:
    """(name without its subset prefix, embedded) for every font of the PDF, as pdffonts lists them."""
    lines = subprocess.run([need("pdffonts"), str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()
    return [(line.split()[0].split("+")[-1], line.split()[-5] == "yes") for line in lines[2:]]


def resolved(family: str) -> str:
    """The family fontconfig gives LibreOffice for a name, under config/fonts.conf."""
    return subprocess.run([need("fc-match"), "-f", "%{family[0]}", f"{family}:lang=zh-cn"], capture_output=True,
                          text=True, check=True, env={**os.environ, "FONTCONFIG_FILE": str(FONTS_CONF)}).stdout


@pytest.mark.slow
def test_the_pdf_embeds_every_font(sample_pdf):
    fonts = pdf_fonts(sample_pdf)
    assert fonts and all(embedded for _, embedded in fonts), fonts


@pytest.mark.slow
def test_the_pdf_sets_each_level_in_a_chinese_face_and_nothing_in_the_fallback(sample_pdf):
    names = [name for name, _ in pdf_fonts(sample_pdf)]
    assert not [n for n in names if n.startswith("DejaVu")], names  # what LibreOffice falls back to unmapped
    for gbt in ("方正小标宋简体", "黑体", "楷体_GB2312", "仿宋_GB2312"):
        face = resolved(gbt)
        if face in FREE_FACES:  # a machine with the real GB/T faces resolves to those instead
            assert any(n.startswith(FREE_FACES[face]) for n in names), (gbt, face, names)


@pytest.mark.slow
def test_the_pdf_lays_out_28_characters_a_line(sample_pdf):
    cells = full_line_cells(text_rows(sample_pdf, 2))
    assert len(cells) >= 3 and set(cells) == {28}, cells


@pytest.mark.slow
def test_a_run_past_its_time_limit_is_stopped_with_a_chinese_note(tmp_path):
    need("soffice")
    docx = tmp_path / "报告.docx"
    docx.write_bytes(build_docx(SAMPLE, issuer="某市人民政府", date=DATE))
    with pytest.raises(PdfTimeout, match="^LibreOffice 转换 PDF 超过 0.2 秒仍未完成，已停止，未生成 PDF 版本：报告.docx。$"):
        to_pdf([docx], tmp_path / "pdf", timeout=0.2)
    assert list((tmp_path / "pdf").iterdir()) == []  # nothing half-written left behind


def test_without_libreoffice_to_pdf_raises_the_chinese_note(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    docx = tmp_path / "报告.docx"
    docx.write_bytes(b"")
    with pytest.raises(OfficeMissing, match="^未安装 LibreOffice，未生成 PDF 版本：报告.docx。$"):
        to_pdf([docx], tmp_path, timeout=10)


def test_without_libreoffice_a_stage_gets_no_pdf_and_a_logged_note(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    with caplog.at_level(logging.WARNING, logger="nianbao.report.pdf"):
        assert pdf_versions({"报告.docx": b"PK"}, config_dir=CONFIG) == {}
    assert caplog.messages == ["未安装 LibreOffice，未生成 PDF 版本：报告.docx。"]


@pytest.fixture(scope="module")
def cycle(tmp_path_factory):
    """Three units' accepted workbooks; their drafts made with `soffice` counting its runs; the city draft
    made and delivered to the leaders. One LibreOffice run for the units, one for the city."""
    need("soffice")
    root = tmp_path_factory.mktemp("cycle")
    settings = load_settings({"NIANBAO_DATA": str(root / "var"), "NIANBAO_HMAC_SECRET": "test-secret"})
    res = opened(settings, f"sqlite:///{root / 'nianbao.db'}", OPEN, YEAR)
    for n, unit in enumerate(res.config.reporting_units[:3], 1):
        mail_in(res, unit_mail(res, unit, YEAR, filled(res, unit, YEAR), n=n))
    poll_inbox(res)
    bin_dir, runs = root / "bin", root / "runs"
    bin_dir.mkdir()
    (bin_dir / "soffice").write_text(f'#!/bin/sh\necho run >> "{runs}"\nexec {shutil.which("soffice")} "$@"\n')
    (bin_dir / "soffice").chmod(0o755)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
        units = make_unit_drafts(res, YEAR)
        unit_runs = runs.read_text().count("run")
        draft = make_draft(res, YEAR)
    deliver_draft(res, draft)
    deliver_pending(res.db, res.store, res.transport, res.clock)
    return res, units, unit_runs, draft


@pytest.mark.slow
def test_the_city_draft_stage_writes_the_pdf_beside_the_docx(cycle):
    res, _, _, draft = cycle
    assert draft.paths["pdf"] == draft.paths["docx"].with_suffix(".pdf")
    assert draft.paths["pdf"].read_bytes().startswith(b"%PDF-")
    with unit_of_work(res.db) as s:
        assert s.get(Draft, draft.draft_id).paths["pdf"] == str(draft.paths["pdf"])


@pytest.mark.slow
def test_the_leaders_mail_carries_the_pdf_next_to_the_docx(cycle):
    res, _, _, draft = cycle
    [mail] = [m for m in sent_mails(res) if draft.doc.title in m["Subject"]]
    names = [a.get_filename() for a in mail.iter_attachments()]
    assert names == [draft.paths[k].name for k in ("docx", "pdf", "xlsx")]


@pytest.mark.slow
def test_the_unit_drafts_of_a_run_get_their_pdfs_from_one_libreoffice_run(cycle):
    _, units, unit_runs, _ = cycle
    assert len(units.made) == 3 and unit_runs == 1
    assert units.pdfs == [docx.with_suffix(".pdf") for _, docx in units.made]
    assert all(p.read_bytes().startswith(b"%PDF-") for p in units.pdfs)


def test_without_libreoffice_the_city_draft_is_made_without_a_pdf(settings, tmp_path, monkeypatch, caplog):
    res = opened(settings, f"sqlite:///{tmp_path / 'nianbao.db'}", OPEN, YEAR)
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    with caplog.at_level(logging.WARNING, logger="nianbao.report.pdf"):
        draft = make_draft(res, YEAR)
    assert draft.paths["docx"].exists() and "pdf" not in draft.paths
    assert [m for m in caplog.messages if m.startswith("未安装 LibreOffice，未生成 PDF 版本：")]
