"""An indicator added in YAML only — a row in indicators.yaml and a rule in rules.yaml, no code, no
template — appears in the units' workbooks, is checked by its rule, and is reported in its section of
the draft and in the appendix."""

from __future__ import annotations

import io
import shutil

import openpyxl
import pendulum
import yaml

from nianbao.intake.run import poll_inbox
from nianbao.settings import REPO_ROOT
from nianbao.stages.draft import make_draft
from nianbao.stages.open_cycle import open_cycle
from tests.factories import filled, mail_in, resources, unit_mail

NEW = [{"code": "F3_07", "name": "行政执法案卷评查数", "unit": "件", "section": "F3", "sentence": "files",
        "phrase": "评查行政执法案卷{value}", "typical": 50},
       {"code": "F3_08", "name": "评查不合格案卷数", "unit": "件", "section": "F3", "sentence": "files",
        "phrase": "其中不合格{value}", "typical": 3}]
RULE = {"code": "R11", "expr": "F3_08 <= F3_07", "severity": "error", "message": "不合格案卷数不能超过评查案卷数"}


def test_an_indicator_added_in_yaml_only_is_collected_checked_and_reported(tmp_path, settings, db_url):
    config = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "config", config)
    doc = yaml.safe_load((config / "indicators.yaml").read_text(encoding="utf-8"))
    doc["indicators"] += NEW
    (config / "indicators.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    rules = yaml.safe_load((config / "rules.yaml").read_text(encoding="utf-8"))
    rules["rules"].append(RULE)
    (config / "rules.yaml").write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    res = resources(settings.with_(config_dir=config), db_url, pendulum.datetime(2027, 1, 6, 9, tz="Asia/Shanghai"))
    open_cycle(res, 2026)
    unit = res.config.reporting_units[0]

    book = filled(res, unit, 2026)
    sheet = next(ws for ws in openpyxl.load_workbook(io.BytesIO(book)).worksheets if ws.title == "制度与执法")
    assert {"F3_07", "F3_08"} <= {row[0].value for row in sheet.iter_rows(min_row=4)}

    mail_in(res, unit_mail(res, unit, 2026, filled(res, unit, 2026, F3_07=10, F3_08=12), n=1))
    (rejected,) = poll_inbox(res).messages[0].attachments
    assert rejected.status == "rejected" and any("不合格案卷数不能超过评查案卷数" in r for r in rejected.reasons)

    mail_in(res, unit_mail(res, unit, 2026, filled(res, unit, 2026, F3_07=40, F3_08=2), n=2))
    assert poll_inbox(res).messages[0].attachments[0].status == "accepted"
    result = make_draft(res, 2026, tmp_path / "draft")
    section = result.doc.markdown.split("（三）")[1].split("（四）")[0]
    assert "评查行政执法案卷40件，其中不合格2件" in section
    figures = openpyxl.load_workbook(io.BytesIO(result.doc.appendix_xlsx))["全市指标"]
    assert {"F3_07": 40, "F3_08": 2} == {r[0]: r[3] for r in figures.iter_rows(min_row=2, values_only=True)
                                         if r[0] in ("F3_07", "F3_08")}
