"""Scenario files: YAML loading, ``extends``, ``sweep`` expansion and readable errors.

A scenario file (``yaml.safe_load`` only) holds one scenario (a mapping) or a list of them. Three
top-level keys are about the file rather than the model and are removed before validation:

``extends: base.yaml``
    Path relative to this file. The base is loaded (recursively; cycles are refused) and this
    mapping overrides it key by key: mappings merge recursively, lists and scalars replace.
    ``extends`` and ``abstract`` are not inherited.
``abstract: true``
    The mapping is only a base for other files; it is not run (and not validated on its own).
``sweep: {releases.0.females: [4, 6, 8]}``
    One scenario becomes a family, one member per value (several keys: the full factorial).
    Key paths are dotted, with integer list indices (``releases[0].females`` is accepted too).
    Members are named ``<name>__<lastkey>=<value>`` (joined by ``__`` for several keys); ``family``
    becomes the base name if it was empty.

A single-scenario file without ``name`` takes the file's stem as its name. Every problem found in
a file (YAML syntax, unknown key, wrong type, value out of range, bad sweep path, release after
the horizon) is collected and raised as one :class:`ScenarioError` that names the file, the key
path as the user writes it (``releases[0].females``), what was given and what is allowed.
Checks that need the built landscape (sites that exist, cells inside the grid, raster shapes)
are in :func:`check_against_landscape` and :func:`build_and_check`; rule names in
:func:`check_rules`.
"""

from __future__ import annotations

import copy
import difflib
import itertools
import re
import types
import typing
from pathlib import Path
from typing import Any, Iterable, Literal

import yaml
from pydantic import BaseModel, ValidationError

from ..config.schema import Scenario

META_KEYS = ("extends", "abstract", "sweep")
YAML_SUFFIXES = (".yaml", ".yml")

#: JSON Schema of the file-level keys (:data:`META_KEYS`), for :func:`file_json_schema`.
META_KEY_SCHEMAS: dict[str, dict] = {
    "extends": {"type": "string", "minLength": 1,
                "description": "Path of a base scenario file, relative to this file; this file's values "
                               "override it (mappings merge recursively, lists and scalars replace)"},
    "abstract": {"type": "boolean", "default": False,
                 "description": "true: only a base for other files; not run (nor validated on its own)"},
    "sweep": {"type": "object", "minProperties": 1,
              "additionalProperties": {"type": "array", "minItems": 1},
              "description": "Key path -> list of values, e.g. {releases.0.females: [4, 6, 8]}: one "
                             "scenario per value (several keys: the full factorial)"},
}


# ============================================================================================
# The error
# ============================================================================================

class ScenarioError(Exception):
    """Bad scenario input: one or more problems, each tied to a file.

    ``problems`` is a list of ``(file, text)``; ``str(error)`` groups them by file, one per line.
    """

    def __init__(self, file: str | Path | None, *problems: str) -> None:
        self.problems: list[tuple[str, str]] = [(str(file) if file is not None else "", p)
                                                for p in problems]
        super().__init__(self._format())

    @classmethod
    def combine(cls, errors: Iterable["ScenarioError"]) -> "ScenarioError":
        out = cls(None)
        out.problems = [p for e in errors for p in e.problems]
        out.args = (out._format(),)
        return out

    def _format(self) -> str:
        by_file: dict[str, list[str]] = {}
        for file, text in self.problems:
            by_file.setdefault(file, []).append(text)
        blocks = []
        for file, texts in by_file.items():
            head = f"{file}: " if file else ""
            if len(texts) == 1:
                blocks.append(f"{head}{texts[0]}")
            else:
                blocks.append(f"{head}{len(texts)} problems\n" + "\n".join(f"  - {t}" for t in texts))
        return "\n".join(blocks)

    def __str__(self) -> str:
        return self._format()


# ============================================================================================
# The JSON Schema of a file
# ============================================================================================

