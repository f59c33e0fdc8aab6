"""Property-based robustness of ``check`` (issue 17 item 6): malformed scenarios and layer files.

Hypothesis mutates a small valid scenario on the uniform preset (keys deleted, renamed, given
twice; values of the wrong type, huge, NaN/inf, out of range; unknown keys at every level; deep
nesting, YAML anchors and aliases, self-referencing aliases; management events with random years;
``extends`` to missing or odd paths; sweeps; lists of scenarios; truncated and non-UTF-8 text) and
writes malformed layer files (.npy of the wrong shape or dtype, empty, truncated, with a lying
header; .asc with bad headers or bodies; garbage named .tif; folders and missing files) named in
``landscape.layers``. For every case the in-process check (``load_scenarios`` + ``check_all(...,
landscape=True)``) must either pass, and then a one-replicate run of the (cheap) scenario must
succeed, or raise ScenarioError whose message names the scenario file; never another exception,
never more than :data:`CASE_SECONDS`. A few cases go through ``run_scenarios.py check`` in a
subprocess: exit 0 or 2, no traceback.

Deterministic (``derandomize=True``, no example database). ``SIM_FUZZ_EXAMPLES`` sets the number
of cases of each property (default :data:`DEFAULT_EXAMPLES`); ``make fuzz`` runs thousands.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
import time
import types
import typing
from pathlib import Path

import numpy as np
import pytest
import yaml

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from pydantic import BaseModel  # noqa: E402
from pydantic_core import PydanticUndefined  # noqa: E402

from sim.config.errors import ScenarioError  # noqa: E402
from sim.config.loading import load_scenarios  # noqa: E402
from sim.config.schema import Scenario  # noqa: E402
from sim.model.checks import build_scenario_landscape, check_all  # noqa: E402
from sim.world.rasters import LAYER_KINDS  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_EXAMPLES = 250
EXAMPLES = int(os.environ.get("SIM_FUZZ_EXAMPLES", DEFAULT_EXAMPLES))
#: Most seconds one case may take: check, plus the run when it passes (generous: ~0.01 s typical).
CASE_SECONDS = 10.0

FUZZ = settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                suppress_health_check=list(HealthCheck), print_blob=False)

# The small valid scenario every case starts from: 10 x 10 cells, 2 years, 1 replicate.
GOOD = """\
name: small
years: 2
replicates: 1
landscape: {preset: uniform, width_km: 25, height_km: 25, cell_km: 2.5}
prey: {saiga: {initial_total: 0}, urial: {initial_total: 0}}
releases:
  - {cell: [2, 2], females: 2, males: 2}
