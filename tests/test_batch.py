"""The batch runner: seeds, parallel backends, streaming chunks, resume, failures, manifest.

All runs use tests.fake_runner (a seeded random census, no model), 2 scenarios × 30 replicates ×
10 years, so each batch takes well under a second of compute; the loky/dask start-up dominates.
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import tracemalloc
import zlib
from pathlib import Path

import numpy as np
import pytest

import tests.fake_runner as fake
from sim.runs.batch import BatchInterrupted, OutputExistsError, resume_batch, run_batch
from sim.runs.folder import read_manifest
from sim.runs.outputs import format_summary_table, write_outputs
from sim.runs.seeds import chunk_plan, default_chunk_size, replicate_seed
from sim.model.results import CENSUS_COLUMNS
from sim.config.schema import Release, Scenario
from sim.analysis.stats import compare_to_baseline

ROOT = Path(__file__).resolve().parent.parent
DATA_FILES = ("summary.csv", "by_year.csv", "replicates.csv.gz", "occupancy/alpha.npy",
              "occupancy/alpha.json", "occupancy/beta.npy", "occupancy/beta.json")


def scenarios() -> list[Scenario]:
    rel = [Release(year=1, cell=(1, 1), females=4, males=4)]
    return [Scenario(name="alpha", family="demo", description="first, with a comma", years=10,
                     replicates=30, seed=3, releases=rel),
            Scenario(name="beta", family="demo", baseline="alpha", years=10, replicates=30, seed=4,
                     releases=[Release(year=2, cell=(1, 1), females=6, males=6)])]


def interrupting_runner(scenario, seed, replicate=0, landscape=None, base_dir="."):
    """Ctrl-C arrives while replicate 12 of 'beta' runs (in-process runs only, jobs=1)."""
    if scenario.name == "beta" and replicate == 12:
        raise KeyboardInterrupt
    return fake.run_replicate(scenario, seed, replicate, landscape, base_dir)


def batch(out: Path, **kw):
    kw.setdefault("runner", fake.run_replicate)
    kw.setdefault("landscapes", False)
    kw.setdefault("progress", False)
    return run_batch(scenarios(), out, **kw)


def assert_same_data(a: Path, b: Path) -> None:
    for f in DATA_FILES:
        assert (a / f).read_bytes() == (b / f).read_bytes(), f"{f} differs between {a} and {b}"


def read_csv(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """An uninterrupted, in-process run (jobs=1, default chunking)."""
    out = tmp_path_factory.mktemp("ref") / "run"
    res = batch(out, jobs=1)
    assert res.n_done == 60 and res.n_failed == 0
    return out


# --------------------------------------------------------------------------- seeds and backends

def test_results_do_not_depend_on_jobs_or_chunking(reference, tmp_path):
    batch(tmp_path / "two", jobs=2, chunk_size=7)
    assert_same_data(reference, tmp_path / "two")
    assert len(list((tmp_path / "two" / "chunks" / "alpha").glob("*.npz"))) == 5     # 30 = 4×7 + 2


def test_dask_local_cluster_matches_loky(reference, tmp_path):
    batch(tmp_path / "dask", jobs=2, backend="dask")
    assert_same_data(reference, tmp_path / "dask")
    assert json.loads((tmp_path / "dask" / "manifest.json").read_text())["versions"]["dask"]


def test_replicate_seed_depends_only_on_root_scenario_and_index(reference, tmp_path):
    beta = scenarios()[1]
    seed = replicate_seed(4, "beta", 5)
    assert seed.entropy == 4 and seed.spawn_key == (zlib.crc32(b"beta"), 5)
    direct = fake.run_replicate(beta, np.random.SeedSequence(4, spawn_key=(zlib.crc32(b"beta"), 5)), 5)
    rows = [r for r in read_csv(reference / "replicates.csv.gz") if r["scenario"] == "beta" and r["replicate"] == "5"]
    assert [float(r["N"]) for r in rows] == direct.census["N"].tolist()
    # beta alone gives beta's rows of the two-scenario batch
    run_batch([beta], tmp_path / "alone", runner=fake.run_replicate, landscapes=False, progress=False, jobs=1)
    both = [r for r in read_csv(reference / "replicates.csv.gz") if r["scenario"] == "beta"]
    assert read_csv(tmp_path / "alone" / "replicates.csv.gz") == both


def test_root_seed_overrides_scenario_seeds(reference, tmp_path):
    res = batch(tmp_path / "root", jobs=1, root_seed=99)
    m = json.loads((tmp_path / "root" / "manifest.json").read_text())
    assert [s["root_seed"] for s in m["scenarios"]] == [99, 99]
    assert (tmp_path / "root" / "replicates.csv.gz").read_bytes() != (reference / "replicates.csv.gz").read_bytes()
    assert res.n_done == 60


# --------------------------------------------------------------------------- resume

KILL_SCRIPT = textwrap.dedent("""
    import sys
    from pathlib import Path
    import tests.fake_runner as fake
    from tests.test_batch import scenarios
    from sim.runs.batch import run_batch
    if __name__ == "__main__":
        run_batch(scenarios(), Path(sys.argv[1]), jobs=2, chunk_size=5, runner=fake.slow_runner,
                  landscapes=False, progress=False)
