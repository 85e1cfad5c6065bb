"""A small .xls or .ods with one cell at IV65536 (issue 28: 40 KB that took a child to 1.2 GB): calamine,
the only reader of these formats, allocates the whole rectangle; in the sandbox that allocation passes
the child's address-space limit (set from what real workbooks need), the child dies, and the file is
refused with a reason for the clerk, never read by growing. The same workbook without the far cell reads."""

from __future__ import annotations

import io
import shutil
import subprocess

import openpyxl
import pytest

from nianbao.intake.sandbox import Limits, Sandbox, SandboxFailed
from nianbao.workbook.errors import ReaderFailed
from nianbao.workbook.errors_zh import describe
from nianbao.workbook.reader import RawWorkbook
from nianbao.workbook.template import build_template
from tests.hostile import read_as_intake, read_in_child

KEY = b"k"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def converted(city, tmp_path_factory):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice not installed (scripts/setup.sh --test installs it)")
    work = tmp_path_factory.mktemp("far")
    good = build_template(city, city.reporting_units[0], 2026, {}, KEY)
    wb = openpyxl.load_workbook(io.BytesIO(good))
    wb.worksheets[-1]["IV65536"] = 1
    buf = io.BytesIO()
    wb.save(buf)
    (work / "good.xlsx").write_bytes(good)
    (work / "far.xlsx").write_bytes(buf.getvalue())
    out = {}
    for fmt, filt in (("xls", "xls:MS Excel 97"), ("ods", "ods")):
        for name in ("good", "far"):
            subprocess.run([soffice, f"-env:UserInstallation=file://{work}/profile", "--headless", "--convert-to",
                            filt, "--outdir", str(work / fmt), str(work / f"{name}.xlsx")],
                           check=True, capture_output=True, timeout=180)
            out[name, fmt] = (work / fmt / f"{name}.{fmt}").read_bytes()
    return out


@pytest.fixture(scope="module")
def box(city):
    sandbox = Sandbox(city, Limits(processes=1))  # the intake's default limits
    yield sandbox
    sandbox.close()


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_a_small_file_with_a_far_cell_ends_its_child_and_is_refused_with_a_reason(city, converted, box, fmt):
    far = converted["far", fmt]
    assert len(far) < 64 * 1024
    with pytest.raises(SandboxFailed):  # calamine asked for more than the child may have
        box.call(read_in_child, far, f"报表.{fmt}", False)
    refused = read_as_intake(box, far, f"报表.{fmt}")
    assert isinstance(refused, ReaderFailed) and "另存为" in describe(city, refused)


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_the_same_workbook_without_the_far_cell_reads_in_the_same_child(city, converted, box, fmt):
    raw = read_as_intake(box, converted["good", fmt], f"报表.{fmt}")
    assert isinstance(raw, RawWorkbook) and raw.identity.unit_code == city.reporting_units[0].code
