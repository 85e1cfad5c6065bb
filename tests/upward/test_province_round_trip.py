"""A second nianbao, configured as the province (the city one of its reporting units, its own signing
key), sends the city its workbook; fill-up fills it from the city's totals and the province's own
intake accepts it — identity sheet, signature, checks and all — with exactly the city's figures."""

from __future__ import annotations

import shutil

import pendulum
import yaml

from nianbao.intake.run import poll_inbox
from nianbao.settings import REPO_ROOT, load_settings
from nianbao.stages.export import export_values
from nianbao.stages.fill_up import fill_up
from nianbao.stages.open_cycle import open_cycle
from nianbao.upward.figures import rounded
from nianbao.workbook import layout as L
from tests.factories import mail_in, resources, unit_mail
from tests.upward.conftest import YEAR

PROVINCE_UNITS = [
    {"code": "320000", "name": "江苏省人民政府", "kind": "city", "parent": None, "reports": False,
     "contacts": ["sft@jiangsu.example.cn"], "leaders": ["shengzhang@jiangsu.example.cn"]},
    {"code": "320600", "name": "南通市", "kind": "district", "parent": "320000",
     "contacts": ["sfj@nantong.example.cn"], "leaders": ["shizhang@nantong.example.cn"]},
    {"code": "320500", "name": "苏州市", "kind": "district", "parent": "320000",
     "contacts": ["sfj@suzhou.example.cn"], "leaders": ["shizhang@suzhou.example.cn"]},
]
# The province's catalogue is not quite ours: one figure under its own code (found by our name), and
# one we do not collect (found only through upward.yaml).
PROVINCE_ONLY = {"code": "P_YB", "name": "一般程序行政处罚案件（不含警告）", "unit": "件", "section": "F3",
                 "deadline": "enforcement"}
UPWARD = """
na_text: 不涉及
rows:
  "年度法治政府建设报告按时公开": 1
  "一般程序行政处罚案件（不含警告）": E_CF_HJ - E_CF_JG
"""


def _edit(path, change) -> None:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def province_config(root):
    config = root / "config"
    shutil.copytree(REPO_ROOT / "config", config)
    _edit(config / "units.yaml", lambda d: d.update(units=PROVINCE_UNITS))
    codes = {u["code"] for u in PROVINCE_UNITS}  # the city's plausibility rules name the city's departments
    _edit(config / "rules.yaml", lambda d: d.update(rules=[r for r in d["rules"] if set(r.get("units", ())) <= codes]))
    _edit(config / "city.yaml", lambda d: d.update(
        city="江苏省", bureau="江苏省司法厅", office="中共江苏省委全面依法治省委员会办公室", sender_name="江苏省依法治省办",
        admin_emails=["fzc@sft.jiangsu.example.cn"], intake_address="nianbao@sft.jiangsu.example.cn"))
    for name in ("indicators.yaml", "report.yaml"):  # F1_05 is SF_01 up there
        path = config / name
        path.write_text(path.read_text(encoding="utf-8").replace("F1_05", "SF_01"), encoding="utf-8")
    _edit(config / "indicators.yaml", lambda d: d["indicators"].append(PROVINCE_ONLY))
    return config


def test_a_province_running_nianbao_accepts_the_filled_workbook(city_res, totals, with_upward, tmp_path):
    root = tmp_path / "province"
    env = {"NIANBAO_CONFIG": str(province_config(root)), "NIANBAO_DATA": str(root / "var"),
           "NIANBAO_HMAC_SECRET": "province-secret"}
    province = resources(load_settings(env), f"sqlite:///{root / 'province.db'}",
                         pendulum.datetime(2027, 1, 11, 9, tz="Asia/Shanghai"))
    opened = open_cycle(province, YEAR)
    sent = next(p for p in opened.files if "南通市" in p.name)

    out = tmp_path / "南通市-填好.xlsx"
    result = fill_up(with_upward(UPWARD), YEAR, sent, out)
    assert result.unfilled == [], result.unfilled
    assert L.IDENTITY_SHEET in result.kept_sheets
    how = {f.source: f.how for f in result.filled}
    assert how["E_CF_HJ"] == "code" and how["F1_05"] == "name" and how["E_CF_HJ - E_CF_JG"] == "mapping"

    nantong = province.config.unit("320600")
    mail_in(province, unit_mail(province, nantong, YEAR, out.read_bytes()))
    (outcome,) = poll_inbox(province).messages[0].attachments
    assert outcome.status == "accepted", outcome.reasons

    stored = {r["indicator"]: r["text"] if r["value"] is None else r["value"]
              for r in export_values(province, YEAR) if r["unit_code"] == "320600"}
    expected = {}
    for ind in province.config.input_indicators(nantong):
        ours = {"SF_01": "F1_05"}.get(ind.code, ind.code)
        if ind.code == "P_YB":
            expected[ind.code] = totals["E_CF_HJ"] - totals["E_CF_JG"]
        elif ind.code == "F1_03":
            expected[ind.code] = 1
        elif totals[ours] is None:
            expected[ind.code] = "不涉及"
        else:
            expected[ind.code] = rounded(totals[ours], ind.type in ("count", "flag"))
    assert stored == expected