"""
GOOD_DATA = yaml.safe_load(GOOD)
GRID = (10, 10)


# =========================================================================== the schema's key paths

def _unwrap(ann):
    """The non-None members of an annotation (Optional[X] -> [X]; X -> [X])."""
    if typing.get_origin(ann) in (typing.Union, types.UnionType):
        return [a for a in typing.get_args(ann) if a is not type(None)]
    return [ann]


def _is_model(ann) -> bool:
    return isinstance(ann, type) and issubclass(ann, BaseModel)


def _walk(model: type[BaseModel], prefix: tuple = ()):
    """(path, field info, annotation) of every field of ``model``, nested models and lists of
    models included (a list of models gives its entry 0's fields, path ... 0 ...)."""
    for name, info in model.model_fields.items():
        path = prefix + (name,)
        for ann in _unwrap(info.annotation):
            yield path, info, ann
            if _is_model(ann):
                yield from _walk(ann, path)
            elif typing.get_origin(ann) is list and typing.get_args(ann) and _is_model(typing.get_args(ann)[0]):
                yield from _walk(typing.get_args(ann)[0], path + (0,))


FIELDS = list(_walk(Scenario))
LEAVES = [(p, i, a) for p, i, a in FIELDS if not _is_model(a)]
MODEL_LISTS = [(p, typing.get_args(a)[0]) for p, _, a in FIELDS
               if typing.get_origin(a) is list and typing.get_args(a) and _is_model(typing.get_args(a)[0])]

SITES = ["centre", "north", "south", "east", "west", "nowhere", "border"]
RULE_NAMES = ["prey_walk", "habitat_walk", "correlated_walk", "prey_limited", "ceiling", "anywhere",
              "roaming_males", "type2", "background", "ungulate_kills", "nonsense"]


def _bounds(info) -> list:
    """The range limits of a field and numbers just inside and outside them."""
    out = []
    for m in info.metadata:
        for attr in ("ge", "gt", "le", "lt"):
            v = getattr(m, attr, None)
            if v is None:
                continue
            out += [v, v + 1, v - 1, v * 2 + 1] if isinstance(v, int) else [v, v + 1e-9, v - 1e-9, v / 2]
    return out


def weird_values(depth: int = 2):
    """Values of every YAML type, many of them wrong for any key."""
    scalars = st.one_of(
        st.none(), st.booleans(),
        st.integers(-10, 300), st.sampled_from([2**31, 2**63, -2**63, 10**30, 10**400]),
        st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0.0, -0.0, 1e-300, 5e-324, 1e308]),
        st.text(st.characters(exclude_categories=("Cs",)), max_size=12),
        st.sampled_from(SITES + RULE_NAMES + ["", " ", "~", "yes", "0x10", "1_000", "12"]),
    )
    if depth <= 0:
        return scalars
    inner = weird_values(depth - 1)
    return st.one_of(scalars, st.lists(inner, max_size=4),
                     st.dictionaries(st.one_of(st.text(max_size=8), st.integers(-3, 3)), inner, max_size=3))


def plausible(info, ann):
    """Values meant to be valid for a field (its choices, defaults, range limits), with some
    near misses: the cases that pass the check and go on to the run."""
    options: list = []
    for a in _unwrap(ann):
        origin = typing.get_origin(a)
        if origin is typing.Literal:
            options += list(typing.get_args(a))
        elif a is bool:
            options += [True, False]
        elif a is int:
            options += [0, 1, 2, 3, 5, 12]
        elif a is float:
            options += [0.0, 0.01, 0.5, 1.0, 2.0, 10.0]
        elif a is str:
            options += SITES + RULE_NAMES
        elif origin is tuple or origin is list:
            options += [[1, 1], [0, 0], [9, 9], [2, 2, 2], [], [[1, 1], [3, 3]], ["centre", "north"], RULE_NAMES[8:10]]
        elif origin is dict:
            options += [{}, {"x": 1.0}]
    options += _bounds(info)
    if info.default is not PydanticUndefined and not isinstance(info.default, BaseModel) and info.default is not None:
        try:
            hash(info.default)
            options.append(info.default)
        except TypeError:
            pass
    return st.sampled_from(options) if options else weird_values(1)


@st.composite
def model_instance(draw, model: type[BaseModel], depth: int = 0):
    """A mapping for ``model``: its required keys and a few others, with plausible values
    (management events get random years, some after the horizon)."""
    out = {}
    for name, info in model.model_fields.items():
        if not info.is_required() and not draw(st.integers(0, 4)) == 0:
            continue
        if name == "year":
            out[name] = draw(st.integers(-1, 5))
            continue
        ann = _unwrap(info.annotation)[0]
        if _is_model(ann) and depth < 2:
            out[name] = draw(model_instance(ann, depth + 1))
        else:
            out[name] = draw(plausible(info, ann))
    return out


# =========================================================================== mutations

def _paths(node, prefix=(), above=()):
    """Every key path in a nested dict/list structure; a structure holding itself (an alias
    mutation) and nesting beyond 60 levels are not descended into."""
    out = []
    if id(node) in above or len(prefix) > 60:
        return out
    above = above + (id(node),)
    if isinstance(node, dict):
        for k, v in node.items():
            out.append(prefix + (k,))
            out += _paths(v, prefix + (k,), above)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.append(prefix + (i,))
            out += _paths(v, prefix + (i,), above)
    return out


def _get(data, path):
    for p in path:
        data = data[p]
    return data


