"""Scenario files: YAML reading, ``extends``, ``sweep`` expansion and validation.

A scenario file (safe YAML only; a key given twice in one mapping is refused) holds one scenario (a mapping) or a list of them. Three
top-level keys are about the file rather than the model and are removed before validation
(:data:`sim.config.file_schema.META_KEYS`):

``extends: base.yaml``
    Path relative to this file. The base is loaded (recursively; cycles are refused) and this
    mapping overrides it key by key: mappings merge recursively, lists and scalars replace.
    ``extends`` and ``abstract`` are not inherited.
``abstract: true``
    The mapping is only a base for other files; it is not run (and not validated on its own).
``sweep: {releases.0.females: [4, 6, 8]}``
    One scenario becomes a family, one member per value (:mod:`sim.config.sweep`).

A single-scenario file without ``name`` takes the file's stem as its name. Every problem found in
a file (YAML syntax, unknown key, wrong type, value out of range, bad sweep path, release after
the horizon) is collected and raised as one :class:`~sim.config.errors.ScenarioError` that names
the file, the key path as the user writes it (``releases[0].females``), what was given and what
is allowed (wording: :mod:`sim.config.messages`). Checks that need the built landscape or the
rule registry are in :mod:`sim.model.checks`.
"""

from __future__ import annotations

import copy
import errno
from pathlib import Path
from typing import Any, Iterable

import yaml
from pydantic import ValidationError

from ..limits import current as current_limits, hint as limit_hint
from .errors import ScenarioError
from .file_schema import META_KEYS
from .messages import describe_error, show_value
from .schema import Scenario
from .sweep import display_key, expand_sweep

YAML_SUFFIXES = (".yaml", ".yml")
# Limits of a scenario file (sim.limits: nesting, values, extends; those in scenarios/ nest at
# most 6 levels, hold at most ~100 values and extend at most 2 bases): deeper nesting, alias bombs
# and endless ``extends`` chains are refused with a message instead of a RecursionError, a hang or
# running out of memory.


