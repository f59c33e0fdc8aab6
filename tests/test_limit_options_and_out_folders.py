"""Size limits raisable by options (sim.limits), and output folders the file system refuses.

Issue 17: limits are checked before any work and "can be raised by options"; ``--out`` under a
file, on a read-only file system or a full disk gives a clear message, never a traceback.
"""

from __future__ import annotations

import errno
import os
import textwrap
from pathlib import Path

import pytest

import sim.limits as limits
from sim.cli import main
from sim.runs import folder

GOOD = """\
name: small
years: 2
replicates: 2
landscape: {preset: uniform, width_km: 50, height_km: 50, cell_km: 2.5}
prey: {saiga: {initial_total: 0}, urial: {initial_total: 0}}
releases:
  - {cell: [2, 2], females: 2, males: 2}
"""


def write(folder_: Path, name: str, text: str) -> Path:
    path = folder_ / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def no_limits_from_outside(monkeypatch):
    monkeypatch.delenv(limits.ENV, raising=False)


# ------------------------------------------------------------------------------------ limits

def test_the_cells_limit_is_set_by_the_option_for_that_command_only(tmp_path, capsys):
    f = write(tmp_path, "s.yaml", GOOD)                       # 20 x 20 = 400 cells
    assert main(["check", str(f)]) == 0
    assert main(["--limit", "cells=399", "check", str(f)]) == 2
    err = capsys.readouterr().err
    assert "400 cells; at most 399 cells" in err and "--limit cells=N" in err and "Traceback" not in err
    assert limits.ENV not in os.environ                      # nothing leaks past the command
    assert main(["--limit", "cells=400", "check", str(f)]) == 0


def test_the_environment_variable_sets_limits_too(tmp_path, monkeypatch, capsys):
    f = write(tmp_path, "s.yaml", GOOD)
    monkeypatch.setenv(limits.ENV, "cells=100")
    assert main(["check", str(f)]) == 2
    assert "at most 100 cells" in capsys.readouterr().err
    assert main(["--limit", "cells=1000", "check", str(f)]) == 0     # the option wins


def test_the_sweep_limit_is_raisable(tmp_path, capsys):
    f = write(tmp_path, "s.yaml", GOOD + "sweep: {releases.0.females: [2, 3, 4], releases.0.males: [2, 3, 4]}\n")
    assert main(["--limit", "sweep=8", "check", str(f)]) == 2
    err = capsys.readouterr().err
    assert "9 scenarios; at most 8 per sweep" in err and "--limit sweep=N" in err
    assert main(["--limit", "sweep=9", "check", str(f)]) == 0


def test_nesting_and_values_limits_are_raisable(tmp_path, capsys):
    f = write(tmp_path, "s.yaml", GOOD + "description: " + "[" * 8 + "]" * 8 + "\n")
    assert main(["--limit", "nesting=5", "check", str(f)]) == 2
    assert "nested more than 5 levels" in capsys.readouterr().err
    assert main(["--limit", "values=10", "check", str(f)]) == 2
    assert "more than 10 values" in capsys.readouterr().err


def test_the_estimate_limits_are_raisable_instead_of_yes(tmp_path, monkeypatch, capsys):
    import sys
    import types
    calls = []
    fake = types.ModuleType("sim.runs.batch")
    fake.run_batch = lambda *a, **k: calls.append(a) or (_ for _ in ()).throw(KeyboardInterrupt)
    fake.OutputExistsError = type("OutputExistsError", (Exception,), {})
    fake.ManifestError = type("ManifestError", (ValueError,), {})
    monkeypatch.setitem(sys.modules, "sim.runs.batch", fake)
    # ~2.3 hours by the run-time estimate (above the 2-hour limit) and ~4.6 GB (below the 5 GB one)
    f = write(tmp_path, "s.yaml", GOOD.replace("replicates: 2", "replicates: 120000").replace("years: 2", "years: 100"))
    assert main(["run", str(f), "--out", str(tmp_path / "a"), "--jobs", "2"]) == 2
    assert "more than 2 hours" in capsys.readouterr().err and not calls
    assert main(["--limit", "hours=1000", "run", str(f), "--out", str(tmp_path / "b"), "--jobs", "2"]) == 130
    assert len(calls) == 1


