"""`nianbao check`: config/ and templates/ validated as a whole before anything runs.

Config: every file's schema and what files say about each other (`load_city_config`). Templates:
each one parses; each indicator code a template names exists; each renders against a sample of what
the program gives it (a plausible cycle of the configured units, generated from the catalogue), so a
misspelt variable is found now and not in January. Also: a framework to cite for every cycle year,
demo.yaml's highlights filed under sections report.yaml has, prefect.yaml's schedules in the city's zone,
each sentence key's indicators side by side with an opener."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import jinja2
import pendulum
import yaml
from jinja2 import nodes

from nianbao.cityconfig import CityConfig, load_city_config
from nianbao.config.report import uncovered_year
from nianbao.errors import ConfigError, ConfigProblem
from nianbao.settings import REPO_ROOT, Settings

MAIL_TEMPLATES = ("invitation", "reminder", "overdue", "digest", "reply", "draft", "sent_back", "alert", "unit_draft")
CODE_FUNCTIONS = {"f", "fig", "change", "figure"}  # template functions whose first argument is an indicator code


def check_setup(settings: Settings, today: dt.date | None = None) -> list[ConfigProblem]:
    """Every problem of config/ and templates/; ``today`` (in the city's time zone, default the clock's)
    gives the report year in season."""
    from nianbao.disclosure.config import config_problems as disclosure_problems
    from nianbao.upward.mapping import upward_config_problems

    more = disclosure_problems(settings.config_dir, settings.templates_dir) + upward_config_problems(settings.config_dir)
    try:
        config = load_city_config(settings.config_dir)
    except ConfigError as exc:
        return list(exc.problems) + more
    from nianbao.workplan import task_file_problems

    more += task_file_problems(settings.config_dir, config)
    today = today or pendulum.now(config.timezone).date()
    more += framework_problems(config, today) + demo_problems(config) + schedule_problems(config)
    more += sentence_problems(config)
    return list(dict.fromkeys(check_templates(config, settings.templates_dir) + more))  # each problem once


def cycle_years(config: CityConfig, today: dt.date) -> list[int]:
    """The report years the program may be asked about: today's (the 2026 cycle runs in 2027) and those
    whose cycle calendar.yaml plans for (an override for 2027 is the 2026 cycle's calendar)."""
    return sorted({today.year - 1} | {year - 1 for year in config.calendar.overrides})


def framework_problems(config: CityConfig, today: dt.date) -> list[ConfigProblem]:
    """Each cycle year no entry of report.yaml's `frameworks` covers: its draft would cite nothing."""
    return [uncovered_year(y) for y in cycle_years(config, today) if not config.report.covering(y)]


def demo_problems(config: CityConfig) -> list[ConfigProblem]:
    """config/demo.yaml's highlights are filed by report section: one filed under a section report.yaml
    no longer has would never be written (a layout restyled, the sample content left behind)."""
    try:
        data = yaml.safe_load((config.root / "demo.yaml").read_text(encoding="utf-8"))
    except OSError:
        return []  # no demo content: nothing to agree with
    except yaml.YAMLError as exc:
        return [ConfigProblem("demo.yaml", "-", f"不是有效的 YAML：{exc}")]
    highlights = data.get("highlights") if isinstance(data, dict) else None
    sections = [s.code for s in config.report.sections]
    return [ConfigProblem("demo.yaml", f"highlights.{code}",
                          f"report.yaml 的 sections 中没有 {code}（现有：{'、'.join(sections)}），其下的示例亮点不会写入报告")
            for code in (highlights if isinstance(highlights, dict) else {}) if code not in sections]


def sentence_problems(config: CityConfig) -> list[ConfigProblem]:
    """A section's sentences join consecutive indicators of one `sentence` key behind the opener
    report.yaml gives it: a key whose indicators are not side by side in the text's order makes two
    sentences with the same opener, a key without an opener a sentence that starts bare, and an opener
    no indicator's key names is never written."""
    problems = []
    for sec in config.report.sections:
        seen: dict[str, str] = {}  # key → the first indicator of it
        last = None
        for ind in config.section_indicators(sec.code):
            if ind.phrase == "":
                continue  # never said: it neither joins nor breaks a sentence
            key = ind.sentence
            if key is not None and key in seen and key != last:
                problems.append(ConfigProblem("indicators.yaml", f"{ind.code}.sentence", (
                    f"与 {seen[key]} 同属句子 {key}，但按 {sec.code} 的行文顺序二者不相邻：报告会写成两句、开头语重复；"
                    f"请调整 order 或目录顺序使其相邻")))
            if key is not None and key not in seen and key not in sec.sentences:
                problems.append(ConfigProblem("report.yaml", f"sections.{sec.code}.sentences", (
                    f"没有句子 {key} 的开头语（{ind.code} 等指标用它）：这句话会没有开头，请增加")))
            if key is not None:
                seen.setdefault(key, ind.code)
            last = key
        problems += [ConfigProblem("report.yaml", f"sections.{sec.code}.sentences.{key}",
                                   f"没有哪个 {sec.code} 指标的 sentence 是 {key}：这个开头语不会写入报告")
                     for key in sec.sentences if key not in seen]
    return problems


def schedule_problems(config: CityConfig, path: Path = REPO_ROOT / "prefect.yaml") -> list[ConfigProblem]:
    """prefect.yaml's schedules run in the city's time zone: `prefect deploy` cannot read city.yaml, so
    each schedule names its zone, and it must be the one city.yaml gives."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return []  # no prefect.yaml beside this config (a library use): nothing to agree with
    problems = []
    deployments = data.get("deployments") if isinstance(data, dict) else None
    for i, dep in enumerate(deployments if isinstance(deployments, list) else []):
        schedules = dep.get("schedules") if isinstance(dep, dict) else None
        for j, sched in enumerate(schedules if isinstance(schedules, list) else []):
            tz = sched.get("timezone") if isinstance(sched, dict) else None
            if tz != config.timezone:
                problems.append(ConfigProblem("prefect.yaml", f"deployments[{i}].schedules[{j}].timezone",
                                              f"应为 city.yaml 的时区 {config.timezone}，实为 {tz or '未填写'}"))
    return problems


def _env(templates_dir: Path) -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir)), undefined=jinja2.StrictUndefined)


def _named_codes(env: jinja2.Environment, name: str) -> list[tuple[int, str]]:
    source = env.loader.get_source(env, name)[0]
    out = []
    for call in env.parse(source).find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name in CODE_FUNCTIONS and call.args \
                and isinstance(call.args[0], nodes.Const) and isinstance(call.args[0].value, str):
            out.append((call.lineno, call.args[0].value))
    return out


def check_templates(config: CityConfig, templates_dir: Path) -> list[ConfigProblem]:
    env = _env(templates_dir)
    units = config.report.unit_drafts
    names = [f"mail/{n}.txt.j2" for n in MAIL_TEMPLATES] + [config.report.template] + ([units.template] if units else [])
    problems: list[ConfigProblem] = []
    codes = {i.code for i in config.indicators}
    for name in names:
        where = f"templates/{name}"
        try:
            env.get_template(name)
        except jinja2.TemplateNotFound:
            problems.append(ConfigProblem(where, "-", "模板文件不存在"))
            continue
        except jinja2.TemplateSyntaxError as exc:
            problems.append(ConfigProblem(where, f"第 {exc.lineno} 行", f"模板语法错误：{exc.message}"))
            continue
        problems += [ConfigProblem(where, f"第 {line} 行", f"没有指标 {code}（见 indicators.yaml）")
                     for line, code in _named_codes(env, name) if code not in codes]
    problems += _plans(config, templates_dir)
    if problems:
        return problems
    return _renders(config, templates_dir)


def _plans(config: CityConfig, templates_dir: Path) -> list[ConfigProblem]:
    files = [config.report.plans_file] + ([config.report.unit_drafts.plans_file] if config.report.unit_drafts else [])
    return [p for name in files for p in _plans_file(templates_dir, name)]


def _plans_file(templates_dir: Path, name: str) -> list[ConfigProblem]:
    from nianbao.report.plans import PlansFile

    path = templates_dir / name
    where = f"templates/{name}"
    try:
        PlansFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return [ConfigProblem(where, "-", "文件不存在")]
    except yaml.YAMLError as exc:
        return [ConfigProblem(where, "-", f"不是有效的 YAML：{exc}")]
    except Exception as exc:  # noqa: BLE001 - pydantic's ValidationError, translated below
        from pydantic import ValidationError

        from nianbao.config.errors import translate

        if isinstance(exc, ValidationError):
            return translate(where, exc, PlansFile)
        raise
    return []


def _renders(config: CityConfig, templates_dir: Path) -> list[ConfigProblem]:
    """Render every template against a sample cycle; each failure named with its template."""
    from nianbao.stages.samples import sample_renders

    problems = []
    for name, render in sample_renders(config, templates_dir):
        try:
            render()
        except jinja2.TemplateError as exc:
            problems.append(ConfigProblem(f"templates/{name}", f"第 {getattr(exc, 'lineno', None) or '-'} 行",
                                          f"用示例数据渲染失败：{exc}"))
        except (KeyError, AttributeError, TypeError, ValueError) as exc:
            problems.append(ConfigProblem(f"templates/{name}", "-", f"用示例数据渲染失败：{exc!r}"))
        except ConfigError as exc:  # e.g. the sample year no framework covers
            problems += exc.problems
    return problems
