"""The HTML report: built from a synthetic run written by the real batch writer (sim.runs.batch with a
fake replicate runner), so the file formats the report reads cannot drift from what batch writes."""

from __future__ import annotations

import base64
import csv
import re
import struct
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from sim.reporting import figures as fg
from sim.reporting import describe, page, report, runfiles, selection
from sim.model.results import ReplicateResult, empty_census
from sim.config.schema import Scenario

YEARS = 12
REPS = 12
ROOT = Path(__file__).resolve().parent.parent
LONG_NAME = "more_founders_with_supplementation_every_five_years_and_soft_release_bomas"


# ----------------------------------------------------------------------------- fake model

def fake_runner(sc: Scenario, seed: np.random.SeedSequence, replicate: int, landscape=None,
                base_dir=None) -> ReplicateResult:
    """A stand-in for sim.model.model.run_replicate: a census whose fate follows the scenario's
    founders (>= 6 females grow, fewer decline, 'collapse' in the description dies out in year 2,
    no releases = no cheetahs and no deaths, 'raise' = every replicate fails)."""
    if "raise" in sc.description:
        raise RuntimeError("deliberate failure for the report test")
    rng = np.random.default_rng(seed)
    c = empty_census(sc.years)
    if landscape is not None:
        rows, cols = landscape.shape
    else:
        rows = int(round(sc.landscape.height_km / sc.landscape.cell_km))
        cols = int(round(sc.landscape.width_km / sc.landscape.cell_km))
    occ = np.zeros((rows, cols), dtype=np.int32)
    c["prey_saiga"][:] = 5000 * np.exp(rng.normal(0, 0.1, sc.years))
    c["prey_gazelle"][:] = 2000 * np.exp(rng.normal(0, 0.05, sc.years))
    if not sc.releases:
        return ReplicateResult(sc.name, replicate, seed.entropy, tuple(seed.spawn_key), c, occ)
    f = sc.releases[0].females
    n = sc.releases[0].females + sc.releases[0].males
    growth = -4.0 if "collapse" in sc.description else (0.12 if f >= 6 else -0.15)
    for t in range(sc.years):
        if t:
            new = int(round(n * np.exp(growth + rng.normal(0, 0.35))))
            c["deaths_starvation"][t] = max(0, n - new) + rng.integers(0, 2)
            c["deaths_road"][t] = rng.integers(0, 2)
            c["births"][t] = max(0, new - n)
            n = new
        else:
            c["released"][t] = n
        nf = rng.binomial(n, 0.5)
        c["N"][t], c["N_f"][t], c["N_m"][t] = n, nf, n - nf
        c["extant"][t] = float(nf > 0 and n - nf > 0)
        if n:
            c["gene_diversity"][t] = 0.9 * (1 - 1 / (2 * max(n, 1))) ** t
            c["mean_F"][t] = 1 - (1 - 1 / (2 * max(n, 1))) ** t
            occ[rows // 2 + rng.integers(-1, 2), cols // 2 + rng.integers(-2, 3)] += 12
    return ReplicateResult(sc.name, replicate, seed.entropy, tuple(seed.spawn_key), c, occ)


def _scenarios() -> list[Scenario]:
    land = {"preset": "uniform", "width_km": 50, "height_km": 30, "cell_km": 2.5, "fenced": True}
    rel = {"site": "centre", "females": 4, "males": 4, "year": 1}
    common = dict(years=YEARS, replicates=REPS, landscape=land)
    return [
        Scenario(name="baseline", family="founders", description="Four females and four males",
                 releases=[rel], **common),
        Scenario(name=LONG_NAME, family="founders", baseline="baseline", description="Eight females",
                 releases=[{**rel, "females": 8, "method": "soft", "boma_months": 2}], **common),
        Scenario(name="collapse", family="threats", baseline="baseline", description="collapse",
                 releases=[rel], **common),
        Scenario(name="no_release", family="threats", baseline="baseline", description="nobody released",
                 **common),
        Scenario(name="broken", family="threats", baseline="baseline", description="raise",
                 releases=[rel], **{**common, "replicates": 2}),
    ]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    from sim.runs.batch import run_batch

    out = tmp_path_factory.mktemp("run") / "synthetic"
    run_batch(_scenarios(), out, jobs=1, progress=False, runner=fake_runner, landscapes=False,
              baseline="baseline", root_seed=7)
    return out


@pytest.fixture(scope="module")
def built(run_dir) -> Path:
    return report.build_report(run_dir)


# ----------------------------------------------------------------------------- helpers

def png_size(path: Path) -> tuple[int, int]:
    """(width, height) in pixels from the PNG header (signature, then the IHDR chunk)."""
    head = Path(path).read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    assert head[12:16] == b"IHDR"
    return struct.unpack(">II", head[16:24])


class _Collect(HTMLParser):
    """Records tags, unclosed/misnested structural tags, image sources and table rows."""

    VOID = {"meta", "img", "br", "hr", "link", "input", "source", "col", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack, self.errors, self.imgs, self.tags = [], [], [], []
        self.rows, self._row, self._cell, self._in_tbody = [], None, None, False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        a = dict(attrs)
        if tag == "img":
            self.imgs.append(a.get("src", ""))
        if tag == "tbody":
            self._in_tbody = True
        if tag == "tr" and self._in_tbody:
            self._row = [a.get("data-scenario")]
        if tag == "td" and self._row is not None:
            self._cell = []
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()
        if tag == "td" and self._cell is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        if tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None
        if tag == "tbody":
            self._in_tbody = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def parse(text: str) -> _Collect:
    p = _Collect()
    p.feed(text)
    p.close()
    return p


def summary_rows(run_dir: Path) -> list[dict]:
    with open(run_dir / "summary.csv", newline="") as f:
        return list(csv.DictReader(f))


EXPECTED = ("persistence", "forest", "population", "gene_diversity", "deaths", "occupancy", "prey")
KIND = {"persistence": "curves", "gene_diversity": "curves", "forest": "forest", "population": "fans",
        "deaths": "deaths", "occupancy": "occupancy", "prey": "prey"}


# ----------------------------------------------------------------------------- tests

def test_report_writes_one_html_file_and_every_figure(built, run_dir):
    assert built == run_dir / "report.html" and built.is_file()
    for name in EXPECTED:
        assert (run_dir / "figures" / f"{name}.png").is_file(), name


def test_figures_are_pngs_of_the_fixed_pixel_size_of_their_kind(built, run_dir):
    for name in EXPECTED:
        path = run_dir / "figures" / f"{name}.png"
        assert path.stat().st_size > 10_000, f"{name}.png looks empty"
        assert png_size(path) == fg.SIZES[KIND[name]], name


def test_landscape_map_is_drawn_when_the_map_module_exists(built, run_dir):
    pytest.importorskip("sim.reporting.maps")
    path = run_dir / "figures" / "landscape.png"
    assert path.is_file() and path.stat().st_size > 10_000
    assert png_size(path)[0] >= 1000


def test_html_embeds_every_figure_as_a_data_uri(built, run_dir):
    text = built.read_text(encoding="utf-8")
    for path in sorted((run_dir / "figures").glob("*.png")):
        uri = "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")
        assert uri in text, f"{path.name} is not embedded"
    assert all(src.startswith("data:image/png;base64,") for src in parse(text).imgs)


def test_html_needs_no_network(built):
    text = built.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", text, re.I)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", text, re.I)
    assert "@import" not in text
    tags = set(parse(text).tags)
    assert "script" not in tags and "link" not in tags