class _UniqueKeyLoader(yaml.SafeLoader):
    """yaml.SafeLoader that refuses a key given twice in one mapping (plain YAML keeps the last
    one silently, so a second ``females:`` would quietly replace the first)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        first_line: dict = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":     # '<<: *base' may be overridden
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                if key in first_line:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"key {key!r} given twice (first at line {first_line[key] + 1})",
                        key_node.start_mark)
                first_line[key] = key_node.start_mark.line
            except TypeError:               # an unhashable key: SafeLoader says so below
                pass
        return super().construct_mapping(node, deep=deep)


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
        problem = _path_problem(p)
        if problem:
            errors.append(ScenarioError(p, problem))
        elif p.is_dir():
            found = sorted(f for f in p.iterdir()
                           if f.is_file() and f.suffix in YAML_SUFFIXES and not f.name.startswith("_"))
            if not found:
                errors.append(ScenarioError(p, "folder holds no *.yaml or *.yml scenario files"))
            files.extend(found)
        elif p.is_file():
            files.append(p)
        elif p.exists():
            errors.append(ScenarioError(p, "not a regular file or folder (a device, FIFO or socket is not read)"))
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


def pick_scenario(file: str | Path, name: str | None = None) -> tuple[Scenario, Path]:
    """The one scenario of ``file`` that a single-scenario command (``target``, ``sensitivity``,
    ``view``) works on: the scenario called ``name`` (the ``--name`` option), or the file's only
    runnable scenario. :class:`ScenarioError` with a sentence the user can act on when there is no
    such name (with the closest match and the names there are), when the file holds only abstract
    scenarios, or when it holds several and no ``name`` was given."""
    import difflib

    loaded = load_scenarios([file])
    names = [s.name for s, _ in loaded]
    if name is not None:
        picked = [(s, f) for s, f in loaded if s.name == name]
        if not picked:
            close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ScenarioError(None, f"--name {name}: no scenario of that name in {file}{hint} "
                                      f"(scenarios: {', '.join(names) or 'none runnable'})")
        return picked[0]
    if not loaded:
        raise ScenarioError(file, "the file holds only abstract scenarios")
    if len(loaded) > 1:
        raise ScenarioError(file, f"holds {len(loaded)} scenarios ({', '.join(names)}); choose one with --name")
    return loaded[0]


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
                            f"{show_value(entry) or type(entry).__name__}")
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
    """The problems of one scenario mapping of a file (collected into the file's ScenarioError)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _read_yaml(file: Path) -> Any:
    """The YAML data of ``file``; ScenarioError if it cannot be read, is not UTF-8, has a syntax
    error or is empty."""
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as e:
        raise ScenarioError(file, f"cannot read the file ({e.strerror or e})") from None
    except UnicodeDecodeError:
        raise ScenarioError(file, "the file is not UTF-8 text") from None
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as e:
        raise ScenarioError(file, _yaml_message(e)) from None
    except RecursionError:
        raise ScenarioError(file, f"nested too deeply for a scenario (at most {current_limits().nesting} "
                                  f"levels; {limit_hint('nesting')})") from None
    if data is None:
        raise ScenarioError(file, "the file is empty")
    problem = _size_problem(data)
    if problem:
        raise ScenarioError(file, problem)
    return data


def _path_problem(path: Path) -> str | None:
    """Why ``path`` cannot even be looked at (a NUL byte, a name too long for the file system),
    or None; is_dir()/is_file() would raise or answer False without saying why."""
    if "\0" in str(path):
        return "a path may not contain a NUL byte"
    try:
        path.stat()
    except OSError as e:
        if e.errno == errno.ENAMETOOLONG:
            return "a name in this path is too long for the file system"
    except ValueError:
        return "this path cannot be used"
    return None


def _size_problem(data: Any) -> str | None:
    """Why ``data`` is too deep, self-referencing or too large (YAML aliases expanded) to be a
    scenario, or None. Walks without recursion and stops at the first limit, so an alias bomb
    (a few hundred bytes standing for 10^8 values) is refused in microseconds."""
    limits = current_limits()
    stack, count = [(data, 0)], 0
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > limits.values:
            return (f"more than {limits.values:,} values once YAML aliases (*name) are expanded; a scenario "
                    f"file is far smaller (is an alias repeated inside itself? else {limit_hint('values')})")
        if depth > limits.nesting:
            return (f"nested more than {limits.nesting} levels deep (or a YAML alias refers to the list or "
                    f"mapping that holds it; else {limit_hint('nesting')})")
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
    return None


def _yaml_message(e: yaml.YAMLError) -> str:
    """A YAML syntax error as one line: where (line, column, 1-based), what, and a hint for tabs."""
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


def _abstract_problems(entry: dict, prefix: str) -> list[str]:
    """Problems of an abstract base's own keys: unknown keys, wrong types and values out of range.
    A base need not be complete (keys may be missing) and its cross-key checks (a release after
    the horizon...) are left to the scenarios that extend it, which are validated whole."""
    data = {k: v for k, v in entry.items() if k not in META_KEYS}
    data.setdefault("name", "base")
    try:
        Scenario.model_validate(data)
    except ValidationError as e:
        return [f"{prefix}{describe_error(err, data)}" for err in e.errors()
                if err["type"] != "missing" and not err["type"].startswith(("value_error", "assertion"))]
    return []


def _load_entry(entry: dict, file: Path, single: bool, prefix: str) -> list[Scenario]:
    """Resolve extends, expand the sweep and validate one scenario mapping of ``file``."""
    problems: list[str] = []
    abstract = entry.get("abstract", False)
    if not isinstance(abstract, bool):
        raise _EntryProblems([f"{prefix}abstract: got {show_value(abstract)}, must be true or false"])
    if abstract:
        problems = _abstract_problems(entry, prefix)
        if problems:
            raise _EntryProblems(problems)
        return []
    own = dict(entry)
    if "swept" in own:
        problems.append(f"{prefix}swept: set by sweep expansion, not by hand; use sweep: {{key: [values]}}")
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
    if sweep and "family" not in own:           # a sweep is its own family, not its base's
        merged["family"] = ""
    base_name = merged.get("name")
    try:
        variants = expand_sweep(merged, sweep)
    except ValueError as e:                     # report it, and still check the rest
        problems.append(f"{prefix}{e}")
        variants, sweep = [merged], None
    swept_paths = {display_key(k) for k in sweep} if isinstance(sweep, dict) else set()
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
        raise ScenarioError(file, f"extends: got {show_value(ext)}, must be the path of a base file "
                                  "(relative to this file)")
    if len(seen) >= current_limits().extends:
        raise ScenarioError(file, f"extends: a chain of more than {current_limits().extends} base files "
                                  f"({seen[0].name} → ... → {file.name} → {ext}); merge some of them "
                                  f"(or {limit_hint('extends')})")
    base_file = file.parent / ext
    try:
        resolved = base_file.resolve()
        is_file = base_file.is_file()
    except (OSError, ValueError) as e:      # a NUL byte, a name too long for the file system ...
        why = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise ScenarioError(file, f"extends: got {show_value(ext)}, not a usable path ({why})") from None
    if resolved in seen:
        cycle = " → ".join(p.name for p in seen + (resolved,))
        raise ScenarioError(None, f"extends: cycle: {cycle} (a file cannot extend itself, "
                                  "directly or through other files)")
    if not is_file:
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


__all__ = ["YAML_SUFFIXES", "load_scenarios", "load_file", "deep_merge"]
