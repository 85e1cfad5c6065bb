"""config/tasks/<year>.yaml: a year's work plan as tasks, each with its lead and responsible units.

Written by `nianbao plan import`, then the administrator's to edit; validated like every config file
(strict, no unknown keys, every problem at once as `tasks/2026.yaml: 键路径: 原因`), and against the
roster: each code a unit of units.yaml, each group one of groups.yaml. Keys are written in one fixed
order, short lists on one line, so that a re-import of the same plan changes nothing and an edited
file reads as a diff."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import Field, ValidationError, model_validator

from nianbao.config.base import Day, Int, Model, Text, raise_problems
from nianbao.config.errors import translate
from nianbao.errors import ConfigError, ConfigProblem

NonEmpty = Annotated[Text, Field(min_length=1)]
FOLDER = "tasks"


class UnresolvedName(Model):
    """A name the plan gives that is no unit or group here, kept as written (--keep-unresolved)."""
    name: NonEmpty
    role: Literal["lead", "responsible"]


class Task(Model):
    id: NonEmpty
    chapter: Text | None = None  # the "一、" heading above the task
    section: Text | None = None  # the "（一）" heading above the task
    title: NonEmpty
    text: NonEmpty
    lead: tuple[NonEmpty, ...] = ()  # unit codes
    lead_groups: tuple[NonEmpty, ...] = ()  # group names (groups.yaml)
    responsible: tuple[NonEmpty, ...] = ()
    responsible_groups: tuple[NonEmpty, ...] = ()
    unresolved: tuple[UnresolvedName, ...] = ()
    deadline: Day | None = None
    deadline_text: Text | None = None
    source: Text | None = None  # where in the plan: 第12行, 表1第3行


class TaskFile(Model):
    year: Int = Field(ge=2000, le=2100)
    source: Text  # the plan's file name
    tasks: tuple[Task, ...] = ()

    @model_validator(mode="after")
    def _ids(self) -> TaskFile:
        seen: dict[str, int] = {}
        problems = []
        for n, t in enumerate(self.tasks):
            if t.id in seen:
                problems.append((f"tasks[{n}].id", f"任务编号 {t.id} 与 tasks[{seen[t.id]}] 重复"))
            seen.setdefault(t.id, n)
        raise_problems(problems)
        return self


# -- writing --------------------------------------------------------------------------------------------
class _Flow(list):
    """A list written on one line: [D02, D12]."""


class _FlowMap(dict):
    """A mapping written on one line: {name: 市委编办, role: lead}."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(_Flow, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))
_Dumper.add_representer(_FlowMap, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v, flow_style=True))
_Dumper.add_representer(tuple, lambda d, v: d.represent_list(list(v)))

HEADER = ("# Tasks of the {year} work plan, imported from {source} by `nianbao plan import`.\n"
          "# lead / responsible: unit codes (units.yaml); *_groups: group names (groups.yaml); unresolved: names\n"
          "# kept as the plan writes them. Edit freely; `nianbao check` validates this file.\n")


def _plain(task: Task) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in task.model_dump().items():
        if key == "unresolved":
            value = [_FlowMap(u) for u in value]
        elif isinstance(value, tuple):
            value = _Flow(value)
        out[key] = value
    return out


def dump_task_file(tf: TaskFile) -> str:
    body = {"year": tf.year, "source": tf.source, "tasks": [_plain(t) for t in tf.tasks]}
    text = yaml.dump(body, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100, default_flow_style=False)
    return HEADER.format(year=tf.year, source=tf.source) + text


def save_task_file(tf: TaskFile, path: Path) -> Path:
    """Write ``tf`` to ``path`` (its folder made; replaced whole, never left half-written)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(dump_task_file(tf), encoding="utf-8")
    tmp.replace(path)
    return path


# -- reading --------------------------------------------------------------------------------------------
def _label(path: Path) -> str:
    return f"{FOLDER}/{Path(path).name}"


def read_task_file(path: Path, config) -> tuple[TaskFile | None, list[ConfigProblem]]:
    """The file validated, and against ``config`` (a CityConfig); every problem found."""
    from nianbao.cityconfig import read_yaml

    label = _label(path)
    data, problem = read_yaml(Path(path))
    if problem:
        return None, [ConfigProblem(label, problem.key, problem.reason)]
    try:
        tf = TaskFile.model_validate(data)
    except ValidationError as exc:
        return None, translate(label, exc, TaskFile)
    return tf, _roster_problems(tf, Path(path), config)


def _roster_problems(tf: TaskFile, path: Path, config) -> list[ConfigProblem]:
    label, codes, groups = _label(path), {u.code for u in config.units}, {g.name for g in config.groups}
    out = []
    if path.stem.isdigit() and int(path.stem) != tf.year:
        out.append(ConfigProblem(label, "year", f"文件名是 {path.stem} 年，文件中的年度却是 {tf.year}"))
    for n, t in enumerate(tf.tasks):
        for key in ("lead", "responsible"):
            out += [ConfigProblem(label, f"tasks[{n}].{key}[{j}]", f"单位名单（units.yaml）中没有单位 {code}")
                    for j, code in enumerate(getattr(t, key)) if code not in codes]
            out += [ConfigProblem(label, f"tasks[{n}].{key}_groups[{j}]", f"groups.yaml 中没有单位组 “{name}”")
                    for j, name in enumerate(getattr(t, f"{key}_groups")) if name not in groups]
    return out


def load_task_file(path: Path, config) -> TaskFile:
    """config/tasks/<year>.yaml, validated and checked against the roster; ConfigError listing every problem."""
    tf, problems = read_task_file(path, config)
    if problems or tf is None:
        raise ConfigError(problems)
    return tf


def task_file_problems(config_dir: Path, config) -> list[ConfigProblem]:
    """Every problem of every config/tasks/*.yaml (no tasks folder: none)."""
    folder = Path(config_dir) / FOLDER
    if not folder.is_dir():
        return []
    return [p for path in sorted(folder.glob("*.yaml")) for p in read_task_file(path, config)[1]]