def test_html_parses_with_balanced_tags(built):
    p = parse(built.read_text(encoding="utf-8"))
    assert p.errors == []
    assert p.stack == [], f"unclosed: {p.stack}"
    for tag in ("html", "head", "body", "h1", "table", "figure"):
        assert tag in p.tags


def test_summary_table_is_sorted_by_persistence_with_the_csv_numbers(built, run_dir):
    rows = summary_rows(run_dir)
    p = {r["scenario"]: float(r["p_persist"] or "nan") for r in rows}
    table = parse(built.read_text(encoding="utf-8")).rows
    names = [cells[0] for cells in table]
    assert sorted(names) == sorted(p)
    known = [n for n in names if not np.isnan(p[n])]
    assert [p[n] for n in known] == sorted((v for v in p.values() if not np.isnan(v)), reverse=True)
    assert names[len(known):] == [n for n in names if np.isnan(p[n])]        # no value: last
    for cells, n in zip(table, known):
        assert cells[3].startswith(f"{p[n]:.2f}"), (n, cells[3])


def test_edge_cases_read_plainly(built, run_dir):
    rows = {r["scenario"]: r for r in summary_rows(run_dir)}
    assert float(rows["collapse"]["p_persist"]) == 0.0          # all runs extinct
    assert rows["no_release"]["gd_retained"] == ""               # NaN gene diversity
    table = {c[0]: c for c in parse(built.read_text()).rows}    # [scenario, #, name, P, diff, ...]
    assert "no deaths" in table["no_release"][14]
    assert table["no_release"][11] == "—" and table["no_release"][12] == "—"
    assert table["baseline"][4] == "baseline"
    assert re.match(r"[+-]\d\.\d\d \[", table["collapse"][4])    # difference with its interval
    assert rows["broken"]["p_persist"] == "" and table["broken"][3] == "—"    # every run failed
    assert "2 failed" in table["broken"][15]
    assert "deliberate failure" in built.read_text()             # listed under Methods


