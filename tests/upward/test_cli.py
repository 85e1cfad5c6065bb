"""`nianbao fill-up`: what it filled and, row by row, what it did not and why — in Chinese, or as JSON."""

from __future__ import annotations

import argparse
import json

import pytest

from nianbao.cli import upward_cmds
from tests.upward.conftest import YEAR
from tests.upward.sheets import province_book


def run(argv: list[str]) -> int:
    """The command as app.py registers it (same `add` signature)."""
    parser = argparse.ArgumentParser(prog="nianbao")
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name, fn, help, *, year=True, json_=False, today=False):
        sp = sub.add_parser(name, help=help)
        sp.set_defaults(fn=fn)
        if year:
            sp.add_argument("--year", type=int)
        if json_:
            sp.add_argument("--json", action="store_true")
        return sp

    upward_cmds.register(add)
    args = parser.parse_args(argv)
    return args.fn(args)


@pytest.fixture
def env(city_res, monkeypatch):
    s = city_res.settings
    for name, value in (("NIANBAO_DATA", s.data_dir), ("NIANBAO_CONFIG", s.config_dir),
                        ("NIANBAO_DATABASE_URL", s.database_url), ("NIANBAO_HMAC_SECRET", "city-secret")):
        monkeypatch.setenv(name, str(value))


@pytest.fixture
def src(tmp_path):
    rows = [["F1_01", "研究法治建设次数", None, 3], ["X99", "本省特有指标", None, None], ["E_JLY", "执法记录仪", None, None]]
    return province_book(tmp_path / "省表.xlsx", ["指标代码", "指标名称", "本年数值", "上年数值"], rows)


def test_fill_up_says_what_it_filled_and_why_each_other_row_was_not(env, src, tmp_path, capsys):
    out = tmp_path / "报省.xlsx"
    assert run(["fill-up", "--year", str(YEAR), str(src), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert f"已按南通市{YEAR}年度汇总数据填写 1 行（按指标代码 1 行，按指标名称 0 行，按 config/upward.yaml 映射 0 行），写入：{out}" in text
    assert "注意：全市应报 22 家单位，已报 5 家，汇总数据尚不完整" in text
    assert "以下 2 行未填写：" in text
    assert "工作表“统计表”第 5 行（本省特有指标）：未找到对应的本市指标" in text
    assert "工作表“统计表”第 6 行（执法记录仪）：全市各报送单位均填报“不涉及”（执法记录仪配备数）" in text
    assert "以下工作表没有找到表头，未填写：填表说明" in text and "隐藏的工作表原样保留：参数" in text
    assert out.exists()


def test_fill_up_json_lists_every_row(env, src, tmp_path, capsys):
    assert run(["fill-up", "--year", str(YEAR), str(src), "--out", str(tmp_path / "o.xlsx"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [f["source"] for f in data["filled"]] == ["F1_01"]
    assert [(u["row"], u["label"]) for u in data["unfilled"]] == [(5, "本省特有指标"), (6, "执法记录仪")]
    assert data["kept_sheets"] == ["参数"] and data["year"] == YEAR