def _set(data, path, value):
    """Set ``value`` at ``path``, creating mappings (and lists for int parts) on the way."""
    node = data
    for part, nxt in zip(path[:-1], path[1:]):
        if isinstance(node, dict):
            if not isinstance(node.get(part), (dict, list)):
                node[part] = [] if isinstance(nxt, int) else {}
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < 100:
            while len(node) <= part:
                node.append({} if not isinstance(nxt, int) else [])
            node = node[part]
        else:
            return
    last = path[-1]
    if isinstance(node, dict):
        node[last] = value
    elif isinstance(node, list) and isinstance(last, int):
        while len(node) <= last:
            node.append(None)
        node[last] = value


def _dotted(path) -> str:
    return ".".join(str(p) for p in path)


EXTENDS = ["missing.yaml", "", " ", ".", "..", "/", "/dev/null", "/dev/zero", "sub", "bad.yaml",
           "base_list.yaml", "base_binary.yaml", "base_ok.yaml", "base_bad.yaml", "base_cycle.yaml",
           "a\0b.yaml", "x" * 300 + ".yaml", "ünï/cödé.yaml", "../" * 40 + "etc/passwd", "*", "~/x.yaml"]


@st.composite
def mutated(draw, layer_files: bool = True):
    """(scenario data, layer files {name: (kind, params)}, text edits) of one case."""
    data = yaml.safe_load(GOOD)
    layers: dict = {}
    for _ in range(draw(st.sampled_from([1, 1, 2, 3, 4]))):
        kind = draw(st.sampled_from(["leaf"] * 6 + ["events"] * 3 + ["delete", "rename", "swap", "unknown",
                                     "nest", "alias", "extends", "sweep", "layer"]))
        paths = _paths(data)
        if kind == "leaf":                                  # a real key, a value valid or nearly so
            path, info, ann = draw(st.sampled_from(LEAVES))
            value = draw(st.one_of(*[plausible(info, ann)] * 4, weird_values(1)))
            _set(data, path, value)
        elif kind == "events":                              # management events, releases, trends
            path, model = draw(st.sampled_from(MODEL_LISTS))
            if 0 in path:
                continue
            _set(data, path, draw(st.lists(model_instance(model), min_size=1, max_size=2)))
        elif kind == "delete" and paths:
            path = draw(st.sampled_from(paths))
            parent = _get(data, path[:-1])
            del parent[path[-1]]
        elif kind == "rename" and paths:
            path = draw(st.sampled_from([p for p in paths if isinstance(p[-1], str)] or paths))
            parent = _get(data, path[:-1])
            if isinstance(parent, dict):
                new = draw(st.one_of(st.text(st.characters(exclude_categories=("Cs",)), max_size=10),
                                     st.just(str(path[-1])[:-1]), st.just(str(path[-1]).upper()),
                                     st.integers(-2, 2), st.none(), st.booleans()))
                parent[new] = parent.pop(path[-1])
        elif kind == "swap" and paths:
            _set(data, draw(st.sampled_from(paths)), draw(weird_values()))
        elif kind == "unknown":
            holders = [()] + [p for p in paths if isinstance(_get(data, p), dict)]
            where = draw(st.sampled_from(holders))
            key = draw(st.one_of(st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=10),
                                 st.integers(), st.floats(), st.none(), st.booleans()))
            _get(data, where)[key] = draw(weird_values(1))
        elif kind == "nest" and paths:
            path = draw(st.sampled_from(paths))
            value = _get(data, path)
            for _ in range(draw(st.sampled_from([1, 2, 10, 49, 51, 120]))):
                value = [value] if draw(st.booleans()) else {"k": value}
            _set(data, path, value)
        elif kind == "alias" and paths:                     # YAML anchors: shared or self-holding
            target = draw(st.sampled_from(paths))
            shared = draw(st.sampled_from(paths))
            obj = _get(data, shared)
            if draw(st.booleans()) and isinstance(obj, (list, dict)):
                loop: list = []
                loop.append(loop)
                _set(data, target, loop)
            else:
                _set(data, target, obj)
        elif kind == "extends":
            data["extends"] = draw(st.one_of(st.sampled_from(EXTENDS), weird_values(1)))
        elif kind == "sweep":
            keys = draw(st.lists(st.one_of(
                st.sampled_from([_dotted(p) for p in paths] or ["years"]),
                st.sampled_from(["releases[0].females", "releases.5.males", "years", "nope.x", "", "[0]"]),
                st.text(max_size=6)), min_size=0, max_size=3, unique=True))
            data["sweep"] = draw(st.one_of(
                st.fixed_dictionaries({k: st.lists(weird_values(0), min_size=0, max_size=4) for k in keys}),
                st.fixed_dictionaries({k: st.lists(st.integers(0, 6), min_size=1, max_size=3) for k in keys}),
                weird_values(1)))
        elif kind == "layer" and layer_files:
            name = draw(st.sampled_from(sorted(LAYER_KINDS) + ["competitors", "nope"]))
            spec = draw(layer_file())
            fname = f"{name}{spec[0]}"
            layers[fname] = spec
            data.setdefault("landscape", {})
            if isinstance(data["landscape"], dict):
                lay = data["landscape"].setdefault("layers", {})
                if isinstance(lay, dict):
                    lay[name] = fname
    if draw(st.integers(0, 12)) == 0:                       # a list of scenarios
        other = yaml.safe_load(GOOD.replace("name: small", "name: other"))
        data = draw(st.sampled_from([[data], [data, other], [data, data], [data, 3], [], [None]]))
    text_edit = draw(st.one_of(st.none(), st.none(), st.none(), st.none(), text_edits()))
    return data, layers, text_edit


