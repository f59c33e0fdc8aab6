"""Pydantic validation errors as sentences a scenario author can act on.

:func:`describe_error` turns one pydantic error into ``key.path: got X, must be Y (allowed ...)``:
the key path as the user writes it (:func:`format_loc`: ``releases[0].females``), the value
given (:func:`show_value`), the rule it broke in words, the allowed range with its unit from the
field's metadata, a suggestion for a misspelt key (:func:`closest_key`) or option, and where the
value came from (a base file of ``extends``, or a ``sweep``). Used by :mod:`sim.config.loading`
and by the command line for values changed by options (``--years``, ``--quick``).
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from pathlib import Path
from typing import Any, Iterable, Literal

from pydantic import BaseModel

from .file_schema import META_KEYS
from .schema import Scenario


def format_loc(loc: Iterable[str | int]) -> str:
    """``('releases', 0, 'females')`` → ``releases[0].females``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


_TYPE_WORDS = {
    "int": "a whole number", "float": "a number", "bool": "true or false", "string": "text",
    "list": "a list, e.g. [1, 2]", "tuple": "a list, e.g. [1, 2]", "dict": "a mapping of keys to values",
    "model": "a mapping of keys to values", "model_attributes": "a mapping of keys to values",
    "literal": "", "none": "empty (null)",
}

_BOUND_WORDS = {"greater_than": ">", "greater_than_equal": "≥", "less_than": "<", "less_than_equal": "≤"}
_BOUND_CTX = {"greater_than": "gt", "greater_than_equal": "ge", "less_than": "lt", "less_than_equal": "le"}


def _key_similarity(a: str, b: str) -> float:
    """How alike two key names are (0-1): the better of difflib's ratio of the whole names and
    of their ``_``-separated words, each word matched to the most similar word of the other
    name, in any order (summed and divided by the larger word count)."""
    whole = difflib.SequenceMatcher(None, a, b).ratio()
    wa, wb = a.split("_"), b.split("_")
    words = sum(max(difflib.SequenceMatcher(None, x, y).ratio() for y in wb) for x in wa)
    return max(whole, words / max(len(wa), len(wb)))