""")


def test_resume_after_killed_run_equals_uninterrupted_run(reference, tmp_path):
    out = tmp_path / "killed"
    script = tmp_path / "run_and_wait.py"
    script.write_text(KILL_SCRIPT)
    env = dict(os.environ, PYTHONPATH=str(ROOT), FAKE_RUNNER_SLEEP="0.1")
    proc = subprocess.Popen([sys.executable, str(script), str(out)], cwd=ROOT, env=env,
                            start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while len(list(out.glob("chunks/*/*.npz"))) < 2:
            assert proc.poll() is None, proc.communicate()[1].decode()[-2000:]
            assert time.monotonic() < deadline, "no chunk written within 60 s"
            time.sleep(0.02)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)    # the batch and its loky workers, mid-run
        proc.wait()
    written = len(list(out.glob("chunks/*/*.npz")))
    assert 2 <= written < 12, "the kill did not land mid-run"
    assert not (out / "summary.csv").exists()
    m = json.loads((out / "manifest.json").read_text())
    assert m["status"] == "running"
    (killed,) = m["runs"]                       # on record from the start, not only at the end
    assert (killed["status"], killed["jobs"], killed["backend"]) == ("running", 2, "loky")
    assert killed["started"] and killed["ended"] is None

    res = resume_batch(out, jobs=1, runner=fake.run_replicate, progress=False)
    assert res.n_done == 60
    assert_same_data(reference, out)
    m = json.loads((out / "manifest.json").read_text())
    assert m["status"] == "complete"
    assert [(r["status"], r["resume"], r["jobs"]) for r in m["runs"]] == \
        [("interrupted", False, 2), ("finished", True, 1)]
    assert m["runs"][0]["started"] == killed["started"]
    assert m["runs"][-1]["chunks_run"] == 12 - written


def test_ctrl_c_is_recorded_in_the_manifest_and_says_how_to_resume(reference, tmp_path, capsys):
    out = tmp_path / "ctrl_c"
    with pytest.raises(BatchInterrupted, match=r"resume_batch\(") as info:
        batch(out, jobs=1, chunk_size=5, runner=interrupting_runner)
    assert isinstance(info.value, KeyboardInterrupt) and info.value.out_dir == out
    assert capsys.readouterr().err == ""        # the hint is in the exception, printed by no one
    m = json.loads((out / "manifest.json").read_text())
    (run,) = m["runs"]
    assert m["status"] == "interrupted" and run["status"] == "interrupted" and run["ended"]
    assert (run["jobs"], run["backend"], run["resume"]) == (1, "loky", False)

    resume_batch(out, jobs=1, runner=fake.run_replicate, progress=False)
    assert_same_data(reference, out)
    m = json.loads((out / "manifest.json").read_text())
    assert [(r["status"], r["resume"]) for r in m["runs"]] == [("interrupted", False), ("finished", True)]
    assert m["status"] == "complete"


def test_resume_removes_stale_temp_files_only(reference, tmp_path):
    out = tmp_path / "stale"
    shutil.copytree(reference, out)
    next(out.glob("chunks/beta/*.npz")).unlink()
    stale = [out / ".summary.csv.tmp-4242", out / ".replicates.csv.gz.tmp-17",
             out / "occupancy" / ".alpha.npy.tmp-99", out / "chunks" / "alpha" / ".0-14.npz.tmp-5"]
    kept = [out / ".notes.tmp", out / "keep.tmp-3", out / ".draft.tmp-abc", out / "chunks" / "alpha" / "x.txt"]
    for p in stale + kept:
        p.write_bytes(b"half-written")
    resume_batch(out, jobs=1, runner=fake.run_replicate, progress=False)
    assert [p.name for p in stale if p.exists()] == []
    assert all(p.read_bytes() == b"half-written" for p in kept)
    assert_same_data(reference, out)


def test_resume_after_lost_chunks_reruns_only_those(reference, tmp_path):
    out = tmp_path / "partial"
    shutil.copytree(reference, out)
    chunks = sorted(out.glob("chunks/*/*.npz"))
    for p in chunks[1::2]:
        p.unlink()
    for f in ("summary.csv", "by_year.csv", "replicates.csv.gz"):
        (out / f).unlink()
    shutil.rmtree(out / "occupancy")
    fake.LIVE_AT_CALL.clear()
    res = resume_batch(out, jobs=1, runner=fake.tracking_runner, progress=False)
    assert res.n_failed == 0, res.failures[:1]
    assert len(fake.LIVE_AT_CALL) == sum(int(p.stem.split("-")[1]) - int(p.stem.split("-")[0]) + 1
                                         for p in chunks[1::2])
    assert_same_data(reference, out)


def test_resume_reruns_unreadable_chunks_and_keeps_them_aside(reference, tmp_path, capsys):
    out = tmp_path / "corrupt"
    shutil.copytree(reference, out)
    chunks = sorted(out.glob("chunks/*/*.npz"))
    truncated, empty, garbage = chunks[0], chunks[1], chunks[-1]
    truncated.write_bytes(truncated.read_bytes()[: truncated.stat().st_size // 2])
    empty.write_bytes(b"")
    garbage.write_bytes(b"not a chunk at all" * 10)
    for f in ("summary.csv", "by_year.csv", "replicates.csv.gz"):
        (out / f).unlink()
    resume_batch(out, jobs=1, runner=fake.run_replicate, progress=False)
    assert_same_data(reference, out)
    for p in (truncated, empty, garbage):
        assert p.with_name(p.name + ".unreadable").exists()
    err = capsys.readouterr().err
    assert err.count("could not be read") == 3 and "run again" in err


def test_chunk_files_are_byte_identical_between_runs_and_their_checksums_are_recorded(reference, tmp_path):
    import hashlib
    again = tmp_path / "again"
    batch(again, jobs=1)
    ref_chunks = sorted(reference.glob("chunks/*/*.npz"))
    assert ref_chunks
    for p in ref_chunks:
        assert p.read_bytes() == (again / p.relative_to(reference)).read_bytes(), p.name
    manifest = read_manifest(reference)
    recorded = manifest["chunk_sha256"]
    assert sorted(recorded) == sorted(p.relative_to(reference / "chunks").as_posix() for p in ref_chunks)
    for name, digest in recorded.items():
        assert hashlib.sha256((reference / "chunks" / name).read_bytes()).hexdigest() == digest
    # the sums file is in sha256sum's format: the standard tool verifies it
    if shutil.which("sha256sum"):
        proc = subprocess.run(["sha256sum", "--check", "--quiet", "SHA256SUMS"], cwd=reference / "chunks",
                              capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_resume_reruns_a_chunk_altered_into_another_valid_file(reference, tmp_path, capsys):
    from sim.runs.folder import read_chunk, write_chunk
    out = tmp_path / "altered"
    shutil.copytree(reference, out)
    target = sorted(out.glob("chunks/beta/*.npz"))[0]
    chunk = read_chunk(target)
    first, last = map(int, target.stem.split("-"))
    col = CENSUS_COLUMNS[0]
    chunk["census"][col] = chunk["census"][col] + 1.0      # still a well-formed chunk
    sums = (out / "chunks" / "SHA256SUMS").read_text()
    write_chunk(out, {"scenario": "beta", "first": first, "last": last, **chunk})
    (out / "chunks" / "SHA256SUMS").write_text(sums)     # the edit did not go through the batch
    for f in ("summary.csv", "by_year.csv", "replicates.csv.gz"):
        (out / f).unlink()
    resume_batch(out, jobs=1, runner=fake.run_replicate, progress=False)
    assert_same_data(reference, out)
    assert target.with_name(target.name + ".altered").exists()
    assert target.read_bytes() == (reference / target.relative_to(out)).read_bytes()
    assert "differs from the checksum recorded" in capsys.readouterr().err


def test_a_chunk_written_but_not_yet_checksummed_is_kept_and_gets_its_checksum(reference, tmp_path):
    out = tmp_path / "nosum"
    shutil.copytree(reference, out)
    sums = out / "chunks" / "SHA256SUMS"
    lines = sums.read_text().splitlines()
    sums.write_text("\n".join(lines[:-1]) + "\n" + lines[-1][:20])     # the kill cut the last line short
    manifest = json.loads((out / "manifest.json").read_text())
    missing = lines[-1].split("  ")[1]
    del manifest["chunk_sha256"][missing]
    (out / "manifest.json").write_text(json.dumps(manifest))
    fake.LIVE_AT_CALL.clear()
    resume_batch(out, jobs=1, runner=fake.tracking_runner, progress=False)
    assert fake.LIVE_AT_CALL == []                  # nothing was run again
    assert read_manifest(out)["chunk_sha256"] == read_manifest(reference)["chunk_sha256"]


def test_a_folder_being_run_cannot_be_resumed_by_a_second_process(reference, tmp_path):
    from sim.runs.folder import FolderBusy, folder_lock
    out = tmp_path / "busy"
    shutil.copytree(reference, out)
    next(out.glob("chunks/beta/*.npz")).unlink()
    with folder_lock(out):          # stands in for the first resume, still running
        code = ("import sys, tests.fake_runner as fake\n"
                "from sim.runs.batch import resume_batch\n"
                "from sim.runs.folder import FolderBusy\n"
                "try:\n"
                f"    resume_batch({str(out)!r}, jobs=1, runner=fake.run_replicate, progress=False)\n"
                "except FolderBusy as e:\n"
                "    print(e); sys.exit(3)\n")
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert proc.returncode == 3, proc.stderr[-2000:]
        assert f"being run by process {os.getpid()}" in proc.stdout
        assert len(list(out.glob("chunks/beta/*.npz"))) == len(list(reference.glob("chunks/beta/*.npz"))) - 1
    resume_batch(out, jobs=1, runner=fake.run_replicate, progress=False)   # free again
    assert_same_data(reference, out)
    with pytest.raises(FolderBusy):
        with folder_lock(out), folder_lock(out):
            pass


def test_resume_uses_the_runner_recorded_in_the_manifest(reference, tmp_path):
    out = tmp_path / "again"
    shutil.copytree(reference, out)
    next(out.glob("chunks/beta/*.npz")).unlink()
    assert json.loads((out / "manifest.json").read_text())["runner"] == "tests.fake_runner:run_replicate"
    resume_batch(out, jobs=1, progress=False)
    assert_same_data(reference, out)


# --------------------------------------------------------------------------- failures, refusal

def test_failing_replicate_is_reported_and_the_rest_finish(reference, tmp_path):
    res = batch(tmp_path / "fail", jobs=2, runner=fake.failing_runner)
    assert res.n_done == 59 and res.n_failed == 1
    (f,) = res.failures
    assert (f.scenario, f.replicate, f.seed_entropy, f.spawn_key) == ("beta", 7, 4, (zlib.crc32(b"beta"), 7))
    assert "RuntimeError: boom in beta/7" in f.message and "Traceback" in f.message
    assert res.failures_path == tmp_path / "fail" / "failures.csv"
    report = res.failure_report()
    assert str(res.failures_path) in report
    assert f"beta replicate 7 (seed entropy 4, spawn key {zlib.crc32(b'beta')} 7): " \
           "RuntimeError: boom in beta/7" in report
    (row,) = read_csv(tmp_path / "fail" / "failures.csv")
    assert row["scenario"] == "beta" and row["replicate"] == "7" and row["seed_entropy"] == "4"
    assert row["seed_spawn_key"] == f"{zlib.crc32(b'beta')} 7" and "boom" in row["message"]
    summary = {r["scenario"]: r for r in read_csv(tmp_path / "fail" / "summary.csv")}
    assert summary["beta"]["n_replicates"] == "29" and summary["beta"]["n_failed"] == "1"
    ref_rows = [r for r in read_csv(reference / "replicates.csv.gz") if r["scenario"] == "beta"]
    got_rows = read_csv(tmp_path / "fail" / "replicates.csv.gz")
    assert [r for r in got_rows if r["scenario"] == "beta"] == [r for r in ref_rows if r["replicate"] != "7"]
    manifest = json.loads((tmp_path / "fail" / "manifest.json").read_text())
    assert manifest["replicates_failed"] == 1 and manifest["failures"][0]["replicate"] == 7


def test_existing_nonempty_out_dir_is_refused(tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "keep.txt").write_text("x")
    with pytest.raises(OutputExistsError, match="old"):
        batch(tmp_path / "old", jobs=1)
    assert sorted(p.name for p in (tmp_path / "old").iterdir()) == ["keep.txt"]
    (tmp_path / "empty").mkdir()
    assert batch(tmp_path / "empty", jobs=1).n_done == 60


def test_a_folder_killed_before_its_manifest_was_written_can_be_started_again(reference, tmp_path):
    """A batch killed between taking the folder's lock and writing manifest.json (found while
    building bench/soak.py) left a folder that could be neither resumed nor started again."""
    out = tmp_path / "early"
    out.mkdir()
    (out / ".lock").write_text("process 4242 on host")
    (out / ".manifest.json.tmp-4242").write_text('{"format_')
    batch(out, jobs=1)
    assert_same_data(reference, out)
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / ".lock").write_text("")
    (taken / "notes.txt").write_text("mine")
    with pytest.raises(OutputExistsError):
        batch(taken, jobs=1)


def test_bad_arguments_are_named(tmp_path):
    with pytest.raises(ValueError, match="baseline 'gamma'"):
        batch(tmp_path / "a", baseline="gamma")
    with pytest.raises(ValueError, match="backend"):
        batch(tmp_path / "b", backend="threads")
    with pytest.raises(ValueError, match="unique"):
        run_batch(scenarios() * 2, tmp_path / "c", runner=fake.run_replicate, progress=False)


# --------------------------------------------------------------------------- memory, streaming

def test_main_process_streams_chunks_and_keeps_no_results(tmp_path):
    out = tmp_path / "stream"
    fake.LIVE.clear()
    fake.LIVE_AT_CALL.clear()
    fake.CHUNKS_ON_DISK_AT_CALL.clear()
    fake.WATCH_DIR[:] = [str(out)]
    try:
        res = batch(out, jobs=1, chunk_size=5, runner=fake.tracking_runner)
    finally:
        fake.WATCH_DIR.clear()
    assert res.n_done == 60, res.failures[:1]
    assert sum(r() is not None for r in fake.LIVE) == 0
    # no earlier replicate result is alive when the next replicate starts
    assert len(fake.LIVE_AT_CALL) == 60 and max(fake.LIVE_AT_CALL) <= 1
    # chunk k is on disk before chunk k+2 starts (written as it finishes, not at the end)
    for n, (name, rep, on_disk) in enumerate(fake.CHUNKS_ON_DISK_AT_CALL):
        assert on_disk >= n // 5 - 1, (name, rep, on_disk)


def test_writing_outputs_never_holds_a_scenarios_whole_census(tmp_path):
    """Aggregation reads a few census columns (and one chunk) at a time: its peak memory stays
    far below one scenario's full census (all columns × replicates × years), which it used to
    concatenate."""
    sc = Scenario(name="big", years=20, replicates=600, seed=5,
                  releases=[Release(year=1, cell=(1, 1), females=4, males=4)])
    out = tmp_path / "big"
    run_batch([sc], out, runner=fake.run_replicate, landscapes=False, progress=False, jobs=1,
              chunk_size=50)
    manifest = read_manifest(out)
    write_outputs(out, manifest)                 # warm-up: first-time imports are not the point
    tracemalloc.start()
    try:
        write_outputs(out, manifest)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    whole_census = len(CENSUS_COLUMNS) * 600 * 20 * 8
    assert peak < whole_census / 2, (peak, whole_census)


# --------------------------------------------------------------------------- outputs, manifest

def test_outputs_and_baseline_comparison(reference):
    summary = {r["scenario"]: r for r in read_csv(reference / "summary.csv")}
    a, b = summary["alpha"], summary["beta"]
    assert a["description"] == "first, with a comma" and a["family"] == "demo"
    assert a["baseline"] == "" and a["diff_p_persist"] == ""
    assert b["baseline"] == "alpha"
    diff, lo, hi = compare_to_baseline(int(b["n_extant"]), 30, int(a["n_extant"]), 30)
    assert float(b["diff_p_persist"]) == diff
    assert (float(b["diff_p_persist_lo"]), float(b["diff_p_persist_hi"])) == (lo, hi)
    years = read_csv(reference / "by_year.csv")
    assert len(years) == 20 and years[0]["year"] == "1"
    reps = read_csv(reference / "replicates.csv.gz")
    assert len(reps) == 2 * 30 * 10 and list(reps[0])[:3] == ["scenario", "replicate", "year"]
    raw = (reference / "replicates.csv.gz").read_bytes()
    assert raw[4:8] == b"\0\0\0\0"                          # gzip mtime 0: byte-reproducible
    occ = np.load(reference / "occupancy" / "alpha.npy")
    assert occ.dtype == np.int64 and occ.shape == fake.OCCUPANCY_SHAPE
    assert json.loads((reference / "occupancy" / "alpha.json").read_text())["replicates"] == 30
    assert not (reference / "failures.csv").exists()
    table = format_summary_table(reference / "summary.csv")
    assert "P(persist) [95% CI]" in table and "alpha" in table and "beta" in table


def test_baseline_argument_overrides_scenario_fields(tmp_path):
    batch(tmp_path / "b", jobs=1, baseline="beta")
    summary = {r["scenario"]: r for r in read_csv(tmp_path / "b" / "summary.csv")}
    assert summary["alpha"]["baseline"] == "beta" and summary["alpha"]["diff_p_persist"] != ""
    assert summary["beta"]["baseline"] == "" and summary["beta"]["diff_p_persist"] == ""


def test_manifest_records_what_was_run(reference):
    m = json.loads((reference / "manifest.json").read_text())
    for key in ("start_time", "end_time", "command_line", "hostname", "root_seed", "chunk_size",
                "git", "plugins", "runs"):
        assert key in m
    assert m["status"] == "complete" and m["replicates_done"] == 60 and m["replicates_failed"] == 0
    for pkg in ("python", "numpy", "scipy", "mesa", "joblib", "pydantic"):
        assert m["versions"][pkg]
    assert m["git"]["commit"] is None or len(m["git"]["commit"]) == 40
    assert [(s["name"], s["replicates"], s["years"], s["root_seed"]) for s in m["scenarios"]] == \
        [("alpha", 30, 10, 3), ("beta", 30, 10, 4)]
    assert [Scenario.model_validate(s["scenario"]) for s in m["scenarios"]] == scenarios()


def test_chunking_is_deterministic():
    assert chunk_plan(30, 10) == [(0, 9), (10, 19), (20, 29)]
    assert chunk_plan(7, 5) == [(0, 4), (5, 6)]
    assert default_chunk_size(60, 1) == 15 and default_chunk_size(60, 8) == 10
    assert default_chunk_size(10_000, 2) == 50


def test_landscape_is_built_and_passed_to_the_runner(tmp_path):
    sc = Scenario(name="map", years=3, replicates=4, seed=1,
                  landscape={"preset": "uniform", "width_km": 20, "height_km": 15, "cell_km": 2.5})
    res = run_batch([sc], tmp_path / "map", runner=fake.landscape_runner, jobs=1, progress=False)
    assert res.n_failed == 0, res.failures[:1]
    assert np.load(tmp_path / "map" / "occupancy" / "map.npy").shape == (6, 8)


def test_plugins_are_imported_in_every_worker(tmp_path):
    plugin = tmp_path / "my_rules.py"
    plugin.write_text("from sim.registry import register\n\n"
                      "@register('movement', 'batch_test_walk')\n"
                      "def batch_test_walk(model, rows, cols, headings, step_cells, rng):\n"
                      "    return rows, cols, headings\n")
    res = batch(tmp_path / "plug", jobs=2, runner=fake.plugin_runner, plugins=[str(plugin)])
    assert res.n_failed == 0, res.failures[:1]
    without = batch(tmp_path / "noplug", jobs=1, runner=fake.plugin_runner)
    assert without.n_failed == 60 and "plugin not loaded" in without.failures[0].message


# --------------------------------------------------------------------------- worker memory

def test_a_finished_replicates_model_is_freed_by_free_replicate_memory(monkeypatch):
    """The model, its animals and Mesa's event machinery form reference cycles: after the
    replicate they stay in memory until a cyclic collection, which free_replicate_memory runs at
    once (and cheaply, after freezing the objects alive at its first call)."""
    import gc
    import weakref

    import sim.runs.worker as worker
    from sim.world.build import build_landscape
    from sim.model.model import ReintroductionModel

    sc = scenarios()[0]
    land = build_landscape(sc.landscape)
    gc.disable()                                   # no automatic collection during the test
    monkeypatch.setattr(worker, "_GC_FROZEN", False)
    try:
        model = ReintroductionModel(sc, land, rng=np.random.default_rng(1))
        for _ in range(24):
            model.step()
        model.remove_all_agents()
        ref = weakref.ref(model)
        del model
        assert ref() is not None                   # held by its own reference cycles
        worker.free_replicate_memory()
        assert ref() is None
        assert worker._GC_FROZEN and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.enable()