def file_json_schema() -> dict:
    """JSON Schema of a scenario file, for editor completion and checking (``run_scenarios.py
    schema``): one scenario mapping or a non-empty list of them.

    A mapping has the keys of :class:`Scenario` plus the file-level keys ``extends``,
    ``abstract`` and ``sweep``, and none is required, because this describes the file as
    written, before :func:`load_file` resolves it: ``name`` may come from the file name, and a
    file that extends a base gives only what it changes. Values still have their types and
    ranges, and unknown keys are flagged at every level.
    """
    schema = Scenario.model_json_schema()
    schema.pop("required", None)
    schema["properties"] = {**META_KEY_SCHEMAS, **schema["properties"]}
    schema.update({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Scenario file",
        "description": "One scenario (a mapping) or a list of scenarios; see docs/scenarios.md",
        "type": ["object", "array"],
        "minItems": 1,
        "items": {"$ref": "#", "type": "object"},
    })
    return schema


# ============================================================================================
# Loading
# ============================================================================================

def load_scenarios(paths: Iterable[str | Path]) -> list[tuple[Scenario, Path]]:
    """Load, expand and validate every scenario in the given files or folders.

    A folder means every ``*.yaml``/``*.yml`` in it (sorted by name), skipping names that start
    with ``_``. Returns ``(scenario, file)`` pairs in file order; abstract bases are left out.
    Raises :class:`ScenarioError` with every problem of every file, or if two scenarios share
    a name.
    """
    files: list[Path] = []
    errors: list[ScenarioError] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            found = sorted(f for f in p.iterdir()
                           if f.is_file() and f.suffix in YAML_SUFFIXES and not f.name.startswith("_"))
            if not found:
                errors.append(ScenarioError(p, "folder holds no *.yaml or *.yml scenario files"))
            files.extend(found)
        elif p.is_file():
            files.append(p)
        else:
            errors.append(ScenarioError(p, "no such file or folder"))

    out: list[tuple[Scenario, Path]] = []
    for f in files:
        try:
            out.extend((s, f) for s in load_file(f))
        except ScenarioError as e:
            errors.append(e)
    if errors:
        raise ScenarioError.combine(errors)

    seen: dict[str, Path] = {}
    dupes = []
    for s, f in out:
        if s.name in seen:
            dupes.append(ScenarioError(f, f"scenario name {s.name!r} is used twice (also in "
                                          f"{seen[s.name]}); names must be unique within a run"))
        seen.setdefault(s.name, f)
    if dupes:
        raise ScenarioError.combine(dupes)
    return out


def load_file(file: str | Path) -> list[Scenario]:
    """All scenarios of one YAML file (extends resolved, sweeps expanded, validated)."""
    file = Path(file)
    data = _read_yaml(file)
    if isinstance(data, dict):
        entries, single = [data], True
    elif isinstance(data, list) and data:
        entries, single = data, False
    else:
        raise ScenarioError(file, "a scenario file must hold one scenario (a mapping of keys to values) "
                                  "or a non-empty list of scenarios")

    problems: list[str] = []
    scenarios: list[Scenario] = []
    for i, entry in enumerate(entries):
        where = "" if single else f"scenario {i + 1}" + (
            f" ({entry['name']!r})" if isinstance(entry, dict) and isinstance(entry.get("name"), str) else "")
        prefix = f"{where}: " if where else ""
        if not isinstance(entry, dict):
            problems.append(f"{prefix}each scenario must be a mapping of keys to values, got "
                            f"{_show(entry) or type(entry).__name__}")
            continue
        try:
            scenarios.extend(_load_entry(entry, file, single, prefix))
        except _EntryProblems as e:
            problems.extend(e.problems)
    problems = list(dict.fromkeys(problems))     # sweep members repeat the same problem
    if problems:
        raise ScenarioError(file, *problems)
    return scenarios


