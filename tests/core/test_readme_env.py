"""The README documents every environment variable the code reads, and nothing it does not."""

from __future__ import annotations

import re

from nianbao.settings import REPO_ROOT

SOURCES = ("nianbao", "flows", "tasks")


def variables_in_code() -> set[str]:
    found = set()
    for root in SOURCES:
        for path in (REPO_ROOT / root).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            found |= set(re.findall(r"NIANBAO_[A-Z][A-Z0-9_]*[A-Z0-9]", text))
            for name in re.findall(r'secret\("([a-z_]+)"\)', text):  # NIANBAO_<NAME> and NIANBAO_<NAME>_BLOCK
                found |= {f"NIANBAO_{name.upper()}", f"NIANBAO_{name.upper()}_BLOCK"}
    found |= set(re.findall(r"NIANBAO_[A-Z][A-Z0-9_]*[A-Z0-9]", (REPO_ROOT / "prefect.yaml").read_text(encoding="utf-8")))
    return found


def variables_in_readme() -> set[str]:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Environment variables", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `(NIANBAO_[A-Z0-9_]+)`", table, re.M))


def test_the_readme_lists_exactly_the_variables_the_code_reads():
    assert variables_in_readme() == variables_in_code()