def test_methods_list_each_scenarios_differences_from_the_baseline(built, run_dir):
    text = built.read_text(encoding="utf-8")
    assert "releases[0].females: 4 → 8" in text
    assert "releases[0].method: hard → soft" in text
    assert "releases[0]: {" in text                              # no_release: whole entry removed
    assert "docs/parameters.md" in text and "docs/ODD.md" in text
    assert "Root seed</dt><dd>7" in text
    assert sys.version.split()[0] in text                        # Python version from the manifest


def test_dotted_diff_names_nested_keys_and_list_elements():
    a = {"years": 50, "releases": [{"females": 10, "site": "a"}], "rules": {"movement": "crw"},
         "cell": [1, 2]}
    b = {"years": 50, "releases": [{"females": 20, "site": "a"}, {"females": 1}],
         "rules": {"movement": "habitat_walk"}, "cell": [1, 3]}
    got = {k: (describe.setting_text(x), describe.setting_text(y)) for k, x, y in describe.dotted_diff(a, b)}
    assert got == {"releases[0].females": ("10", "20"), "releases[1]": ("(absent)", "{females: 1}"),
                   "rules.movement": ("crw", "habitat_walk"), "cell": ("[1, 2]", "[1, 3]")}


def test_unknown_curve_scenario_is_a_clear_error(run_dir):
    with pytest.raises(report.ReportError, match=r"no scenario named 'nope'.*scenarios: "):
        report.build_report(run_dir, scenarios_for_curves=["nope"])


def test_default_curves_hold_baseline_best_and_worst(run_dir):
    files = runfiles.read_run(run_dir)
    order = selection.ranked(files)
    chosen = selection.default_curve_scenarios(files, order)
    worst = [n for n in order if np.isfinite(files.row(n)["p_persist"])][-1]
    assert {"baseline", order[0], worst} <= set(chosen) and len(chosen) <= 8
    assert "broken" not in chosen                                 # no runs, nothing to draw


def test_list_figures_grow_tall_for_many_scenarios(tmp_path):
    rows = [fg.ForestRow(f"scenario_number_{i}_with_a_rather_long_descriptive_name", "founders",
                         i / 40, max(0, i / 40 - 0.1), min(1, i / 40 + 0.1), 100, i == 3) for i in range(40)]
    path = fg.forest_plot(rows, tmp_path / "forest.png", horizon_years=50)
    w, h = png_size(path)
    assert w == 1600 and h >= fg.list_height_px("forest", 40) > fg.SIZES["forest"][1]
    d = fg.deaths_by_cause([(r.label, {"starvation": 0.5, "road": 0.5}, 3.0) for r in rows],
                           tmp_path / "deaths.png", causes=["starvation", "road"])
    w, h = png_size(d)
    assert w == 1600 and h >= fg.list_height_px("deaths", 40) > fg.SIZES["deaths"][1]


def test_short_label_wraps_long_names_at_separators():
    s = fg.short_label(LONG_NAME, 30, 2)
    lines = s.split("\n")
    assert len(lines) == 2 and all(len(x) <= 30 for x in lines)
    assert fg.short_label("baseline") == "baseline"


def test_module_main_builds_the_report(run_dir, capsys):
    assert report.main([str(run_dir), "--curves", "baseline,collapse"]) == 0
    assert "report.html" in capsys.readouterr().out
    assert report.main([str(run_dir / "missing")]) == 2


