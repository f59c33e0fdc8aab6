"""The command line: exit codes, messages without tracebacks, options passed to the batch runner.

The batch runner is replaced by a recording fake (a module put in ``sys.modules['sim.runs.batch']``)
so these tests pin the command line alone; one test runs the real batch end to end when
``sim.runs.batch`` and the model are available.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import types
import zlib
from pathlib import Path

import pytest

from sim.runs.result import BatchResult, Failure
from sim.cli import apply_overrides, default_out_dir, main
from sim.config.loading import load_scenarios

ROOT = Path(__file__).resolve().parent.parent

GOOD = """\
name: small
years: 10
replicates: 2
landscape: {preset: uniform, width_km: 25, height_km: 25, cell_km: 2.5}
prey: {saiga: {initial_total: 0}, urial: {initial_total: 0}}
releases:
  - {cell: [2, 2], females: 2, males: 2}
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


class FakeBatch:
    """Records run_batch/resume_batch calls; can raise a given exception instead."""

    class OutputExistsError(Exception):
        pass

    class ManifestError(ValueError):
        pass

    def __init__(self, tmp_path: Path, raise_exc: BaseException | None = None, n_failed: int = 0) -> None:
        self.calls: list[tuple[str, tuple, dict]] = []
        self.raise_exc = raise_exc
        self.n_failed = n_failed
        self.module = types.ModuleType("sim.runs.batch")
        self.module.run_batch = self.run_batch
        self.module.resume_batch = self.resume_batch
        self.module.OutputExistsError = self.OutputExistsError
        self.module.ManifestError = self.ManifestError

    def _result(self, out_dir: Path) -> BatchResult:
        out_dir = Path(out_dir)
        failures = [Failure("small", i, 1, (7, i), f"Traceback ...\nRuntimeError: boom {i}")
                    for i in range(self.n_failed)]
        return BatchResult(out_dir=out_dir, summary_path=out_dir / "summary.csv",
                           by_year_path=out_dir / "by_year.csv", n_done=2, n_failed=self.n_failed,
                           failures=failures, failures_path=out_dir / "failures.csv" if failures else None)

    def run_batch(self, scenarios, out_dir, **kw):
        self.calls.append(("run", (scenarios, out_dir), kw))
        if self.raise_exc is not None:
            Path(out_dir).mkdir(parents=True, exist_ok=True)
            raise self.raise_exc
        return self._result(out_dir)

    def resume_batch(self, out_dir, **kw):
        self.calls.append(("resume", (out_dir,), kw))
        return self._result(out_dir)


@pytest.fixture
def fake_batch(tmp_path, monkeypatch):
    fake = FakeBatch(tmp_path)
    monkeypatch.setitem(sys.modules, "sim.runs.batch", fake.module)
    monkeypatch.setitem(sys.modules, "sim.reporting.report", None)        # no report in these tests
    monkeypatch.chdir(tmp_path)
    return fake


