"""config/messages.yaml: the wording of every check and refusal. A city may reword any message, but
must keep every key the program uses (those of the shipped file) and may only use the {names} the
program fills in for it."""

from __future__ import annotations

import string
from pathlib import Path

import yaml

from nianbao.errors import ConfigProblem

SHIPPED = Path(__file__).resolve().parents[2] / "config" / "messages.yaml"


def names(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def check_messages(data: object, file: str = "messages.yaml") -> tuple[dict[str, str], list[ConfigProblem]]:
    """(messages, problems). Compared with the shipped file: no key missing, no unknown {name}."""
    problems: list[ConfigProblem] = []
    if not isinstance(data, dict):
        return {}, [ConfigProblem(file, "-", "应为“键: 文字”的映射")]
    reference = yaml.safe_load(SHIPPED.read_text(encoding="utf-8")) if SHIPPED.exists() else data
    out: dict[str, str] = {}
    for key, text in data.items():
        if not isinstance(text, str):
            problems.append(ConfigProblem(file, str(key), f"应为文字，实为 {text!r}"))
            continue
        try:
            used = names(text)
        except ValueError:
            problems.append(ConfigProblem(file, str(key), "花括号不成对"))
            continue
        allowed = names(reference.get(key, text)) if key in reference else used
        if used - allowed:
            problems.append(ConfigProblem(file, str(key), f"不认识 {{{sorted(used - allowed)[0]}}}，"
                                                          f"可用：{'、'.join(sorted(allowed)) or '无'}"))
        out[str(key)] = text
    for key in reference:
        if key not in data:
            problems.append(ConfigProblem(file, str(key), "缺少此项（程序需要这条措辞）"))
    return out, problems
