"""A real 2026 cycle of the sample city, built once for the module: units mail their workbooks,
intake accepts them, and `city_aggregate` gives the totals fill-up must write."""

from __future__ import annotations

import shutil

import pendulum
import pytest

from nianbao.intake.run import poll_inbox
from nianbao.settings import REPO_ROOT, load_settings
from nianbao.stages.draft import city_aggregate
from nianbao.stages.open_cycle import open_cycle
from tests.factories import filled, mail_in, resources, unit_mail

YEAR = 2026
OPEN = pendulum.datetime(2027, 1, 6, 9, tz="Asia/Shanghai")
# Three governments and two departments: sums, ratios, and departments without some powers (不涉及).
REPORTING = ("320613", "320623", "320681", "D01", "D02")


@pytest.fixture(scope="module")
def city_res(tmp_path_factory):
    root = tmp_path_factory.mktemp("city")
    config = root / "config"
    shutil.copytree(REPO_ROOT / "config", config)
    settings = load_settings({"NIANBAO_DATA": str(root / "var"), "NIANBAO_CONFIG": str(config),
                              "NIANBAO_HMAC_SECRET": "city-secret"})
    res = resources(settings, f"sqlite:///{root / 'nianbao.db'}", OPEN)
    open_cycle(res, YEAR)
    for n, code in enumerate(REPORTING):
        unit = res.config.unit(code)
        # Every unit answers 不涉及 for 执法记录仪: the city has no figure of it (a reason, not a 0).
        mail_in(res, unit_mail(res, unit, YEAR, filled(res, unit, YEAR, E_JLY=None), n=n))
    outcomes = [a.status for m in poll_inbox(res).messages for a in m.attachments]
    assert outcomes == ["accepted"] * len(REPORTING), outcomes
    return res


@pytest.fixture(scope="module")
def totals(city_res):
    """code → the city's figure, as the draft has it."""
    return {code: f.value for code, f in city_aggregate(city_res, YEAR).figures.items()}


@pytest.fixture
def with_upward(city_res, tmp_path):
    """The city's resources reading config/upward.yaml from a folder of the test's own."""
    def make(text: str | None):
        folder = tmp_path / "upward-config"
        folder.mkdir(exist_ok=True)
        if text is not None:
            (folder / "upward.yaml").write_text(text, encoding="utf-8")
        return city_res.with_(settings=city_res.settings.with_(config_dir=folder))
    return make
