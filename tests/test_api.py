"""The Python API for notebooks (sim.run) and the conveniences of the command line."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import sim
from sim.cli import main

ROOT = Path(__file__).resolve().parent.parent

SMALL = """\
name: small
years: 3
replicates: 3
seed: 4
landscape: {preset: uniform, width_km: 25, height_km: 25, cell_km: 2.5}
prey: {saiga: {initial_total: 0}, urial: {initial_total: 0}, gazelle: {initial_total: 600}}
releases:
  - {cell: [5, 5], females: 3, males: 3, month: 1}
"""


def test_sim_run_returns_tidy_tables_with_the_same_numbers_as_the_command_line(tmp_path):
    f = tmp_path / "small.yaml"
    f.write_text(textwrap.dedent(SMALL), encoding="utf-8")
    res = sim.run(f, out=tmp_path / "api", jobs=1)
    assert list(res.summary["scenario"]) == ["small"] and int(res.summary["n_replicates"][0]) == 3
    assert set(res.by_year["scenario"]) == {"small"} and len(res.by_year) == 3
    assert len(res.replicates) == 3 * 3 and {"scenario", "replicate", "year", "N"} <= set(res.replicates.columns)
    assert main(["run", str(f), "--out", str(tmp_path / "cli"), "--jobs", "2", "--no-report"]) == 0
    for name in ("by_year.csv", "replicates.csv.gz"):
        assert (tmp_path / "api" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name


def test_version_names_the_package_version_and_commit(capsys):
    assert main(["--version"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("run_scenarios.py 0.") and "commit" in out


def test_the_installed_command_is_declared_and_runs():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'ustyurt-cheetah = "sim.cli:main"' in text
    exe = Path(sys.executable).with_name("ustyurt-cheetah")
    if exe.exists():                       # installed with pip install -e . (make venv)
        r = subprocess.run([str(exe), "--version"], capture_output=True, text=True, timeout=60)
        assert r.returncode == 0 and "commit" in r.stdout


def test_an_installed_command_without_a_scenarios_folder_finds_the_shipped_set(tmp_path, monkeypatch):
    import sim.cli as cli

    shipped = tmp_path / "prefix" / "share" / "ustyurt-cheetah" / "scenarios"
    shipped.mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli, "PROJECT_ROOT", tmp_path / "not-a-checkout")
    monkeypatch.setattr(cli, "SHIPPED_SCENARIOS", shipped)
    assert cli._paths([]) == [shipped]
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"share/ustyurt-cheetah/scenarios" = ["scenarios/*.yaml"]' in text