def text_edits():
    """Edits of the YAML text itself: what a dict cannot express."""
    return st.one_of(
        st.tuples(st.just("append"), st.sampled_from([
            "years: 3\n", "name: again\n", "? [a, b]\n: 1\n", "x: &a [*a]\n", "\tyears: 2\n", "x: !!python/object:os.system {}\n",
            "x: !!binary aGVsbG8=\n", "x: 2001-12-14\n", "x: !!set {a, b}\n", "---\nname: second\n", "%YAML 9.9\n",
            "y: *undefined\n", "<<: {years: 7}\n", "releases: &r [{cell: [1, 1], females: 1}]\nmore: *r\n"])),
        st.tuples(st.just("truncate"), st.floats(0, 1)),
        st.tuples(st.just("bytes"), st.binary(max_size=40)),
        st.tuples(st.just("text"), st.text(max_size=60)),
        st.tuples(st.just("latin1"), st.just(None)),
    )


# --------------------------------------------------------------------------- layer files

@st.composite
def layer_file(draw):
    """(suffix, bytes or None for a folder or a missing file) of one layer file."""
    kind = draw(st.sampled_from(["valid"] * 4 + ["npy", "npy", "npy", "npy_broken", "npz", "asc", "asc", "tif",
                                                 "other", "empty", "folder", "missing"]))
    if kind == "valid":                         # fits every layer kind (fraction, >= 0, 0/1)
        a = np.full(GRID, draw(st.sampled_from([0.0, 1.0])))
        a[draw(st.integers(0, 9)), :] = draw(st.sampled_from([0.0, 1.0]))
        if draw(st.booleans()):
            buf = io.BytesIO()
            np.save(buf, a.astype(draw(st.sampled_from(["<f8", "|i1", "|b1", ">f4"]))))
            return ".npy", buf.getvalue()
        buf = io.StringIO()
        np.savetxt(buf, a, fmt="%g")
        return ".asc", ("ncols 10\nnrows 10\nxllcorner 0\nyllcorner 0\ncellsize 2.5\n" + buf.getvalue()).encode()
    if kind == "npy":
        shape = draw(st.sampled_from([GRID, GRID, GRID, (10,), (0,), (0, 10), (10, 11), (11, 10), (1, 10, 10), ()]))
        dtype = draw(st.sampled_from(["<f8", "<f8", "<f4", "<f2", "|i1", "<u2", "|b1", "<c16", "<U3", "<M8[D]",
                                      "|V8", ">f8"]))
        fill = draw(st.sampled_from([0.0, 0.5, 1.0, 2.0, -1.0, np.nan, np.inf, "random"]))
        a = np.random.default_rng(0).uniform(0, 1, shape) if fill == "random" else np.full(shape, fill)
        try:
            with np.errstate(invalid="ignore"):
                a = a.astype(dtype)
        except (ValueError, TypeError):
            a = a.astype("<f8")
        buf = io.BytesIO()
        np.save(buf, a, allow_pickle=False)
        return ".npy", buf.getvalue()
    if kind == "npy_broken":
        buf = io.BytesIO()
        np.save(buf, np.full(GRID, 0.5))
        raw = buf.getvalue()
        how = draw(st.sampled_from(["cut", "header", "lying", "object", "garbage"]))
        if how == "cut":
            return ".npy", raw[:draw(st.integers(0, len(raw) - 1))]
        if how == "header":
            return ".npy", raw[:8] + draw(st.binary(max_size=60)) + raw[128:]
        if how == "lying":                          # a header promising far more than follows
            shape = draw(st.sampled_from([(10**6, 10**6), (10**9, 10**9), (2000, 2000), (11, 10), (100, 100)]))
            head = io.BytesIO()
            np.lib.format.write_array_header_1_0(head, {"descr": "<f8", "fortran_order": False, "shape": shape})
            return ".npy", head.getvalue() + raw[128:]
        if how == "object":
            buf = io.BytesIO()
            np.save(buf, np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
            return ".npy", buf.getvalue()
        return ".npy", b"\x93NUMPY" + draw(st.binary(max_size=80))
    if kind == "npz":
        buf = io.BytesIO()
        np.savez(buf, habitat=np.zeros(GRID))
        return ".npy", buf.getvalue()
    if kind == "asc":
        num = st.sampled_from(["10", "10", "10", "0", "-1", "2.5", "1e400", "nan", "inf", "abc", "1e12", "", "10 10"])
        header = {"ncols": draw(num), "nrows": draw(num), "xllcorner": draw(st.sampled_from(["0", "nan", "x"])),
                  "yllcorner": "0", "cellsize": draw(st.sampled_from(["2.5", "2.5", "0", "-1", "nan", "inf"])),
                  "NODATA_value": draw(st.sampled_from(["-9999", "nan", "0.5", "zz"]))}
        keys = draw(st.lists(st.sampled_from(list(header) + ["bogus", "ncols"]), min_size=0, max_size=8))
        head = "".join(f"{k} {header.get(k, '1')}\n" for k in keys)
        n = draw(st.sampled_from([100, 100, 100, 99, 101, 0, 110]))
        token = st.sampled_from(["0.5", "0.5", "0.5", "1", "0", "-1", "2", "nan", "inf", "-9999", "x", "1,0", "1e999"])
        body = "\n".join(" ".join(draw(token) if draw(st.integers(0, 30)) == 0 else "0.5" for _ in range(10))
                         for _ in range(n // 10)) + ("\n0.5" * (n % 10))
        return ".asc", (head + body + "\n").encode("utf-8")
    if kind == "tif":
        return draw(st.sampled_from([".tif", ".tiff", ".TIF"])), draw(st.one_of(
            st.binary(max_size=200), st.just(b"II*\x00" + b"\x00" * 40), st.just(b"MM\x00*" + bytes(range(256)))))
    if kind == "other":
        return draw(st.sampled_from([".txt", ".csv", "", ".npy.gz", ".asc.bak"])), draw(st.binary(max_size=20))
    if kind == "empty":
        return draw(st.sampled_from([".npy", ".asc", ".tif"])), b""
    if kind == "folder":
        return ".npy", "folder"
    return ".asc", None          # missing


# =========================================================================== writing and checking

BASES = {
    "base_list.yaml": "- {name: a}\n- {name: b}\n",
    "base_binary.yaml": b"\xff\xfe\x00garbage\x80",
    "base_ok.yaml": "abstract: true\nyears: 2\ncheetah: {mate_search_km: 20}\n",
    "base_bad.yaml": "abstract: true\nyears: ten\n",
    "base_cycle.yaml": "extends: bad.yaml\n",
}


def write_case(folder: Path, data, layers: dict, text_edit) -> Path:
    """Write the scenario (as bad.yaml), its layer files and the odd bases it may extend."""
    (folder / "sub").mkdir()
    for name, content in BASES.items():
        p = folder / name
        p.write_bytes(content if isinstance(content, bytes) else content.encode())
    for fname, (_, content) in layers.items():
        p = folder / fname
        if content == "folder":
            p.mkdir(exist_ok=True)
        elif content is not None:
            p.write_bytes(content)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=None)
    raw = text.encode("utf-8")
    if text_edit is not None:
        how, arg = text_edit
        if how == "append":
            raw = raw + arg.encode()
        elif how == "truncate":
            raw = raw[: int(len(raw) * arg)]
        elif how == "bytes":
            raw = arg
        elif how == "text":
            raw = arg.encode("utf-8", errors="replace")
        elif how == "latin1":
            raw = text.replace("small", "smäll").encode("latin-1", errors="replace")
    path = folder / "bad.yaml"
    path.write_bytes(raw)
    return path


RUNS = {"checked": 0, "refused": 0, "passed": 0, "ran": 0}


def check_case(path: Path) -> list | None:
    """The in-process check of one file: the loaded scenarios if it passes, None if it is refused
    with a ScenarioError naming the file. Any other exception fails the test."""
    RUNS["checked"] += 1
    try:
        loaded = load_scenarios([path])
        check_all(loaded, landscape=True)
    except ScenarioError as e:
        RUNS["refused"] += 1
        text = str(e)
        assert str(path) in text, f"the message does not name {path}:\n{text}"
        assert all(file for file, _ in e.problems), f"a problem without a file:\n{text}"
        assert "Traceback" not in text
        return None
    RUNS["passed"] += 1
    return loaded


def run_if_cheap(loaded: list) -> None:
    """A one-replicate run of each passing scenario that is cheap (≤ 2 years, ≤ 400 cells,
    ≤ 200 founders): it must finish without an exception."""
    from sim.model.model import run_replicate

    for scenario, file in loaded[:3]:
        land = build_scenario_landscape(scenario, file)
        founders = sum((r.females + r.males) * (r.repeat.times if r.repeat else 1) for r in scenario.releases)
        if scenario.years > 2 or land.rows * land.cols > 400 or founders > 200:
            continue
        run_replicate(scenario, np.random.SeedSequence(scenario.seed), 0, landscape=land, base_dir=file.parent)
        RUNS["ran"] += 1


def one_case(data, layers, text_edit) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = write_case(Path(d), data, layers, text_edit)
        t0 = time.perf_counter()
        loaded = check_case(path)
        if loaded:
            run_if_cheap(loaded)
        elapsed = time.perf_counter() - t0
        assert elapsed < CASE_SECONDS, f"one case took {elapsed:.1f} s"


@pytest.fixture(scope="module", autouse=True)
def warm_model():
    """Load the compiled loops once (numba's cache: seconds), so no case pays for it."""
    from sim.model.model import run_replicate

    with tempfile.TemporaryDirectory() as d:
        (Path(d) / "good.yaml").write_text(GOOD)
        (s, f), = load_scenarios([Path(d) / "good.yaml"])
        run_replicate(s, 1, 0, base_dir=d)
    yield
    print(f"\nfuzz: {RUNS}")


# =========================================================================== the properties

@FUZZ
@given(mutated())
def test_malformed_scenarios_are_refused_naming_the_file_or_run(case):
    one_case(*case)


@st.composite
def layered(draw):
    """The good scenario with 1-3 layer files (and prey that use the capacity layers)."""
    data = yaml.safe_load(GOOD)
    layers = {}
    for name in draw(st.lists(st.sampled_from(sorted(LAYER_KINDS)), min_size=1, max_size=3, unique=True)):
        spec = draw(layer_file())
        layers[f"{name}{spec[0]}"] = spec
        data["landscape"].setdefault("layers", {})[name] = f"{name}{spec[0]}"
    if draw(st.booleans()):
        data["prey"]["urial"]["initial_total"] = draw(st.sampled_from([0, 10, 500]))
    return data, layers, None


@FUZZ
@given(layered())
def test_malformed_layer_files_are_refused_naming_both_files_or_run(case):
    one_case(*case)


@settings(max_examples=max(3, EXAMPLES // 50), derandomize=True, database=None, deadline=None,
          suppress_health_check=list(HealthCheck), print_blob=False)
@given(st.one_of(mutated(), layered()))
def test_the_check_command_exits_0_or_2_without_a_traceback(case):
    with tempfile.TemporaryDirectory() as d:
        path = write_case(Path(d), *case)
        try:
            check_all(load_scenarios([path]), landscape=True)
            expected = 0
        except ScenarioError:
            expected = 2
        proc = subprocess.run([sys.executable, str(ROOT / "run_scenarios.py"), "check", str(path)],
                              capture_output=True, text=True, cwd=d, timeout=120,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert proc.returncode == expected, proc.stderr[-2000:]
        assert "Traceback" not in proc.stderr
        if expected == 2:
            assert str(path) in proc.stderr


# =========================================================================== regressions found by fuzzing

def test_a_npy_header_promising_a_trillion_values_is_refused_without_allocating(tmp_path):
    """Found by this fuzzer: np.load allocated what the header said and raised MemoryError."""
    head = io.BytesIO()
    np.lib.format.write_array_header_1_0(head, {"descr": "<f8", "fortran_order": False, "shape": (10**6, 10**6)})
    (tmp_path / "habitat.npy").write_bytes(head.getvalue() + b"\0" * 16)
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("cell_km: 2.5}", "cell_km: 2.5, layers: {habitat: habitat.npy}}"))
    with pytest.raises(ScenarioError) as e:
        check_all(load_scenarios([bad]), landscape=True)
    text = str(e.value)
    assert str(bad) in text and "landscape.layers.habitat" in text
    assert "1,000,000,000,000 values" in text and "largest landscape grid" in text


def test_a_truncated_npy_says_how_many_bytes_its_header_promised(tmp_path):
    buf = io.BytesIO()
    np.save(buf, np.full(GRID, 0.5))
    (tmp_path / "habitat.npy").write_bytes(buf.getvalue()[:300])
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("cell_km: 2.5}", "cell_km: 2.5, layers: {habitat: habitat.npy}}"))
    with pytest.raises(ScenarioError) as e:
        check_all(load_scenarios([bad]), landscape=True)
    assert "truncated: its header gives shape (10, 10) of float64 (800 bytes)" in str(e.value)


def test_a_npy_header_of_one_nul_byte_is_refused_with_a_message(tmp_path):
    """Found by this fuzzer: np.load parsed the header with Python's tokenizer, which raised
    tokenize.TokenError ('source code cannot contain null bytes'), a traceback."""
    (tmp_path / "gazelle.npy").write_bytes(b"\x93NUMPY\x01\x00\x01\x00\x00" + b"\x00" * 800)
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("cell_km: 2.5}", "cell_km: 2.5, layers: {gazelle: gazelle.npy}}"))
    with pytest.raises(ScenarioError) as e:
        check_all(load_scenarios([bad]), landscape=True)
    text = str(e.value)
    assert str(bad) in text and str(tmp_path / "gazelle.npy") in text
    assert "landscape.layers.gazelle: not a usable .npy array (its header cannot be read" in text


def test_the_fuzzer_reached_passing_refused_and_run_cases():
    """Guard against strategies that only ever make refused (or only passing) files, on the counts
    the properties above left (they run first, in file order); run alone, it runs the scenario
    property itself first, so the guard always judges real cases."""
    assert len(LEAVES) > 100 and len(MODEL_LISTS) > 10
    if RUNS["checked"] < 100:
        test_malformed_scenarios_are_refused_naming_the_file_or_run()
    assert RUNS["checked"] >= 100, RUNS
    assert RUNS["refused"] > RUNS["checked"] / 20, RUNS
    assert RUNS["passed"] > RUNS["checked"] / 20, RUNS
    assert RUNS["ran"] > 0, RUNS
