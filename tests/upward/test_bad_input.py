"""What fill-up refuses, each with one Chinese line (BadInput): not a workbook, a password, a zip bomb,
a DTD, a file too large, no header anywhere, writing over its own input. Nothing is written then."""

from __future__ import annotations

import os

import pytest

from nianbao.errors import BadInput, UnknownYearError
from nianbao.stages import fill_up as stage
from nianbao.stages.fill_up import fill_up
from tests.hostile import corrupt_deflate, lying_bomb, member, rezip
from tests.upward.conftest import YEAR
from tests.upward.sheets import province_book

HEADER = ["指标代码", "指标名称", "本年数值"]


@pytest.fixture
def good(tmp_path):
    return province_book(tmp_path / "省表.xlsx", HEADER, [["F1_01", "次数", None]])


def _hostile(data: bytes) -> bytes:
    sheet = member(data, "xl/worksheets/sheet1.xml")
    root = sheet.index(b"<worksheet")
    return rezip(data, replace={"xl/worksheets/sheet1.xml": sheet[:root] + b'<!DOCTYPE w [<!ENTITY x "x">]>' + sheet[root:]})


CASES = {
    "text": (lambda data: "指标代码,本年数值\nF1_01,3\n".encode(), "不是 .xlsx 工作簿"),
    "xls": (lambda data: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "Workbook".encode("utf-16-le") + b"\0" * 512, "不是 .xlsx 工作簿"),
    "encrypted": (lambda data: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptionInfo".encode("utf-16-le") + b"\0" * 512,
                  "设置了打开密码"),
    "broken zip": (lambda data: data[: len(data) // 2], "不是 .xlsx 工作簿"),
    "corrupt deflate": (corrupt_deflate, "不是 .xlsx 工作簿"),
    "zip bomb": (lambda data: rezip(data, add={"xl/media/pad.bin": b"\0" * (80 * 1024 * 1024)}), "过大"),
    # inflates to 40 MB while declaring 60 KB: zipfile stops at the declared size, the CRC fails
    "lying zip bomb": (lambda data: lying_bomb(data, inflated_mb=40), "不是 .xlsx 工作簿"),
    "dtd": (_hostile, "外部实体或文档类型定义"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_a_file_that_is_no_usable_workbook_is_refused_in_chinese(city_res, good, tmp_path, case):
    make, words = CASES[case]
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(make(good.read_bytes()))
    with pytest.raises(BadInput, match=words) as err:
        fill_up(city_res, YEAR, bad, tmp_path / "out.xlsx")
    assert "《坏.xlsx》" in str(err.value)
    assert not (tmp_path / "out.xlsx").exists()


def test_a_workbook_without_a_header_says_what_header_it_looks_for(city_res, tmp_path):
    src = province_book(tmp_path / "无表头.xlsx", ["序号", "名称", "金额"], [[1, "行政处罚合计", None]])
    with pytest.raises(BadInput, match="没有找到表头.*本年数值、数值.*指标代码.*指标名称"):
        fill_up(city_res, YEAR, src, tmp_path / "out.xlsx")


def test_the_input_is_never_the_output(city_res, good, tmp_path):
    before = good.read_bytes()
    with pytest.raises(BadInput, match="不能是输入文件本身"):
        fill_up(city_res, YEAR, good, good)
    os.link(good, tmp_path / "硬链接.xlsx")
    with pytest.raises(BadInput, match="不能是输入文件本身"):
        fill_up(city_res, YEAR, good, tmp_path / "硬链接.xlsx")
    (tmp_path / "sub").mkdir()
    with pytest.raises(BadInput, match="不能是输入文件本身"):
        fill_up(city_res, YEAR, good, tmp_path / "sub" / ".." / good.name)
    assert good.read_bytes() == before


def test_the_output_must_be_an_xlsx(city_res, good, tmp_path):
    with pytest.raises(BadInput, match=r"应以 \.xlsx 结尾"):
        fill_up(city_res, YEAR, good, tmp_path / "out.xls")


def test_a_file_over_the_size_limit_is_not_even_read(city_res, good, tmp_path, monkeypatch):
    monkeypatch.setattr(stage, "MAX_BYTES", 1024)
    with pytest.raises(BadInput, match="过大"):
        fill_up(city_res, YEAR, good, tmp_path / "out.xlsx")


def test_a_year_never_opened_is_named(city_res, good, tmp_path):
    with pytest.raises(UnknownYearError):
        fill_up(city_res, 2019, good, tmp_path / "out.xlsx")