@pytest.mark.skipif(not (ROOT / "sim" / "cli.py").is_file(), reason="no command line yet")
def test_command_line_report_command(run_dir):
    (run_dir / "report.html").unlink()
    proc = subprocess.run([sys.executable, str(ROOT / "run_scenarios.py"), "report", str(run_dir)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert (run_dir / "report.html").is_file()


def test_occupancy_block_sums_keep_every_range_centre():
    from sim.reporting.figures import block_sums
    a = np.arange(35, dtype=float).reshape(5, 7)
    b = block_sums(a, 4)
    assert b.shape == (2, 2)
    assert b.sum() == a.sum()
    assert b[0, 0] == a[:4, :4].sum() and b[1, 1] == a[4:, 4:].sum()
    assert block_sums(a, 1) is a


def test_key_findings_name_the_best_option_and_those_beyond_noise(built, run_dir):
    files = runfiles.read_run(run_dir)
    order = selection.ranked(files)
    text = " ".join(page.key_findings(files, order, "baseline", YEARS))
    rows = {r["scenario"]: r for r in summary_rows(run_dir)}
    best = max((n for n in rows if n != "no_release" and rows[n]["p_persist"] not in ("", "nan")),
               key=lambda n: float(rows[n]["p_persist"]))
    assert best in text
    assert "collapse" in text.split("worse:")[1]          # dies out in year 2: worse beyond noise
    assert "Key findings" in built.read_text()


def test_report_of_an_old_folder_with_a_megabyte_description_works_and_clips_it(run_dir, tmp_path):
    import csv
    import shutil

    old = tmp_path / "old"
    shutil.copytree(run_dir, old)
    rows = summary_rows(old)
    rows[0]["description"] = "x" * 1_000_000       # allowed before descriptions were limited
    with open(old / "summary.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    html = report.build_report(old).read_text(encoding="utf-8")
    assert "x" * 2000 + "…" in html and "x" * 2001 not in html


def test_ties_in_persistence_are_ranked_by_median_time_to_extinction_then_n():
    from sim.reporting.runfiles import RunFiles
    from sim.reporting.selection import ranked

    rows = [{"scenario": "short", "p_persist": 0.0, "te_median": 8.0, "N_mean": 0.0},
            {"scenario": "long", "p_persist": 0.0, "te_median": 31.0, "N_mean": 0.0},
            {"scenario": "alive", "p_persist": 0.5, "te_median": 20.0, "N_mean": 3.0},
            {"scenario": "never_lost", "p_persist": 0.5, "te_median": float("nan"), "N_mean": 1.0},
            {"scenario": "big", "p_persist": 0.0, "te_median": 31.0, "N_mean": 2.0}]
    files = RunFiles.__new__(RunFiles)
    files.summary = rows
    assert ranked(files) == ["never_lost", "alive", "big", "long", "short"]


def test_a_quick_run_carries_a_preview_banner_and_one_option_reads_as_one(tmp_path):
    from sim.runs.batch import run_batch

    sc = [s for s in _scenarios() if s.name == "baseline"]
    out = tmp_path / "quick"
    run_batch(sc, out, jobs=1, progress=False, runner=fake_runner, landscapes=False, root_seed=7, preview=True)
    text = report.build_report(out).read_text(encoding="utf-8")
    assert "<b>PREVIEW</b>" in text and "population viability of the option</h1>" in text
    assert " of 1 options" not in text and "in 1 of 1" not in text


def test_a_full_run_has_no_preview_banner(built):
    assert "PREVIEW" not in built.read_text(encoding="utf-8")


def test_every_figure_is_also_written_as_svg_and_pdf_on_request(run_dir, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(run_dir, copy)
    report.build_report(copy, formats=("png", "svg", "pdf"))
    pngs = sorted((copy / "figures").glob("*.png"))
    assert pngs
    for p in pngs:
        assert p.with_suffix(".svg").read_text(encoding="utf-8").lstrip().startswith(("<?xml", "<svg"))
        assert p.with_suffix(".pdf").read_bytes()[:5] == b"%PDF-"


def test_figures_give_the_same_bytes_in_every_format_from_separate_processes(tmp_path):
    """SVG ids are salted per process and SVG/PDF carry the date unless told otherwise; a resumed
    run's report must equal an uninterrupted one (bench/soak.py found the SVGs differing)."""
    import hashlib
    import subprocess
    import sys
    code = ("import sys\nfrom pathlib import Path\nfrom matplotlib.figure import Figure\n"
            "from sim.reporting.figstyle import figure_formats, save_png\n"
            "with figure_formats(('svg', 'pdf')):\n"
            "    fig = Figure(figsize=(3, 2)); ax = fig.subplots()\n"
            "    ax.plot([1, 2, 3], [3, 1, 2]); ax.fill_between([1, 2, 3], [0, 1, 0], [1, 2, 1])\n"
            "    save_png(fig, Path(sys.argv[1]) / 'f.png')\n")
    digests = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        subprocess.run([sys.executable, "-c", code, str(tmp_path / name)], check=True, timeout=120,
                       cwd=Path(__file__).resolve().parent.parent)
        digests.append({f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in (tmp_path / name).glob("f.*")})
    assert sorted(digests[0]) == ["f.pdf", "f.png", "f.svg"]
    assert digests[0] == digests[1]