# ----------------------------------------------------------------------------------- schema
def test_schema_prints_valid_json_of_the_scenario(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert {"name", "years", "releases", "landscape", "rules"} <= set(schema["properties"])
    assert {"extends", "abstract", "sweep"} <= set(schema["properties"])
    assert schema["additionalProperties"] is False


_JSON_TYPES = {dict: "object", list: "array", str: "string", bool: "boolean", int: "integer",
               float: "number", type(None): "null"}


def _keys_outside_schema(doc, schema: dict, root: dict, where: str = "") -> list[str]:
    """Key paths of ``doc`` that ``schema`` does not allow (additionalProperties: false) or whose
    value has a type it does not allow, found by following properties, items, anyOf and $ref:
    the part of JSON Schema validation that decides whether an editor flags a key (jsonschema
    is not a dependency)."""
    allowed = schema.get("type")
    if allowed is not None:
        allowed = [allowed] if isinstance(allowed, str) else allowed
        kind = _JSON_TYPES[type(doc)]
        if kind not in allowed and not (kind == "integer" and "number" in allowed):
            return [f"{where or '(file)'}: {kind}, not {'/'.join(allowed)}"]
    if "$ref" in schema:
        ref = schema["$ref"]
        target = root if ref == "#" else root["$defs"][ref.rsplit("/", 1)[-1]]
        return _keys_outside_schema(doc, {**target, **{k: v for k, v in schema.items() if k != "$ref"}},
                                    root, where)
    if "anyOf" in schema:
        results = [_keys_outside_schema(doc, branch, root, where) for branch in schema["anyOf"]]
        return min(results, key=len)
    if isinstance(doc, dict):
        bad = []
        for key, value in doc.items():
            sub = schema.get("properties", {}).get(key, schema.get("additionalProperties", {}))
            if sub is False:
                bad.append(f"{where}.{key}".lstrip("."))
            elif isinstance(sub, dict):
                bad += _keys_outside_schema(value, sub, root, f"{where}.{key}")
        return bad
    if isinstance(doc, list):
        items = schema.get("prefixItems") or [schema.get("items", {})] * len(doc)
        return [b for i, (v, sub) in enumerate(zip(doc, items))
                for b in _keys_outside_schema(v, sub, root, f"{where}[{i}]")]
    return []


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.yaml")), ids=lambda p: p.name)
def test_schema_accepts_every_shipped_scenario_file(path, capsys):
    """An editor using the printed schema flags no key of the shipped files (extends, abstract,
    sweep and lists of scenarios included), and still flags a typo."""
    import yaml
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert schema["type"] == ["object", "array"]
    assert _keys_outside_schema(doc, schema, schema) == []
    entry = doc[0] if isinstance(doc, list) else doc
    typo = {**entry, "cheetah": {"adult_female_survivl": 0.9}, "sweeep": {}}
    assert _keys_outside_schema(typo, schema, schema) == ["cheetah.adult_female_survivl", "sweeep"]


# ----------------------------------------------------------------------------------- check
def test_check_reports_ok_with_the_count(tmp_path, capsys):
    f = write(tmp_path, "good.yaml", GOOD + "sweep: {releases.0.females: [1, 2, 3]}\n")
    assert main(["check", str(f)]) == 0
    assert "OK: 3 scenarios" in capsys.readouterr().out


def test_check_of_a_bad_file_exits_2_with_the_problem(tmp_path, capsys):
    f = write(tmp_path, "bad.yaml", GOOD.replace("females: 2", "femails: 2"))
    assert main(["check", str(f)]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml" in err and "releases[0].femails" in err and "did you mean 'females'?" in err
    assert "Traceback" not in err


def test_check_in_a_subprocess_prints_no_traceback(tmp_path):
    f = write(tmp_path, "bad.yaml", GOOD.replace("years: 10", "years: 2.5"))
    proc = subprocess.run([sys.executable, str(ROOT / "run_scenarios.py"), "check", str(f)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 2
    assert "bad.yaml" in proc.stderr and "years: got 2.5, must be a whole number" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_workers_do_not_import_modules_from_the_working_directory(tmp_path):
    # a user's helper named like a standard module, in the folder the run is started from
    (tmp_path / "concurrent.py").write_text(
        "import os\nopen(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'IMPORTED'), 'a').write('x')\n"
        "raise SystemExit('the working directory was on a worker\'s sys.path')\n")
    f = write(tmp_path, "s.yaml", GOOD.replace("years: 10", "years: 2").replace("replicates: 2", "replicates: 4"))
    proc = subprocess.run([sys.executable, str(ROOT / "run_scenarios.py"), "run", str(f), "--jobs", "2",
                           "--out", str(tmp_path / "out")], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert not (tmp_path / "IMPORTED").exists()
    assert (tmp_path / "out" / "summary.csv").exists()


KILLER_PLUGIN = """\
import os, signal
import numpy as np
from sim.registry import register

@register("hazard", "test_oom_killer")
def oom_killer(ctx, animals):
    \"\"\"Stands in for the system killing a worker that ran out of memory (only when KILL_ME=1).\"\"\"
    if os.environ.get("KILL_ME") == "1":
        os.kill(os.getpid(), signal.SIGKILL)
    return np.zeros(len(animals.pop))
"""


ONCE_KILLER_PLUGIN = KILLER_PLUGIN.replace(
    'if os.environ.get("KILL_ME") == "1":',
    'if os.environ.get("KILL_ME") == "1" and not os.path.exists(os.environ["KILL_DIR"] + "/killed"):\n'
    '        open(os.environ["KILL_DIR"] + "/killed", "w").close()')


def _killed_run(tmp_path, plugin: str):
    import os
    (tmp_path / "killer.py").write_text(plugin)
    f = write(tmp_path, "k.yaml", GOOD.replace("years: 10", "years: 2").replace("replicates: 2", "replicates: 4")
              .replace("cell_km: 2.5}", "cell_km: 2.5, fenced: true}")      # nobody walks off the map first
              + "rules: {hazards: [background, test_oom_killer]}\n")
    cli = [sys.executable, str(ROOT / "run_scenarios.py"), "run"]
    return subprocess.run([*cli, str(f), "--plugin", "killer.py", "--jobs", "2", "--out", "out", "--no-report"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=300,
                          env={**os.environ, "KILL_ME": "1", "KILL_DIR": str(tmp_path)})


def test_a_worker_killed_once_costs_a_retry_and_the_batch_finishes_whole(tmp_path):
    proc = _killed_run(tmp_path, ONCE_KILLER_PLUGIN)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "a worker process died" in proc.stderr and "running the" in proc.stderr and "again" in proc.stderr
    assert "Traceback" not in proc.stderr and (tmp_path / "killed").exists()
    assert not (tmp_path / "out" / "failures.csv").exists()
    assert (tmp_path / "out" / "summary.csv").exists()


def test_a_chunk_whose_worker_always_dies_is_recorded_as_failed_and_the_batch_finishes(tmp_path):
    proc = _killed_run(tmp_path, KILLER_PLUGIN)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "one at a time" in proc.stderr and "Traceback" not in proc.stderr
    failures = (tmp_path / "out" / "failures.csv").read_text()
    assert failures.count("running this chunk alone died") == 4          # all 4 replicates
    assert (tmp_path / "out" / "summary.csv").exists()
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["status"] == "complete"


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads worker processes from Linux's /proc")
def test_sigterm_stops_the_workers_and_leaves_a_resumable_run(tmp_path):
    import json
    import os
    import signal
    import time
    f = write(tmp_path, "long.yaml", GOOD.replace("years: 10", "years: 50").replace("replicates: 2", "replicates: 400")
              .replace("width_km: 25, height_km: 25, cell_km: 2.5}",
                       "width_km: 100, height_km: 100, cell_km: 2.5, fenced: true, gazelle_density: 5}")
              .replace("females: 2, males: 2", "females: 10, males: 10"))
    proc = subprocess.Popen([sys.executable, str(ROOT / "run_scenarios.py"), "run", str(f), "--jobs", "2",
                             "--out", "out", "--no-report"], cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    workers: set[int] = set()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(workers) < 2:      # wait until both workers run
        time.sleep(0.5)
        kids = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
        workers = {int(p) for p in kids.read_text().split()} if kids.exists() else set()
    assert workers, "no worker process started"
    time.sleep(2)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 143, err[-2000:]
    assert "interrupted" in err and "--resume out" in err and "Traceback" not in err
    time.sleep(3)
    alive = [p for p in workers if Path(f"/proc/{p}").exists()
             and "loky" in Path(f"/proc/{p}/cmdline").read_bytes().decode(errors="replace")]
    assert alive == [], f"workers still running after SIGTERM: {alive}"
    assert json.loads((tmp_path / "out" / "manifest.json").read_text())["status"] == "interrupted"


def test_missing_file_exits_2(tmp_path, capsys):
    assert main(["check", str(tmp_path / "nope.yaml")]) == 2
    assert "no such file or folder" in capsys.readouterr().err


# ----------------------------------------------------------------------------------- options
@pytest.mark.parametrize("argv, fragment", [
    (["run", "--jobs", "0"], "--jobs: got 0, must be ≥ 1"),
    (["run", "--years", "500"], "--years: got 500, must be between 1 and 200"),
    (["run", "--replicates", "many"], "--replicates: got 'many', must be a whole number"),
    (["run", "--backend", "spark"], "invalid choice: 'spark'"),
    (["run", "--backend", "loky", "--scheduler", "tcp://x:1"], "use it with --backend dask"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    ([], "required: COMMAND"),
])
def test_bad_options_exit_2_with_one_clear_message(argv, fragment, capsys, fake_batch):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err


def test_help_exits_0(capsys):
    assert main(["run", "--help"]) == 0
    assert "--resume DIR" in capsys.readouterr().out


# ----------------------------------------------------------------------------------- run
def test_run_passes_overrides_and_options_to_the_batch(tmp_path, fake_batch, capsys):
    f = write(tmp_path, "small.yaml", GOOD)
    out = tmp_path / "out"
    code = main(["run", str(f), "--replicates", "3", "--years", "7", "--jobs", "2", "--seed", "99",
                 "--out", str(out), "--baseline", "small", "--no-report"])
    assert code == 0
    (kind, (scenarios, out_dir), kw), = fake_batch.calls
    assert kind == "run" and Path(out_dir) == out
    (s,) = scenarios
    assert (s.name, s.replicates, s.years) == ("small", 3, 7)
    assert kw["jobs"] == 2 and kw["root_seed"] == 99 and kw["backend"] == "loky" and kw["scheduler"] is None
    assert kw["baseline"] == "small"
    assert kw["base_dirs"] == {"small": tmp_path.resolve()}
    assert kw["sources"] == {"small": str(f)}
    assert f"summary: {out / 'summary.csv'}" in capsys.readouterr().out


def test_run_defaults_to_all_cores_and_a_timestamped_results_folder(tmp_path, fake_batch):
    write(tmp_path, "scenarios/small.yaml", GOOD) if (tmp_path / "scenarios").mkdir() is None else None
    assert main(["run", "--no-report"]) == 0                  # default: ./scenarios
    (_, (scenarios, out_dir), kw), = fake_batch.calls
    assert [s.name for s in scenarios] == ["small"]
    assert kw["jobs"] is None and kw["root_seed"] is None
    assert Path(out_dir).parent == Path("results") and Path(out_dir).name.startswith("small-")
    assert len(Path(out_dir).name) == len("small-20250101-120000")


def test_scheduler_alone_selects_dask(tmp_path, fake_batch):
    f = write(tmp_path, "small.yaml", GOOD)
    assert main(["run", str(f), "--scheduler", "tcp://10.0.0.5:8786", "--out", "o", "--no-report"]) == 0
    kw = fake_batch.calls[0][2]
    assert (kw["backend"], kw["scheduler"]) == ("dask", "tcp://10.0.0.5:8786")


def test_quick_caps_replicates_and_horizon_and_drops_late_releases(tmp_path, fake_batch, capsys):
    f = write(tmp_path, "long.yaml", GOOD.replace("years: 10", "years: 50").replace("replicates: 2", "replicates: 500")
              + "  - {cell: [3, 3], females: 1, males: 1, year: 20}\n"
              + "  - {cell: [4, 4], females: 1, males: 1, year: 4, repeat: {every_years: 3, times: 5}}\n")
    assert main(["run", str(f), "--quick", "--out", "o", "--no-report"]) == 0
    (s,), = [c[1][0] for c in fake_batch.calls]
    assert (s.replicates, s.years) == (10, 10)
    assert [(r.year, r.repeat.times if r.repeat else 1) for r in s.releases] == [(1, 1), (4, 3)]
    err = capsys.readouterr().err
    assert "dropped releases[1] (year 20)" in err and "releases[2] repeats 3 time(s) instead of 5" in err


def test_quick_drops_and_shortens_late_management_events(tmp_path, fake_batch, capsys):
    f = write(tmp_path, "long.yaml", GOOD.replace("years: 10", "years: 50")
              + "management:\n"
              + "  anti_poaching: [{year: 2, strength: 0.5}, {year: 30, strength: 0.9}]\n"
              + "  prey_translocations: [{year: 6, species: gazelle, number: 10, cell: [1, 1], "
                "repeat: {every_years: 2, times: 5}}]\n")
    assert main(["run", str(f), "--quick", "--out", "o", "--no-report"]) == 0
    (s,), = [c[1][0] for c in fake_batch.calls]
    assert [a.year for a in s.management.anti_poaching] == [2]
    assert [(t.year, t.repeat.times) for t in s.management.prey_translocations] == [(6, 3)]
    err = capsys.readouterr().err
    assert "dropped management.anti_poaching[1] (year 30)" in err
    assert "management.prey_translocations[0] repeats 3 time(s) instead of 5" in err


def test_quick_applies_the_same_horizon_to_every_scenario_of_a_folder(tmp_path, fake_batch):
    mgmt = "management: {anti_poaching: [{year: 1, strength: 0.5}]}\n"
    write(tmp_path, "a.yaml", GOOD.replace("name: small", "name: a").replace("years: 10", "years: 50") + mgmt)
    write(tmp_path, "b.yaml", GOOD.replace("name: small", "name: b").replace("years: 10", "years: 30") + mgmt)
    assert main(["run", str(tmp_path), "--quick", "--out", "o", "--no-report"]) == 0
    scenarios = fake_batch.calls[0][1][0]
    assert [(s.name, s.years, len(s.management.anti_poaching)) for s in scenarios] == [("a", 10, 1), ("b", 10, 1)]


def test_years_override_that_strands_a_release_is_a_clear_error(tmp_path, fake_batch, capsys):
    f = write(tmp_path, "small.yaml", GOOD.replace("{cell", "{year: 8, cell"))
    assert main(["run", str(f), "--years", "5", "--out", "o"]) == 2
    err = capsys.readouterr().err
    assert "small.yaml" in err and "--years 5" in err and "releases[0]" in err and "after the horizon" in err
    assert fake_batch.calls == []


def test_apply_overrides_without_options_returns_the_same_scenarios(tmp_path):
    f = write(tmp_path, "small.yaml", GOOD)
    loaded = load_scenarios([f])
    out, notes = apply_overrides(loaded)
    assert out == loaded and notes == []


def test_existing_output_folder_exits_2_with_a_resume_hint(tmp_path, fake_batch, capsys):
    f = write(tmp_path, "small.yaml", GOOD)
    (tmp_path / "o").mkdir()
    (tmp_path / "o" / "something").write_text("x")
    assert main(["run", str(f), "--out", "o"]) == 2
    assert "--resume o" in capsys.readouterr().err
    assert fake_batch.calls == []


def test_an_output_folder_holding_only_a_lock_file_is_started_again(tmp_path, fake_batch, capsys):
    """What a run killed before it wrote manifest.json leaves (bench/soak.py found it)."""
    f = write(tmp_path, "small.yaml", GOOD)
    (tmp_path / "o").mkdir()
    (tmp_path / "o" / ".lock").write_text("process 4242 on host")
    assert main(["run", str(f), "--out", "o", "--no-report"]) == 0, capsys.readouterr().err
    assert [c[0] for c in fake_batch.calls] == ["run"]


def test_a_second_run_starting_in_the_same_folder_exits_2(tmp_path, fake_batch, capsys):
    fake_batch.raise_exc = FakeBatch.ManifestError("o: the batch in this folder is being run by process 1")
    f = write(tmp_path, "small.yaml", GOOD)
    assert main(["run", str(f), "--out", "o"]) == 2
    err = capsys.readouterr().err
    assert "--out o: o: the batch in this folder is being run by process 1" in err and "Traceback" not in err


def test_output_exists_error_from_the_batch_exits_2(tmp_path, fake_batch, capsys):
    fake_batch.raise_exc = FakeBatch.OutputExistsError("results/x exists and is not empty")
    f = write(tmp_path, "small.yaml", GOOD)
    assert main(["run", str(f), "--out", "o"]) == 2
    err = capsys.readouterr().err
    assert "exists and is not empty" in err and "--resume o" in err and "Traceback" not in err


def test_ctrl_c_exits_130_and_says_how_to_resume(tmp_path, fake_batch, capsys):
    fake_batch.raise_exc = KeyboardInterrupt()
    f = write(tmp_path, "small.yaml", GOOD)
    assert main(["run", str(f), "--out", "o"]) == 130
    err = capsys.readouterr().err
    assert "interrupted" in err and "run --resume o" in err


def test_failed_replicates_give_exit_1_naming_failures_csv_and_the_first_five(tmp_path, fake_batch, capsys):
    fake_batch.n_failed = 7
    f = write(tmp_path, "small.yaml", GOOD)
    assert main(["run", str(f), "--out", "o", "--no-report"]) == 1
    err = capsys.readouterr().err
    assert "7 replicate(s) failed" in err and str(Path("o") / "failures.csv") in err
    for i in range(5):
        assert f"small replicate {i} (seed entropy 1, spawn key 7 {i}): RuntimeError: boom {i}" in err
    assert "small replicate 5" not in err and "... and 2 more" in err


def test_unknown_baseline_exits_2_with_suggestion(tmp_path, fake_batch, capsys):
    f = write(tmp_path, "small.yaml", GOOD)
    assert main(["run", str(f), "--baseline", "smal", "--out", "o"]) == 2
    assert "did you mean 'small'?" in capsys.readouterr().err


def test_resume_calls_resume_batch_and_refuses_new_scenarios(tmp_path, fake_batch, capsys):
    (tmp_path / "o").mkdir()
    assert main(["run", "--resume", "o", "--jobs", "1", "--no-report"]) == 0
    (kind, (out_dir,), kw), = fake_batch.calls
    assert kind == "resume" and Path(out_dir) == Path("o") and kw["jobs"] == 1
    assert main(["run", "x.yaml", "--resume", "o", "--years", "3"]) == 2
    assert "do not combine it with FILES, --years" in capsys.readouterr().err
    assert main(["run", "--resume", "missing"]) == 2


def test_report_is_built_after_the_run_when_available(tmp_path, fake_batch, monkeypatch, capsys):
    built = []
    report = types.ModuleType("sim.reporting.report")
    report.build_report = lambda run_dir: built.append(run_dir) or Path(run_dir) / "report.html"
    monkeypatch.setitem(sys.modules, "sim.reporting.report", report)
    f = write(tmp_path, "small.yaml", GOOD)
    assert main(["run", str(f), "--out", "o"]) == 0
    assert built == [Path("o")]
    assert "report:  o/report.html" in capsys.readouterr().out
    assert main(["run", str(f), "--out", "o2", "--no-report"]) == 0
    assert built == [Path("o")]


# ----------------------------------------------------------------------------------- plugins
PLUGIN = """\
import numpy as np
from sim.registry import register

@register("movement", "test_plugin_north")
def north(model, rows, cols, headings, step_cells, rng):
    return np.zeros(len(rows), dtype=np.int64)
"""


def test_plugin_rules_are_accepted_only_after_the_plugin_is_imported(tmp_path, fake_batch, capsys):
    from sim import registry as rules

    f = write(tmp_path, "p.yaml", GOOD + "rules: {movement: test_plugin_north}\n")
    plugin = write(tmp_path, "my_rules.py", PLUGIN)
    if "test_plugin_north" not in rules.available("movement"):
        assert main(["run", str(f), "--out", "o"]) == 2
        err = capsys.readouterr().err
        assert "rules.movement" in err and "habitat_walk" in err
    assert main(["run", str(f), "--out", "o", "--plugin", str(plugin), "--no-report"]) == 0
    assert "test_plugin_north" in rules.available("movement")
    assert fake_batch.calls[-1][2]["plugins"] == [str(plugin.resolve())]


def test_broken_plugin_exits_2_naming_file_and_line(tmp_path, fake_batch, capsys):
    f = write(tmp_path, "small.yaml", GOOD)
    plugin = write(tmp_path, "broken_rules.py", "x = 1\ny = undefined_name + 1\n")
    assert main(["run", str(f), "--plugin", str(plugin), "--out", "o"]) == 2
    err = capsys.readouterr().err
    assert "broken_rules.py" in err and "NameError" in err and "line 2" in err
    assert main(["check", str(f), "--plugin", str(tmp_path / "none.py")]) == 2
    assert "none.py: no such file" in capsys.readouterr().err


# ----------------------------------------------------------------------------------- report and map
def test_report_command_of_a_missing_folder_exits_2(tmp_path, capsys):
    assert main(["report", str(tmp_path / "nope")]) == 2
    assert "no such run folder" in capsys.readouterr().err


def test_map_draws_the_scenario_landscape(tmp_path, monkeypatch, capsys):
    drawn = []
    monkeypatch.setattr("sim.cli.draw_landscape", lambda land, path: drawn.append((land.shape, Path(path))))
    f = write(tmp_path, "small.yaml", GOOD)
    assert main(["map", "--scenario", str(f), str(tmp_path / "m.png")]) == 0
    assert drawn == [((10, 10), tmp_path / "m.png")]
    assert main(["map", "--preset", "uniform", "--scenario", str(f), "x.png"]) == 2   # one or the other


def test_default_out_dir_uses_the_first_file_stem():
    loaded = [(None, Path("scenarios/founders.yaml"))]
    out = default_out_dir(loaded, now=0)
    assert out.parent == Path("results") and out.name.startswith("founders-")
    assert default_out_dir([], now=0).name.startswith("batch-")


# ----------------------------------------------------------------------------------- end to end


def interrupting_runner(scenario, seed, replicate=0, landscape=None, base_dir="."):
    """Stands in for the model: Ctrl-C arrives during the first replicate."""
    raise KeyboardInterrupt


def failing_runner(scenario, seed, replicate=0, landscape=None, base_dir="."):
    """Stands in for the model: every replicate raises."""
    raise RuntimeError(f"boom {replicate}")


def test_ctrl_c_in_a_real_batch_gives_one_resume_hint(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sim.runs.batch.DEFAULT_RUNNER", "tests.test_cli:interrupting_runner")
    f = write(tmp_path, "small.yaml", GOOD)
    assert main(["run", str(f), "--jobs", "1", "--out", "o", "--no-report"]) == 130
    err = capsys.readouterr().err
    assert err.count("interrupted") == 1 and err.count("--resume") == 1, err
    assert "run --resume o" in err
    assert json.loads((tmp_path / "o" / "manifest.json").read_text())["runs"][0]["status"] == "interrupted"


def test_failures_in_a_real_batch_are_listed_with_their_seeds(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sim.runs.batch.DEFAULT_RUNNER", "tests.test_cli:failing_runner")
    f = write(tmp_path, "small.yaml", GOOD)
    assert main(["run", str(f), "--jobs", "1", "--out", "o", "--no-report", "--seed", "3",
                 "--replicates", "6", "--years", "2"]) == 1
    err = capsys.readouterr().err
    assert f"6 replicate(s) failed; the scenario, replicate, seed and traceback of each are in " \
           f"{Path('o') / 'failures.csv'}" in err
    for i in range(5):
        assert f"small replicate {i} (seed entropy 3, spawn key {zlib.crc32(b'small')} {i}): " \
               f"RuntimeError: boom {i}" in err
    assert "... and 1 more" in err


def test_run_end_to_end_writes_a_summary(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    f = write(tmp_path, "small.yaml", GOOD.replace("years: 10", "years: 2"))
    code = main(["run", str(f), "--jobs", "1", "--out", "o", "--no-report", "--seed", "3"])
    out = capsys.readouterr()
    assert code == 0, out.err
    import csv
    rows = list(csv.DictReader(open(tmp_path / "o" / "summary.csv", encoding="utf-8")))
    assert [(r["scenario"], r["n_failed"]) for r in rows] == [("small", "0")]
    assert f"summary: {Path('o') / 'summary.csv'}" in out.out


def test_a_folder_of_only_abstract_bases_is_nothing_to_run(tmp_path, fake_batch, capsys):
    (tmp_path / "s").mkdir()
    write(tmp_path, "s/base.yaml", "abstract: true\nyears: 5\n")
    assert main(["run", "s", "--out", "o"]) == 2
    assert "nothing to run" in capsys.readouterr().err
    assert fake_batch.calls == []


def test_resume_of_a_folder_without_manifest_exits_2(tmp_path, fake_batch, capsys):
    def broken(out_dir, **kw):
        raise FakeBatch.ManifestError(f"{out_dir}/manifest.json: not found")
    fake_batch.module.resume_batch = broken
    (tmp_path / "o").mkdir()
    assert main(["run", "--resume", "o"]) == 2
    assert "--resume o: o/manifest.json: not found" in capsys.readouterr().err


def test_a_quick_run_of_two_shipped_scenarios_writes_every_output_and_the_report(tmp_path, monkeypatch, capsys):
    """The real model on the default map, two scenarios of scenarios/, report included."""
    monkeypatch.chdir(tmp_path)
    files = [str(ROOT / "scenarios" / "baseline.yaml"), str(ROOT / "scenarios" / "no_release.yaml")]
    code = main(["run", *files, "--replicates", "2", "--years", "2", "--jobs", "1", "--out", "o"])
    out = capsys.readouterr()
    assert code == 0, out.err
    run = tmp_path / "o"
    for name in ("manifest.json", "summary.csv", "by_year.csv", "replicates.csv.gz", "report.html",
                 "occupancy/baseline.npy", "occupancy/no_release.npy"):
        assert (run / name).is_file(), name
    figures = {p.stem for p in (run / "figures").glob("*.png")}
    assert {"persistence", "forest", "population", "gene_diversity", "deaths", "landscape", "occupancy",
            "prey"} <= figures
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["replicates_done"] == 4
    assert f"report:  {Path('o') / 'report.html'}" in out.out


def test_a_batch_estimated_above_the_limits_needs_yes(tmp_path, fake_batch, capsys):
    huge = write(tmp_path, "huge.yaml", GOOD.replace("replicates: 2", "replicates: 1000000").replace("years: 10",
                                                                                                    "years: 50"))
    assert main(["run", str(huge), "--out", str(tmp_path / "a"), "--jobs", "2"]) == 2
    err = capsys.readouterr().err
    assert "1,000,000 replicates in all" in err and "more than 2 hours" in err and "add --yes" in err
    assert "Traceback" not in err and not fake_batch.calls
    assert main(["run", str(huge), "--out", str(tmp_path / "b"), "--jobs", "2", "--yes", "--no-report"]) == 0
    assert len(fake_batch.calls) == 1


def test_the_estimate_grows_with_replicates_years_and_cells_and_is_shown(tmp_path, fake_batch, capsys):
    from types import SimpleNamespace

    from sim.runs.estimate import estimate

    s = SimpleNamespace(replicates=50, years=50)
    default = estimate([s] * 36, [42_728] * 36, jobs=2)
    assert 8 / 60 < default.hours < 15 / 60 and default.too_large() is None       # make run: 10.5 min (Dec 3)
    assert estimate([s], [42_728 * 4], jobs=2).hours == pytest.approx(4 * estimate([s], [42_728], jobs=2).hours)
    assert estimate([SimpleNamespace(replicates=100, years=50)], [42_728], 1).bytes > estimate([s], [42_728], 1).bytes
    f = write(tmp_path, "small.yaml", GOOD)
    assert main(["run", str(f), "--out", str(tmp_path / "o"), "--no-report"]) == 0
    assert "of output" in capsys.readouterr().out


def test_common_random_numbers_from_the_command_line_reach_every_scenario(tmp_path, fake_batch):
    f = write(tmp_path, "small.yaml", GOOD)
    assert main(["run", str(f), "--out", str(tmp_path / "o"), "--no-report", "--common-random-numbers"]) == 0
    (_, (scenarios, _), _), = fake_batch.calls
    assert all(s.common_random_numbers for s in scenarios)


def test_quiet_hides_notes_and_progress_and_verbose_shows_the_settings(tmp_path, fake_batch, capsys):
    f = write(tmp_path, "small.yaml", GOOD.replace("years: 10", "years: 10\nbaseline: elsewhere"))
    assert main(["-q", "run", str(f), "--out", str(tmp_path / "q"), "--no-report"]) == 0
    err = capsys.readouterr().err
    assert "note:" not in err
    (_, _, kw), = fake_batch.calls
    assert kw["progress"] is False
    assert main(["-v", "run", str(f), "--out", str(tmp_path / "v"), "--no-report"]) == 0
    err = capsys.readouterr().err
    assert "names baseline 'elsewhere'" in err and "settings: jobs all cores" in err
