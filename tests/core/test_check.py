"""`nianbao check` over config/ and templates/: the shipped files pass; a template that cannot parse,
names an indicator that does not exist or uses a variable the program never gives is found before any
run; prefect.yaml's schedules must be in city.yaml's time zone; every cycle year has a framework to cite;
demo highlights are filed under sections that exist."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from nianbao.settings import REPO_ROOT
from nianbao.stages.check import check_setup


@pytest.fixture
def copies(settings, tmp_path):
    config, templates = tmp_path / "config", tmp_path / "templates"
    shutil.copytree(REPO_ROOT / "config", config)
    shutil.copytree(REPO_ROOT / "templates", templates)
    return settings.with_(config_dir=config, templates_dir=templates), config, templates


def _where(problems) -> list[tuple[str, str]]:
    return [(p.file, p.key) for p in problems]


def test_the_shipped_config_and_templates_pass(settings):
    assert check_setup(settings) == []


def test_a_template_that_cannot_parse_is_named_with_its_line(copies):
    settings, _, templates = copies
    mail = templates / "mail" / "reminder.txt.j2"
    mail.write_text(mail.read_text(encoding="utf-8") + "\n{% if %}\n", encoding="utf-8")
    (problem,) = check_setup(settings)
    assert problem.file == "templates/mail/reminder.txt.j2" and problem.key.startswith("第 ")
    assert "模板语法错误" in problem.reason


def test_a_template_naming_an_unknown_indicator_is_found(copies):
    settings, _, templates = copies
    report = templates / "report.md.j2"
    report.write_text(report.read_text(encoding="utf-8") + '\n{{ fig("F9_99") }}\n', encoding="utf-8")
    problems = check_setup(settings)
    assert any(p.file == "templates/report.md.j2" and "F9_99" in p.reason for p in problems), problems


def test_a_misspelt_variable_fails_the_sample_render(copies):
    settings, _, templates = copies
    digest = templates / "mail" / "digest.txt.j2"
    digest.write_text(digest.read_text(encoding="utf-8").replace("{{ today }}", "{{ todday }}", 1), encoding="utf-8")
    (problem,) = check_setup(settings)
    assert problem.file == "templates/mail/digest.txt.j2" and "todday" in problem.reason


def test_schedules_in_another_zone_than_the_citys_are_named(copies):
    settings, config, _ = copies
    city = config / "city.yaml"
    city.write_text(city.read_text(encoding="utf-8").replace("timezone: Asia/Shanghai", "timezone: Asia/Urumqi"),
                    encoding="utf-8")
    problems = check_setup(settings)
    assert problems and all(p.file == "prefect.yaml" for p in problems)
    assert ("prefect.yaml", "deployments[0].schedules[0].timezone") in _where(problems)
    assert "Asia/Urumqi" in problems[0].reason and "Asia/Shanghai" in problems[0].reason


@pytest.mark.parametrize("text", ["- just a list\n", "deployments: 3\n", "deployments: [{schedules: [7]}]\n", ": :\n"])
def test_a_prefect_yaml_of_any_shape_never_stops_the_check(city, tmp_path, text):
    from nianbao.stages.check import schedule_problems

    path = tmp_path / "prefect.yaml"
    path.write_text(text, encoding="utf-8")
    problems = schedule_problems(city, path)
    assert all(p.file == "prefect.yaml" for p in problems)


def _frameworks(config, text):
    report = config / "report.yaml"
    old = report.read_text(encoding="utf-8")
    start = old.index("frameworks:\n")
    end = old.index("\n", old.index("  - {from: 2026"))
    report.write_text(old[:start] + text + old[end:], encoding="utf-8")


def test_a_report_year_no_framework_covers_is_named(copies):
    settings, config, _ = copies
    _frameworks(config, 'frameworks:\n  - {from: 2021, to: 2025, cite: "《法治政府建设实施纲要（2021—2025年）》"}')
    problems = check_setup(settings, today=dt.date(2027, 1, 10))  # the 2026 cycle
    assert [p.reason for p in problems if (p.file, p.key) == ("report.yaml", "frameworks")] == [
        "没有覆盖2026年度的条目：报告无从引用当年的依据，请在 frameworks 中增加（from/to）"]


def test_a_cycle_the_calendar_plans_for_needs_a_framework_too(copies):
    settings, config, _ = copies
    _frameworks(config, 'frameworks:\n  - {from: 2027, cite: "新的纲要"}')
    problems = check_setup(settings, today=dt.date(2028, 1, 10))  # today's year 2027 is covered
    assert [p.reason for p in problems if p.key == "frameworks"] == [
        "没有覆盖2026年度的条目：报告无从引用当年的依据，请在 frameworks 中增加（from/to）"]  # calendar: 2027


def test_demo_highlights_under_a_section_the_report_no_longer_has_are_named(copies):
    settings, config, _ = copies
    for path in (config / "report.yaml", config / "indicators.yaml"):  # F5 renamed F6, demo.yaml left behind
        text = path.read_text(encoding="utf-8").replace("code: F5\n", "code: F6\n").replace("section: F5", "section: F6")
        path.write_text(text, encoding="utf-8")
    problems = [p for p in check_setup(settings) if p.file == "demo.yaml"]
    assert [(p.key, p.reason.split("（")[0]) for p in problems] == [("highlights.F5", "report.yaml 的 sections 中没有 F5")]


def test_a_sentence_key_split_by_another_indicator_is_named(copies):
    settings, config, _ = copies
    path = config / "indicators.yaml"  # 经合法性审查 moved to the end of its section, away from the other norms
    text = path.read_text(encoding="utf-8").replace('sentence: norms, phrase: "经合法性审查{value}"',
                                                    'sentence: norms, order: 999, phrase: "经合法性审查{value}"')
    path.write_text(text, encoding="utf-8")
    problems = [p for p in check_setup(settings) if p.file == "indicators.yaml"]
    assert [(p.key, p.reason.split("，")[0]) for p in problems] == [("F3_02.sentence", "与 F3_01 同属句子 norms")]


def test_a_sentence_key_without_an_opener_and_an_opener_without_a_key_are_named(copies):
    settings, config, _ = copies
    path = config / "report.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('litigation: "', 'lawsuits: "'), encoding="utf-8")
    problems = [(p.key, p.reason.split("（")[0].split("：")[0]) for p in check_setup(settings) if p.file == "report.yaml"]
    assert problems == [("sections.F4.sentences", "没有句子 litigation 的开头语"),
                        ("sections.F4.sentences.lawsuits", "没有哪个 F4 指标的 sentence 是 lawsuits")]
