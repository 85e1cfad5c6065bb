"""pydantic's validation errors as an administrator reads them: `文件: 键路径: 原因`, in Chinese, with
what was found, one line per problem."""

from __future__ import annotations

import difflib
import json
from typing import Any

from pydantic import ValidationError

from nianbao.config.base import Problems
from nianbao.errors import ConfigProblem

TAGS = {"maildir", "imap", "folder", "smtp"}  # discriminator tags pydantic puts into a key path


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return f"“{value}”"
    try:
        return json.dumps(value, ensure_ascii=False, default=str)[:80]
    except (TypeError, ValueError):
        return repr(value)[:80]


def _path(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in TAGS or part in ("function-after", "function-before", "[key]"):
            continue
        else:
            out += ("." if out else "") + str(part)
    return out or "-"


def allowed_keys(model: type) -> list[str]:
    """Every field name of ``model`` and of the models inside it (the candidates for "did you mean")."""
    from typing import get_args

    from pydantic import BaseModel

    seen, todo, names = set(), [model], set()
    while todo:
        m = todo.pop()
        if m in seen:
            continue
        seen.add(m)
        for name, field in m.model_fields.items():
            names.add(name)
            stack = [field.annotation]
            while stack:
                t = stack.pop()
                if isinstance(t, type) and issubclass(t, BaseModel):
                    todo.append(t)
                stack += list(get_args(t))
    return sorted(names)


def _reason(err: dict, allowed: list[str]) -> str:
    kind, ctx, got = err["type"], err.get("ctx") or {}, err.get("input")
    shown = _shown(got)
    if err["loc"] and err["loc"][-1] == "[key]":
        return f"键应为{'整数' if kind.startswith('int') else '文字'}，实为 {shown}"
    if kind == "missing":
        return "缺少此项"
    if kind == "extra_forbidden":
        key = str(err["loc"][-1])
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.7)
        return "不认识的键" + (f"，是否应为 “{close[0]}”？" if close else "（拼写错误？）")
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"应为整数，实为 {shown}"
    if kind in ("float_type", "float_parsing"):
        return f"应为数字，实为 {shown}"
    if kind == "string_type":
        return f"应为文字，实为 {shown}"
    if kind == "bool_type":
        return f"应为 true 或 false，实为 {shown}"
    if kind in ("list_type", "tuple_type", "frozen_set_type", "set_type"):
        return f"应为列表（如 [a, b]），实为 {shown}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"应为键值映射（如 {{a: 1}}），实为 {shown}"
    if kind == "literal_error":
        options = ctx.get("expected", "").replace("'", "").replace(" or ", ", ")
        return f"应为 {'、'.join(o.strip() for o in options.split(','))} 之一，实为 {shown}"
    if kind == "union_tag_invalid":
        tags = [t.strip(" '") for t in str(ctx.get("expected_tags", "")).split(",")]
        return f"应为 {'、'.join(tags)} 之一，实为 {_shown(ctx.get('tag'))}"
    if kind == "union_tag_not_found":
        return f"缺少 {ctx.get('discriminator', '').strip(chr(39))}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        word = {"greater_than_equal": "不小于", "greater_than": "大于", "less_than_equal": "不大于",
                "less_than": "小于"}[kind]
        limit = next(iter(ctx.values()), "")
        return f"应{word} {limit}，实为 {shown}"
    if kind in ("too_short", "too_long"):
        return (f"至少需要 {ctx.get('min_length')} 项" if kind == "too_short" and not isinstance(got, str)
                else f"长度应{'至少' if kind == 'too_short' else '至多'}为 {ctx.get('min_length', ctx.get('max_length'))}，实为 {shown}")
    if kind in ("string_too_short", "string_too_long"):
        return "不能为空" if kind == "string_too_short" else f"至多 {ctx.get('max_length')} 个字符，实为 {shown}"
    if kind in ("date_type", "date_parsing", "date_from_datetime_parsing"):
        return f"应为日期（YYYY-MM-DD），实为 {shown}"
    if kind == "finite_number":
        return f"应为有限的数字，实为 {shown}"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"])).removeprefix("Value error, ")
    # A check this module has no wording for yet: said in Chinese, pydantic's own words kept for the expert.
    return f"值不符合要求（{err['msg']}），实为 {shown}"


def translate(file: str, exc: ValidationError, model: type) -> list[ConfigProblem]:
    """Every error of ``exc`` (validating ``model``) as a problem of ``file``."""
    allowed = allowed_keys(model)
    out = []
    for err in exc.errors(include_url=False):
        error = (err.get("ctx") or {}).get("error")
        if isinstance(error, Problems):
            prefix = _path(err["loc"])
            out += [ConfigProblem(file, f"{prefix}.{k}" if prefix != "-" else k, r) for k, r in error.items]
            continue
        loc = err["loc"]
        if err["type"] in ("union_tag_invalid", "union_tag_not_found"):  # the key at fault is the tag's
            loc = (*loc, str((err.get("ctx") or {}).get("discriminator", "backend")).strip("'"))
        out.append(ConfigProblem(file, _path(loc), _reason(err, allowed)))
    return out