class _EntryProblems(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _read_yaml(file: Path) -> Any:
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as e:
        raise ScenarioError(file, f"cannot read the file ({e.strerror or e})") from None
    except UnicodeDecodeError:
        raise ScenarioError(file, "the file is not UTF-8 text") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise ScenarioError(file, _yaml_message(e)) from None
    if data is None:
        raise ScenarioError(file, "the file is empty")
    return data


def _yaml_message(e: yaml.YAMLError) -> str:
    mark = getattr(e, "problem_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    what = getattr(e, "problem", None) or str(e)
    ctx = getattr(e, "context", None)
    cmark = getattr(e, "context_mark", None)
    if ctx and cmark is not None and (mark is None or cmark.line != mark.line):
        ctx += f" that starts at line {cmark.line + 1}"
    msg = f"YAML syntax error{where}: {what}" + (f" ({ctx})" if ctx else "")
    if "\\t" in what or "\t" in what:
        msg += "; indent with spaces, not tabs"
    return msg


def _load_entry(entry: dict, file: Path, single: bool, prefix: str) -> list[Scenario]:
    """Resolve extends, expand the sweep and validate one scenario mapping of ``file``."""
    problems: list[str] = []
    abstract = entry.get("abstract", False)
    if not isinstance(abstract, bool):
        raise _EntryProblems([f"{prefix}abstract: got {_show(abstract)}, must be true or false"])
    if abstract:
        return []
    own = dict(entry)
    named_by_file = single and "name" not in own
    if named_by_file:
        own["name"] = file.stem
    elif "name" not in own:
        raise _EntryProblems([f"{prefix}name: required key missing (every scenario in a list needs a name)"])

    chain = [(file, {k: v for k, v in own.items() if k not in ("extends", "abstract")})]
    try:
        merged = _resolve_extends(own, file, (file.resolve(),), chain)
    except ScenarioError as e:
        raise _EntryProblems([f"{prefix}{_inline(e, file)}"]) from None

    sweep = merged.pop("sweep", None)
    base_name = merged.get("name")
    try:
        variants = _expand_sweep(merged, sweep)
    except ValueError as e:                     # report it, and still check the rest
        problems.append(f"{prefix}{e}")
        variants, sweep = [merged], None
    swept_paths = {_dotted_to_display(k) for k in sweep} if isinstance(sweep, dict) else set()
    if sweep and not prefix and base_name:
        prefix = f"scenario {base_name!r} (sweep): "

    out = []
    for data in variants:
        try:
            out.append(Scenario.model_validate(data))
        except ValidationError as e:
            for err in e.errors(include_url=False):
                text = describe_error(err, data, chain, swept_paths)
                if named_by_file and tuple(err.get("loc", ())) == ("name",):
                    text += " (the name was taken from the file name; give one with name: ...)"
                problems.append(prefix + text)
    if problems:
        raise _EntryProblems(problems)
    return out


def _inline(e: ScenarioError, file: Path) -> str:
    """A ScenarioError raised while reading a base file, as one line for ``file``'s report."""
    return "; ".join(text if f in ("", str(file)) else f"{f}: {text}" for f, text in e.problems)


def _resolve_extends(own: dict, file: Path, seen: tuple[Path, ...],
                     chain: list[tuple[Path, dict]]) -> dict:
    """``own`` merged over its ``extends`` base (recursively). Appends each base to ``chain``."""
    own = {k: v for k, v in own.items() if k not in ("abstract",)}
    ext = own.pop("extends", None)
    if ext is None:
        return own
    if not isinstance(ext, str) or not ext.strip():
        raise ScenarioError(file, f"extends: got {_show(ext)}, must be the path of a base file "
                                  "(relative to this file)")
    base_file = file.parent / ext
    resolved = base_file.resolve()
    if resolved in seen:
        cycle = " → ".join(p.name for p in seen + (resolved,))
        raise ScenarioError(None, f"extends: cycle: {cycle} (a file cannot extend itself, "
                                  "directly or through other files)")
    if not base_file.is_file():
        raise ScenarioError(file, f"extends: base file {ext!r} not found (looked for {base_file})")
    data = _read_yaml(base_file)
    if not isinstance(data, dict):
        raise ScenarioError(base_file, f"a base (extends: {ext}) must hold exactly one scenario "
                                       "(a mapping), not a list")
    chain.append((base_file, {k: v for k, v in data.items() if k not in ("extends", "abstract")}))
    base = _resolve_extends(data, base_file, seen + (resolved,), chain)
    return deep_merge(base, own)


def deep_merge(base: dict, over: dict) -> dict:
    """``over`` on top of ``base``: mappings merge recursively, lists and scalars replace."""
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(out.get(k), dict) and isinstance(v, dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


# ============================================================================================
# Sweeps
# ============================================================================================

def parse_key_path(path: str) -> list[str | int]:
    """``releases.0.females`` or ``releases[0].females`` → ``['releases', 0, 'females']``."""
    if not isinstance(path, str) or not path.strip():
        raise ValueError(f"sweep: key {_show(path)} must be a dotted key path such as releases.0.females")
    parts: list[str | int] = []
    for piece in re.sub(r"\[(\d+)\]", r".\1", path.strip()).split("."):
        if piece == "":
            raise ValueError(f"sweep: key {path!r} has an empty part (write e.g. releases.0.females)")
        parts.append(int(piece) if piece.isdigit() else piece)
    if isinstance(parts[0], int):
        raise ValueError(f"sweep: key {path!r} must start with a key name, not an index")
    return parts


def _dotted_to_display(path: str) -> str:
    try:
        return format_loc(parse_key_path(path))
    except ValueError:
        return str(path)


def _expand_sweep(data: dict, sweep: Any) -> list[dict]:
    """The scenarios a ``sweep`` mapping makes from ``data`` (``[data]`` if there is none)."""
    if sweep is None:
        return [data]
    if not isinstance(sweep, dict) or not sweep:
        raise ValueError(f"sweep: got {_show(sweep) or type(sweep).__name__}, must be a mapping of "
                         "key path → list of values, e.g. {releases.0.females: [4, 6, 8]}")
    keys, paths, value_lists = [], [], []
    for key, values in sweep.items():
        parts = parse_key_path(key)
        if not isinstance(values, list) or not values:
            raise ValueError(f"sweep: {key}: got {_show(values)}, must be a non-empty list of values, "
                             "e.g. [4, 6, 8]")
        _set_path(copy.deepcopy(data), parts, values[0], key)     # a bad path fails here
        keys.append(key)
        paths.append(parts)
        value_lists.append(values)
    base_name = str(data.get("name", "scenario"))
    out = []
    for combo in itertools.product(*value_lists):
        member = copy.deepcopy(data)
        labels = []
        for key, parts, value in zip(keys, paths, combo):
            _set_path(member, parts, copy.deepcopy(value), key)
            last = next((p for p in reversed(parts) if isinstance(p, str)), str(parts[-1]))
            labels.append(f"{last}={_label(value)}")
        member["name"] = "__".join([base_name, *labels])
        if not member.get("family"):
            member["family"] = base_name
        out.append(member)
    return out


def _set_path(data: dict, parts: list[str | int], value: Any, key: str) -> None:
    """Set ``value`` at ``parts`` in the raw mapping, creating missing mappings."""
    node: Any = data
    for i, part in enumerate(parts):
        here = format_loc(parts[:i]) or "the scenario"
        last = i == len(parts) - 1
        if isinstance(part, int):
            if not isinstance(node, list):
                raise ValueError(f"sweep: {key}: {here} is not a list, so [{part}] does not apply")
            if part >= len(node):
                raise ValueError(f"sweep: {key}: {here} has {len(node)} entr{'y' if len(node) == 1 else 'ies'}"
                                 f", so index {part} does not exist (indices start at 0)")
            if last:
                node[part] = value
            else:
                node = node[part]
        else:
            if not isinstance(node, dict):
                raise ValueError(f"sweep: {key}: {here} is {_show(node) or 'a list'}, not a mapping, so "
                                 f"it has no key {part!r}")
            if last:
                node[part] = value
            else:
                if part not in node:
                    if isinstance(parts[i + 1], int):
                        raise ValueError(f"sweep: {key}: the scenario sets no {format_loc(parts[:i + 1])} "
                                         "list to index into")
                    node[part] = {}
                node = node[part]


def _label(value: Any) -> str:
    """A sweep value as it appears in a scenario name (letters, digits and _ . + = , - only)."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (list, tuple)):
        text = ",".join(_label(v) for v in value)
    elif value is None:
        text = "none"
    else:
        text = str(value)
    return re.sub(r"[^A-Za-z0-9_.+=,-]+", "-", text)


# ============================================================================================
# Turning pydantic errors into sentences
# ============================================================================================

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
    """One pydantic error as ``key.path: got X, must be Y (allowed ...)``."""
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
        return f"{path}: {msg}{note}" if path else f"{msg}{note}"

    got = _show(given)
    head = f"{path}: got {got}, " if got else f"{path}: "

    if kind in _BOUND_WORDS:
        bound = (err.get("ctx") or {}).get(_BOUND_CTX[kind])
        text = f"must be {_BOUND_WORDS[kind]} {_num(bound)}"
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
                    lo = f"{_num(v)} {sym} "
                else:
                    hi = f" {sym} {_num(v)}"
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    unit = f" [{extra['unit']}]" if extra.get("unit") else ""
    if not (lo or hi):
        return unit.strip()
    return f"allowed: {lo}{name}{hi}{unit}"


def _num(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _show(value: Any) -> str:
    """A short YAML-like rendering of a scalar or short list given by the user ('' if not shown)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:57] + "...")
    if isinstance(value, (int, float)):
        return _num(value)
    if isinstance(value, (list, tuple)):
        inner = [_show(v) for v in value]
        if all(inner):
            text = "[" + ", ".join(inner) + "]"
            return text if len(text) <= 60 else text[:57] + "...]"
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "a mapping"
    return ""


def _has_path(mapping: Any, loc: tuple) -> bool:
    node = mapping
    for part in loc:
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                return False
        elif not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


# ============================================================================================
# Checks that need the landscape or the rule registry
# ============================================================================================

def check_against_landscape(scenario: Scenario, landscape: Any, file: str | Path) -> None:
    """Raise ScenarioError unless every site, cell and fence the scenario names exists.

    Checks release, water-point, protected-area and prey-translocation sites (against
    ``landscape.sites``), cells and boxes (inside the grid), management fences (against
    ``landscape.fences``), that prey species starting with animals have some capacity in
    January (the model starts in January and spreads them in proportion to capacity), and that
    the prey grid (``landscape.prey_cell_km``) keeps the areas the fences separate.
    Collects every problem.
    """
    problems: list[str] = []
    sites = sorted(landscape.sites)
    rows, cols = landscape.rows, landscape.cols
    fence_names = [f.name for f in landscape.fences]

    def site_ok(path: str, site: str | None) -> None:
        if site is None or site in landscape.sites:
            return
        text = f"{path}: no site named {site!r} in the {landscape.name} landscape"
        close = difflib.get_close_matches(site, sites, n=1, cutoff=0.6)
        if close:
            text += f"; did you mean {close[0]!r}?"
        text += f" (sites: {', '.join(sites)})" if sites else " (it has no named sites; give a cell [row, col])"
        problems.append(text)

    def cell_ok(path: str, cell: tuple[int, int] | None) -> None:
        if cell is None:
            return
        r, c = cell
        if not (0 <= r < rows and 0 <= c < cols):
            problems.append(f"{path}: cell [{r}, {c}] is outside the grid (rows 0-{rows - 1}, "
                            f"cols 0-{cols - 1})")

    for i, rel in enumerate(scenario.releases):
        site_ok(f"releases[{i}].site", rel.site)
        cell_ok(f"releases[{i}].cell", rel.cell)
    mg = scenario.management
    for i, wp in enumerate(mg.water_points):
        for j, s in enumerate(wp.sites):
            site_ok(f"management.water_points[{i}].sites[{j}]", s)
        for j, c in enumerate(wp.cells):
            cell_ok(f"management.water_points[{i}].cells[{j}]", c)
    for i, pa in enumerate(mg.protected_areas):
        site_ok(f"management.protected_areas[{i}].site", pa.site)
        cell_ok(f"management.protected_areas[{i}].cell", pa.cell)
        if pa.box is not None:
            r0, c0, r1, c1 = pa.box
            if not (0 <= r0 <= r1 < rows and 0 <= c0 <= c1 < cols):
                problems.append(f"management.protected_areas[{i}].box: [{r0}, {c0}, {r1}, {c1}] must "
                                f"satisfy 0 ≤ row0 ≤ row1 ≤ {rows - 1} and 0 ≤ col0 ≤ col1 ≤ {cols - 1}")
    for i, tr in enumerate(mg.prey_translocations):
        site_ok(f"management.prey_translocations[{i}].site", tr.site)
        cell_ok(f"management.prey_translocations[{i}].cell", tr.cell)
    for kind in ("fence_gaps", "fence_removal"):
        for i, ev in enumerate(getattr(mg, kind)):
            if ev.fence not in fence_names:
                text = f"management.{kind}[{i}].fence: no fence named {ev.fence!r} in the {landscape.name} landscape"
                text += f" (fences: {', '.join(fence_names)})" if fence_names else " (it has no fences)"
                problems.append(text)
    capacity = getattr(landscape, "capacity", {}) or {}
    for species, layer in (("saiga", "saiga_winter"), ("gazelle", "gazelle"), ("urial", "urial")):
        sp = getattr(scenario.prey, species)
        k = capacity.get(layer)
        if sp.initial_total > 0 and k is not None and (sp.capacity_multiplier == 0 or not (k > 0).any()):
            hint = (f", or give it capacity with landscape.{species}_density"
                    if scenario.landscape.preset == "uniform" else "")
            problems.append(f"prey.{species}.initial_total: got {_num(sp.initial_total)} animals, but the "
                            f"{landscape.name} landscape has no {species} capacity (layer {layer}, "
                            f"January); set prey.{species}.initial_total: 0{hint}")
    if hasattr(landscape, "fence_regions"):                 # the prey grid must keep the fence regions
        from ..world.coarsen import coarsened, prey_factor

        try:
            coarsened(landscape, prey_factor(landscape.cell_km, scenario.landscape.prey_cell_km))
        except ValueError as e:
            problems.append(f"landscape.prey_cell_km: {e}")
    if problems:
        raise ScenarioError(file, *problems)


def build_scenario_landscape(scenario: Scenario, file: str | Path) -> Any:
    """Build the scenario's landscape, raster paths relative to the file's folder.

    Raster problems (``sim.rasters.LayerError``) become a ScenarioError naming the file.
    """
    from ..world.build import build_landscape
    from ..world.rasters import LayerError

    try:
        return build_landscape(scenario.landscape, base_dir=Path(file).parent)
    except LayerError as e:
        raise ScenarioError(file, str(e)) from None


def build_and_check(scenario: Scenario, file: str | Path) -> Any:
    """Build the scenario's landscape and run :func:`check_against_landscape`; returns it."""
    land = build_scenario_landscape(scenario, file)
    check_against_landscape(scenario, land, file)
    return land


def check_rules(scenario: Scenario, file: str | Path) -> None:
    """Raise ScenarioError unless each ``rules.*`` name is registered in :mod:`sim.rules`.

    Import plugins (``sim.rules.load_plugin``) before calling this, so their rules count.
    """
    from .. import registry

    problems = []
    for kind, name in scenario.rules.model_dump().items():
        allowed = registry.available(kind)
        if name not in allowed:
            text = f"rules.{kind}: got {name!r}, must be one of: {', '.join(allowed)}"
            close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.7)
            if close:
                text += f"; did you mean {close[0]!r}?"
            text += " (a plugin file given with --plugin can register more)"
            problems.append(text)
    if problems:
        raise ScenarioError(file, *problems)


