"""Filled templates re-saved by LibreOffice as .xlsx, .xls and .ods read back exactly."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from nianbao.demo import confirm_notes
from nianbao.sample_data import unit_values
from nianbao.workbook.checks import check_workbook
from nianbao.workbook.fill import fill_workbook
from nianbao.workbook.reader import read_workbook
from nianbao.workbook.template import build_template

KEY = b"lo-key"
pytestmark = pytest.mark.slow


def resave(soffice: str, work, src) -> dict[str, bytes]:
    """``src`` saved again by LibreOffice as .xls, .ods and .xlsx, as a clerk's Calc would."""
    out = {}
    for fmt, filt in (("xls", "xls:MS Excel 97"), ("ods", "ods"), ("xlsx", "xlsx:Calc MS Excel 2007 XML")):
        target = work / fmt
        subprocess.run([soffice, f"-env:UserInstallation=file://{work}/profile", "--headless", "--convert-to", filt,
                        "--outdir", str(target), str(src)], check=True, capture_output=True, timeout=180)
        out[fmt] = next(target.iterdir()).read_bytes()
    return out


@pytest.fixture(scope="module")
def resaved(city, tmp_path_factory):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice not installed (scripts/setup.sh --test installs it)")
    work = tmp_path_factory.mktemp("lo")
    unit = city.reporting_units[1]
    values = unit_values(city, unit, 2026)
    typed = {k: ("不涉及" if v is None else v) for k, v in values.items()}
    src = work / "filled.xlsx"
    src.write_bytes(fill_workbook(build_template(city, unit, 2026, {}, KEY), typed, notes=confirm_notes(city, values)))
    out = resave(soffice, work, src)
    return unit, values, out


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_every_typed_value_survives_a_libreoffice_resave(city, resaved, fmt):
    unit, values, files = resaved
    raw = read_workbook(files[fmt], f"resaved.{fmt}", KEY, city)
    result = check_workbook(city, unit, raw, {})
    assert raw.format == fmt and result.accepted, result.errors + result.warnings
    for code, v in values.items():
        assert (code in result.na) if v is None else result.values[code] == v


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_the_signed_identity_survives_a_libreoffice_resave(city, resaved, fmt):
    unit, _, files = resaved
    ident = read_workbook(files[fmt], f"resaved.{fmt}", KEY, city).identity
    assert ident is not None and ident.unit_code == unit.code and ident.signature_valid


ANSWERS = {"2": {"status": "基本完成", "measures": "配合制定执法事项清单\n第二行", "reason": "个别乡镇尚未公布；明年一季度完成"},
           "3": {"status": "已完成", "measures": "执法记录仪一线全覆盖",
                 "documents": "《行政执法公示办法》\n重大执法决定法制审核目录（试行）"}}


@pytest.fixture(scope="module")
def resaved_tasks(tmp_path_factory):
    from nianbao.cityconfig import load_city_config
    from tests.factories import planned_config

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice not installed (scripts/setup.sh --test installs it)")
    work = tmp_path_factory.mktemp("lo-tasks")
    config = load_city_config(planned_config(work, 2026))
    unit = config.unit("D01")
    values = unit_values(config, unit, 2026)
    typed = {k: ("不涉及" if v is None else v) for k, v in values.items()}
    src = work / "filled.xlsx"
    src.write_bytes(fill_workbook(build_template(config, unit, 2026, {}, KEY), typed,
                                  notes=confirm_notes(config, values), tasks=ANSWERS))
    out = resave(soffice, work, src)
    return config, unit, out


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_the_task_answers_survive_a_libreoffice_resave(resaved_tasks, fmt):
    config, unit, files = resaved_tasks
    result = check_workbook(config, unit, read_workbook(files[fmt], f"resaved.{fmt}", KEY, config), {})
    assert result.accepted, [f.message for f in result.errors + result.warnings]
    got = {a.task_id: a for a in result.answers}
    assert (got["2"].role, got["2"].status, got["2"].measures, got["2"].reason) == \
        ("responsible", "基本完成", "配合制定执法事项清单\n第二行", "个别乡镇尚未公布；明年一季度完成")
    assert got["3"].documents == ("《行政执法公示办法》", "《重大执法决定法制审核目录（试行）》")
