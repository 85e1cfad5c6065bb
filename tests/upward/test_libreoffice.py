"""The filled workbook opens cleanly in another office suite: LibreOffice (headless) reads it and
re-saves it with the figures, the protection and the hidden sheet intact."""

from __future__ import annotations

import shutil
import subprocess

import openpyxl
import pytest

from nianbao.stages.fill_up import fill_up
from tests.upward.conftest import YEAR
from tests.upward.sheets import protect, province_book

pytestmark = pytest.mark.slow


def test_libreoffice_opens_and_resaves_the_filled_workbook(city_res, totals, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice not installed (scripts/setup.sh --test installs it)")
    src = province_book(tmp_path / "省表.xlsx", ["指标代码", "指标名称", "本年数值"],
                        [["E_CF_HJ", "行政处罚合计", None], ["E_CZL", "持证率", None], ["F1_01", "次数", "=1+1"]])
    protect(src, "统计表", unlocked=["C4", "C5"])
    out = tmp_path / "filled.xlsx"
    fill_up(city_res, YEAR, src, out)
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to",
                    "xlsx:Calc MS Excel 2007 XML", "--outdir", str(tmp_path / "lo"), str(out)],
                   check=True, capture_output=True, timeout=180)
    wb = openpyxl.load_workbook(tmp_path / "lo" / "filled.xlsx", data_only=True)
    ws = wb["统计表"]
    assert [ws["C4"].value, ws["C5"].value] == [totals["E_CF_HJ"], round(totals["E_CZL"], 2)]
    assert ws["C6"].value == 2  # the province's formula, recalculated on load
    assert ws.protection.sheet and wb["参数"].sheet_state == "hidden"