def closest_key(word: str, options: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The option most like the misspelt key ``word`` (the first of equals), None if none
    reaches ``cutoff``. Word-aware (:func:`_key_similarity`): the whole-name ratio alone follows
    letter order and suggests ``adult_survival_male`` for ``adult_female_survivl``; matching
    words finds ``adult_survival_female``."""
    scored = [(_key_similarity(word, o), o) for o in options]
    best = max(scored, key=lambda t: t[0], default=(0.0, None))
    return best[1] if best[0] >= cutoff else None


def describe_error(err: dict, data: dict | None = None, chain: list[tuple[Path, dict]] | None = None,
                   swept: set[str] | None = None) -> str:
    """One pydantic error as ``key.path: got X, must be Y (allowed ...)``.

    ``data``: the mapping that was validated (to word release-after-horizon errors);
    ``chain``: ``(file, own keys)`` of the file and its ``extends`` bases, nearest first (to say
    which base set a bad value); ``swept``: key paths set by a ``sweep`` (to say so).
    """
    loc = tuple(err.get("loc", ()))
    kind = err.get("type", "")
    given = err.get("input")
    path = format_loc(loc)
    field, parent, annotation = _field_at(loc)
    note = ""
    if swept and path in swept:
        note = " (value set by sweep)"
    elif chain and len(chain) > 1 and loc:
        origin = next((f for f, own in chain if _has_path(own, loc)), None)
        if origin is not None and origin != chain[0][0]:
            note = f" (set in {origin.name})"

    if kind == "extra_forbidden":
        key = str(loc[-1])
        allowed = sorted(parent.model_fields) if parent is not None else []
        if parent is Scenario:
            allowed = sorted([*allowed, *META_KEYS])
        text = f"unknown key {key!r}"
        close = closest_key(key, allowed)
        if close:
            text += f"; did you mean {close!r}?"
        elif allowed:
            where = format_loc(loc[:-1]) or "the top level"
            text += f"; keys allowed in {where}: {', '.join(allowed)}"
        return f"{path}: {text}{note}"

    if kind == "missing":
        return f"{path}: required key missing{note}"

    if kind == "value_error" or kind.startswith("assertion"):
        msg = str(err.get("msg", "")).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        m = re.match(r"^releases\.(\d+): a release in year (\d+) falls after the horizon \(years: (\d+)\)", msg)
        if m:
            i, year, horizon = m.groups()
            rel = (data or {}).get("releases", [{}])[int(i)] if data else {}
            rep = " (counting its repeats)" if isinstance(rel, dict) and rel.get("repeat") else ""
            return (f"releases[{i}]: the release in year {year}{rep} falls after the horizon "
                    f"(years: {horizon}); release by year {horizon} or raise years to at least {year}")
        if not path or msg.startswith(path + "."):      # the message names its own key
            return f"{msg}{note}"
        return f"{path}: {msg}{note}"

    got = show_value(given)
    head = f"{path}: got {got}, " if got else f"{path}: "

    if kind in _BOUND_WORDS:
        bound = (err.get("ctx") or {}).get(_BOUND_CTX[kind])
        text = f"must be {_BOUND_WORDS[kind]} {show_number(bound)}"
        rng = _range_text(field, str(loc[-1]) if loc else "value")
        return f"{head}{text}{f' ({rng})' if rng else ''}{note}"

    if kind == "literal_error":
        options = _literal_options(annotation)
        if options:
            text = f"must be one of: {', '.join(str(o) for o in options)}"
            if isinstance(given, str):
                close = difflib.get_close_matches(given, [str(o) for o in options], n=1, cutoff=0.6)
                if close:
                    text += f"; did you mean {close[0]!r}?"
        else:
            text = f"must be {(err.get('ctx') or {}).get('expected', 'one of the allowed values')}"
        return f"{head}{text}{note}"

    if kind in ("too_long", "too_short"):
        ctx = err.get("ctx") or {}
        fixed = _fixed_tuple_length(annotation)
        if fixed is not None:
            text = f"must be a list of exactly {fixed} items"
            if fixed == 2 and loc and str(loc[-1]) == "cell":
                text += " [row, col]"
            elif fixed == 4 and loc and str(loc[-1]) == "box":
                text += " [row0, col0, row1, col1]"
        elif kind == "too_long":
            text = f"must have at most {ctx.get('max_length')} items"
        else:
            text = f"must have at least {ctx.get('min_length')} items"
        return f"{head}{text}{note}"

    if kind == "string_pattern_mismatch":
        return f"{head}may contain only letters, digits and the characters _ . + = , - (no spaces){note}"
    if kind == "string_too_short":
        return f"{head}must not be empty{note}"
    if kind == "string_too_long":
        return f"{head}must be at most {(err.get('ctx') or {}).get('max_length')} characters long{note}"
    if kind == "finite_number":
        return f"{head}must be a finite number{note}"
    if kind == "int_from_float":
        return f"{head}must be a whole number{note}"

    base = kind.rsplit("_", 1)[0] if kind.endswith(("_type", "_parsing")) else ""
    if base in _TYPE_WORDS and _TYPE_WORDS[base]:
        text = f"must be {_TYPE_WORDS[base]}"
        rng = _range_text(field, str(loc[-1]) if loc else "value")
        return f"{head}{text}{f' ({rng})' if rng else ''}{note}"
    return f"{head}{err.get('msg', 'invalid value')}{note}"


def _field_at(loc: tuple) -> tuple[Any, type[BaseModel] | None, Any]:
    """(FieldInfo or None, model holding the last key, annotation) for a pydantic error location."""
    tp: Any = Scenario
    field = None
    parent: type[BaseModel] | None = None
    for part in loc:
        tp = _strip_optional(tp)
        if isinstance(part, int):
            origin, args = typing.get_origin(tp), typing.get_args(tp)
            if origin is list and args:
                tp = args[0]
            elif origin is tuple and args:
                if len(args) == 2 and args[1] is Ellipsis:
                    tp = args[0]
                elif part < len(args):
                    tp = args[part]
                else:
                    return None, parent, None
            else:
                return None, parent, None
            field = None
        elif isinstance(tp, type) and issubclass(tp, BaseModel):
            parent = tp
            field = tp.model_fields.get(part)
            if field is None:
                return None, parent, None
            tp = field.annotation
        else:
            return None, None, None
    return field, parent, tp


def _strip_optional(tp: Any) -> Any:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return tp


def _literal_options(tp: Any) -> list:
    tp = _strip_optional(tp)
    return list(typing.get_args(tp)) if typing.get_origin(tp) is Literal else []


def _fixed_tuple_length(tp: Any) -> int | None:
    tp = _strip_optional(tp)
    if typing.get_origin(tp) is tuple:
        args = typing.get_args(tp)
        if args and not (len(args) == 2 and args[1] is Ellipsis):
            return len(args)
    return None


def _range_text(field: Any, name: str) -> str:
    """``allowed: 0 ≤ females ≤ 500 [unit]`` from the field's constraints, or ''."""
    if field is None:
        return ""
    lo = hi = ""
    for m in field.metadata:
        for attr, sym, side in (("ge", "≤", "lo"), ("gt", "<", "lo"), ("le", "≤", "hi"), ("lt", "<", "hi")):
            v = getattr(m, attr, None)
            if v is not None:
                if side == "lo":
                    lo = f"{show_number(v)} {sym} "
                else:
                    hi = f" {sym} {show_number(v)}"
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    unit = f" [{extra['unit']}]" if extra.get("unit") else ""
    if not (lo or hi):
        return unit.strip()
    return f"allowed: {lo}{name}{hi}{unit}"


def show_number(v: Any) -> str:
    """A number as a user would write it: whole floats without ``.0`` (``5.0`` → ``5``)."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def show_value(value: Any) -> str:
    """A short YAML-like rendering of a scalar or short list given by the user ('' if not shown)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:57] + "...")
    if isinstance(value, (int, float)):
        return show_number(value)
    if isinstance(value, (list, tuple)):
        inner = [show_value(v) for v in value]
        if all(inner):
            text = "[" + ", ".join(inner) + "]"
            return text if len(text) <= 60 else text[:57] + "...]"
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "a mapping"
    return ""


def _has_path(mapping: Any, loc: tuple) -> bool:
    """Whether the raw mapping sets a value at the key path ``loc``."""
    node = mapping
    for part in loc:
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                return False
        elif not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


__all__ = ["format_loc", "closest_key", "describe_error", "show_value", "show_number"]