@pytest.mark.parametrize("setting, fragment", [
    ("cels=5", "NAME one of: nesting, values, extends, sweep, cells, hours, gb"),
    ("cells", "must be NAME=VALUE"),
    ("cells=2.5", "cells=2.5: must be a whole number ≥ 1"),
    ("cells=-1", "must be a whole number ≥ 1"),
    ("hours=nan", "hours=nan: must be a number > 0"),
    ("gb=inf", "must be a number > 0"),
])
def test_a_malformed_limit_is_a_clear_error(setting, fragment, tmp_path, capsys):
    f = write(tmp_path, "s.yaml", GOOD)
    assert main(["--limit", setting, "check", str(f)]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "--limit" in err and "Traceback" not in err


def limit_reporting_runner(scenario, seed, replicate=0, landscape=None, base_dir="."):
    """A fake replicate that records the cells limit in force where it runs."""
    import tests.fake_runner as fake
    SEEN.append(limits.current().cells)
    return fake.run_replicate(scenario, seed, replicate, landscape, base_dir)


SEEN: list[int] = []


def test_a_batch_records_its_limits_and_its_chunks_run_under_them_on_resume_too(tmp_path, monkeypatch):
    from sim.config.schema import Release, Scenario
    from sim.runs.batch import resume_batch, run_batch
    sc = Scenario(name="alpha", years=3, replicates=4, seed=3, releases=[Release(year=1, cell=(1, 1), females=2,
                                                                                         males=2)])
    SEEN.clear()
    with limits.limits_changed({"cells": 4321}):
        run_batch([sc], tmp_path / "run", jobs=1, runner=limit_reporting_runner, landscapes=False,
                  progress=False, chunk_size=2)
    assert SEEN == [4321] * 4
    assert folder.read_manifest(tmp_path / "run")["limits"] == {"cells": 4321}
    # a resume in a process whose own settings differ (a reused worker left with other limits)
    next((tmp_path / "run" / "chunks" / "alpha").glob("*.npz")).unlink()
    monkeypatch.setenv(limits.ENV, "sweep=5")
    SEEN.clear()
    resume_batch(tmp_path / "run", jobs=1, runner=limit_reporting_runner, progress=False)
    assert SEEN == [4321] * 2
    assert folder.read_manifest(tmp_path / "run")["limits"] == {"cells": 4321, "sweep": 5}


# ------------------------------------------------------------------------- output folders

def test_out_that_is_a_file_or_under_a_file_is_refused(tmp_path, capsys):
    f = write(tmp_path, "s.yaml", GOOD)
    (tmp_path / "afile").write_text("x")
    assert main(["run", str(f), "--out", str(tmp_path / "afile")]) == 2
    assert "this is a file, not a folder" in capsys.readouterr().err
    assert main(["run", str(f), "--out", str(tmp_path / "afile" / "sub" / "run")]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'afile'} is a file, so no folder can be made under it" in err and "Traceback" not in err


def test_out_with_a_nul_byte_or_an_overlong_name_is_refused(tmp_path, capsys):
    f = write(tmp_path, "s.yaml", GOOD)
    assert main(["run", str(f), "--out", str(tmp_path / "a\0b")]) == 2
    assert "may not contain a NUL byte" in capsys.readouterr().err
    assert main(["run", str(f), "--out", str(tmp_path / ("x" * 300))]) == 2
    assert "longer than 255 bytes" in capsys.readouterr().err


def test_out_on_a_read_only_file_system_is_refused_before_the_run(tmp_path, monkeypatch, capsys):
    f = write(tmp_path, "s.yaml", GOOD)
    ro = tmp_path / "ro"
    ro.mkdir()
    real_access = os.access
    monkeypatch.setattr(folder.os, "access", lambda p, mode: False if Path(p) == ro else real_access(p, mode))
    monkeypatch.setattr(folder, "_read_only", lambda p: Path(p) == ro)
    assert main(["run", str(f), "--out", str(ro / "run")]) == 2
    err = capsys.readouterr().err
    assert f"{ro} is on a read-only file system" in err and "Traceback" not in err
    assert not (ro / "run").exists()


def test_a_full_disk_while_writing_ends_with_a_message_and_the_run_resumes_later(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    f = write(tmp_path, "s.yaml", GOOD)
    real = folder.atomic_write

    def full_disk(path, write_fn):
        if Path(path).name == "summary.csv":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real(path, write_fn)

    monkeypatch.setattr(folder, "atomic_write", full_disk)
    assert main(["run", str(f), "--jobs", "1", "--out", "o", "--no-report"]) == 1
    err = capsys.readouterr().err
    assert "cannot write" in err and "summary.csv: No space left on device; free some space" in err
    assert "run --resume o" in err and "Traceback" not in err
    monkeypatch.setattr(folder, "atomic_write", real)
    assert main(["run", "--resume", "o", "--jobs", "1", "--no-report"]) == 0
    assert (tmp_path / "o" / "summary.csv").is_file()


def test_a_short_write_on_a_nearly_full_disk_is_reported_as_no_space(tmp_path, monkeypatch):
    def short_write(f):
        raise OSError("42728 requested and 2544 written")     # what numpy raises

    monkeypatch.setattr(folder, "_nearly_full", lambda p: True)
    with pytest.raises(OSError) as e:
        folder.atomic_write(tmp_path / "x.npy", short_write)
    assert e.value.errno == errno.ENOSPC and e.value.filename == str(tmp_path / "x.npy")
    assert folder.filesystem_message(e.value).endswith("free some space")
    monkeypatch.setattr(folder, "_nearly_full", lambda p: False)
    with pytest.raises(OSError) as e:                          # not the disk: raised as it was
        folder.atomic_write(tmp_path / "x.npy", short_write)
    assert e.value.errno is None
    assert not list(tmp_path.iterdir())                       # no temp file left behind


def test_an_os_error_that_is_not_the_file_systems_state_is_not_hidden():
    assert folder.filesystem_message(OSError(errno.ECONNREFUSED, "refused")) is None


@pytest.mark.parametrize("path, fragment", [
    ("/dev/null", "not a regular file or folder"),
    ("x" * 300 + ".yaml", "a name in this path is too long for the file system"),
    ("a\0b.yaml", "may not contain a NUL byte"),
])
def test_scenario_paths_the_file_system_cannot_read_are_clear_errors(path, fragment, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["check", path]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err


def test_a_folder_written_in_another_format_version_is_refused_clearly(tmp_path, capsys):
    import json
    run = tmp_path / "old"
    run.mkdir()
    (run / "manifest.json").write_text(json.dumps({"format_version": 99, "scenarios": []}))
    assert main(["run", "--resume", str(run)]) == 2
    err = capsys.readouterr().err
    assert "format_version 99, this code reads 1" in err and "Traceback" not in err
    assert main(["report", str(run)]) == 2          # report reads the data files, which it lacks
    assert "Traceback" not in capsys.readouterr().err