def check_all(loaded: list[tuple[Scenario, Path]], *, landscape: bool = True) -> None:
    """Rule names and (optionally) landscape checks for every loaded scenario; all problems at once.

    A problem shared by several scenarios of one file (e.g. every member of a sweep) is reported
    once, with the scenario names, when the file holds more than one scenario.
    """
    per_file = {f: sum(1 for _, g in loaded if g == f) for _, f in loaded}
    found: dict[tuple[str, str], list[str]] = {}
    for s, f in loaded:
        for check in ((check_rules, build_and_check) if landscape else (check_rules,)):
            try:
                check(s, f)
            except ScenarioError as e:
                for file, text in e.problems:
                    found.setdefault((file, text), []).append(s.name)
    if not found:
        return
    out = ScenarioError(None)
    for (file, text), names in found.items():
        if per_file.get(Path(file), 1) > 1:
            shown = ", ".join(repr(n) for n in names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
            text = f"scenario{'s' * (len(names) > 1)} {shown}: {text}"
        out.problems.append((file, text))
    out.args = (out._format(),)
    raise out


__all__ = ["ScenarioError", "load_scenarios", "load_file", "file_json_schema", "deep_merge", "parse_key_path",
           "format_loc", "describe_error", "check_against_landscape", "build_scenario_landscape",
           "build_and_check",
           "check_rules", "check_all"]
