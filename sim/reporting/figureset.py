"""The report's figures: which figures, of which scenarios, from which files, with which captions.

The drawing itself is in sim.reporting.figures (plots from arrays) and sim.reporting.maps (the
landscape map); this module picks the numbers from the run's files and writes one PNG per
figure into the run's figures/ folder.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..config.schema import Scenario
from ..model.results import DEATH_CAUSES, PREY_SPECIES
from ..world.build import build_landscape
from . import figures as fg
from .mapframe import MapFrame, closed_fence_edges
from .maps import draw_landscape
from .runfiles import ReportError, RunFiles, horizon, num, quantile_bands, read_replicate_columns
from .selection import baseline_name

#: Axis labels of the occupancy maps (longitude/latitude when the landscape has bounds, else km).
_GEO_LABELS = ("Longitude (°E)", "Latitude (°N)")
_KM_LABELS = ("km east of the west edge", "km north of the south edge")


@dataclass
class Figures:
    """Figure files written for the report, with their captions, in report order."""

    items: list[tuple[str, Path, str]] = field(default_factory=list)   # (key, path, caption)
    notes: dict[str, str] = field(default_factory=dict)                # key -> why it is missing

    def add(self, key: str, path: Path, caption: str) -> None:
        self.items.append((key, path, caption))

    def get(self, key: str) -> tuple[Path, str] | None:
        return next(((p, c) for k, p, c in self.items if k == key), None)


def figure_label(files: RunFiles, name: str, base: str | None) -> str:
    """Figure label of a scenario: its name, marked '(baseline)' unless the name says so."""
    return f"{name} (baseline)" if name == base and "baseline" not in name.lower() else name


def make_figures(files: RunFiles, order: list[str], curves: list[str], out: Path) -> Figures:
    """Draw every figure of the report into ``out`` (a folder)."""
    out.mkdir(parents=True, exist_ok=True)
    figs = Figures()
    H = horizon(files)
    base = baseline_name(files)
    by = files.by_year

    # -- persistence curves
    series = []
    for n in curves:
        t = by.get(n)
        if t is None or "p_persist" not in t:
            continue
        series.append(fg.Band(figure_label(files, n, base), t["year"], t["p_persist"], t.get("p_persist_lo"),
                              t.get("p_persist_hi")))
    figs.add("persistence", fg.persistence_curves(series, out / "persistence.png", horizon_years=H),
             "Probability of persistence (both sexes present) by year, with 95 % Wilson intervals, for "
             "the baseline, the best and worst scenarios and a spread of others.")

    # -- forest plot
    rows = [fg.ForestRow(n, str(files.row(n).get("family") or "") or "other",
                         num(files.row(n), "p_persist"), num(files.row(n), "p_persist_lo"),
                         num(files.row(n), "p_persist_hi"), int(num(files.row(n), "n_replicates") or 0),
                         is_baseline=(n == base)) for n in order]
    figs.add("forest", fg.forest_plot(rows, out / "forest.png", horizon_years=H),
             f"Probability of persistence at year {H} with 95 % Wilson intervals, grouped by the "
             "scenarios' family (the option they vary). Numbers on the right: estimate (interval).")

    # -- bands of N and prey from the tidy census (what by_year.csv does not hold)
    with_p = [n for n in order if math.isfinite(num(files.row(n), "p_persist"))] or order
    prey_scen = [n for n in dict.fromkeys([base, with_p[0], with_p[-1]]) if n is not None]
    rep_path = files.run_dir / "replicates.csv.gz"
    reps: dict[str, dict[str, np.ndarray]] = {}
    if rep_path.is_file():
        try:
            reps = read_replicate_columns(rep_path, order, ["N", *[f"prey_{s}" for s in PREY_SPECIES]])
        except (OSError, ValueError, KeyError, EOFError) as e:
            files.notes.append(f"replicates.csv.gz could not be read ({type(e).__name__}: {e}); "
                               "bands show only what by_year.csv holds.")
    else:
        files.notes.append("replicates.csv.gz is missing; population bands show 5–95 % only and prey "
                           "shows the mean over runs.")

    panels = []
    for n in order:
        t = by.get(n, {})
        if n in reps:
            q = quantile_bands(reps[n]["N"])
            years = np.arange(1, q.shape[1] + 1)
            panels.append(fg.Band(figure_label(files, n, base), years, q[2], q[0], q[4], q[1], q[3]))
        elif "N_q50" in t:
            panels.append(fg.Band(figure_label(files, n, base), t["year"], t["N_q50"], t.get("N_q05"),
                                  t.get("N_q95"), t.get("N_q25"), t.get("N_q75")))
    figs.add("population", fg.fan_charts(panels, out / "population.png",
                                         title="Cheetahs alive (all ages), by scenario",
                                         ylabel="Cheetahs alive (animals, all ages)", horizon_years=H),
             "Number of cheetahs alive in each year: median over runs (line), the middle 50 % and 90 % "
             "of runs (bands). Extinct runs count as 0. Panels in the order of the summary table.")

    # -- gene diversity
    gd = [fg.Band(figure_label(files, n, base), by[n]["year"], by[n]["gene_diversity"])
          for n in curves if n in by and "gene_diversity" in by[n]]
    figs.add("gene_diversity", fg.lines_over_time(
        gd, out / "gene_diversity.png", title="Gene diversity over time",
        ylabel="Gene diversity\n(expected heterozygosity, 0–1)", horizon_years=H,
        note="Mean over runs still holding both sexes; a line ends when no run does"),
        "Gene diversity (expected heterozygosity at neutral loci) of the living population, mean over "
        "runs in which the population persisted that year.")

    # -- deaths by cause
    causes = [c for c in DEATH_CAUSES if f"death_share_{c}" in files.summary[0]]
    drows = [(figure_label(files, n, base), {c: num(files.row(n), f"death_share_{c}") for c in causes},
              num(files.row(n), "deaths_total_mean")) for n in order]
    figs.add("deaths", fg.deaths_by_cause(drows, out / "deaths.png", causes=causes),
             "Deaths by cause, and animals that walked off an open map edge (emigration), as shares of "
             "all losses over the horizon, pooled over runs; the number on the right is the mean number "
             "of losses per run.")

    # -- landscape and occupancy
    _landscape_figures(files, order, base, out, figs)

    # -- prey
    prey: dict[str, list[fg.Band]] = {}
    for s in PREY_SPECIES:
        col = f"prey_{s}"
        lines = []
        for n in prey_scen:
            if n in reps:
                q = quantile_bands(reps[n][col])
                lines.append(fg.Band(figure_label(files, n, base), np.arange(1, q.shape[1] + 1), q[2], q[0], q[4]))
            elif col in by.get(n, {}):
                lines.append(fg.Band(figure_label(files, n, base) + " (mean)", by[n]["year"], by[n][col]))
        if any(np.nanmax(np.nan_to_num(b.mid, nan=0.0)) > 0 for b in lines):
            prey[s] = lines
    if prey:
        figs.add("prey", fg.prey_trajectories(prey, out / "prey.png", horizon_years=H),
                 "Prey animals on the whole map after each December: median over runs (line) and the "
                 "middle 90 % of runs (band), for the baseline, the best and the worst scenario.")
    else:
        figs.notes["prey"] = "No prey species had animals on the map in these scenarios."
    return figs


def _landscape_figures(files: RunFiles, order: list[str], base: str | None, out: Path,
                       figs: Figures) -> None:
    """The landscape map (sim.reporting.maps) of the baseline (else the best) scenario, and the
    occupancy heat maps of the best and baseline scenarios."""
    map_name = base or order[0]
    try:
        land = _scenario_landscape(files, map_name)
    except Exception as e:   # a report must not fail because a raster moved; say why instead
        figs.notes["landscape"] = f"Landscape map not drawn: {type(e).__name__}: {e}"
    else:
        try:
            path = out / "landscape.png"
            draw_landscape(land, path)
            figs.add("landscape", path, f"The landscape of scenario {map_name}: habitat, escarpments, the "
                     "fence and its gaps, protected areas, roads and railways, water and release sites. "
                     f"Cell size {land.cell_km:g} km.")
        except Exception as e:
            figs.notes["landscape"] = f"Landscape map not drawn: drawing the map failed ({type(e).__name__}: {e})"
        _interventions_figure(files, order, map_name, land, out, figs)
    _occupancy_figure(files, order, base, out, figs)


def _interventions_figure(files: RunFiles, order: list[str], map_name: str, land, out: Path,
                          figs: Figures) -> None:
    """The map of where the options act (sim.reporting.interventions): every scenario on the
    same landscape as ``map_name`` whose interventions change it, in report order."""
    from .interventions import draw_interventions, landscape_after

    base_spec = files.entry(map_name)["scenario"]["landscape"]
    panels = []
    try:
        for n in order:
            e = files.entry(n)
            if e is None or "scenario" not in e or e["scenario"].get("landscape") != base_spec:
                continue
            panels.append((n, landscape_after(Scenario.model_validate(e["scenario"]), land)))
        path = draw_interventions(land, panels, out / "interventions.png")
    except Exception as e:      # a report must not fail over this map; say why instead
        figs.notes["interventions"] = f"Map of the interventions not drawn: {type(e).__name__}: {e}"
        return
    if path is None:
        figs.notes["interventions"] = "No option changes the landscape (fences, roads, reserves, patrols, water)."
    else:
        figs.add("interventions", path, "Where the options change the landscape, each in its own colour "
                 "(at most ten, in report order), over the baseline's habitat and fences.")


def _scenario_landscape(files: RunFiles, name: str):
    """The landscape of scenario ``name`` as the manifest resolved it, built from its preset or
    raster files (relative to the scenario's recorded base_dir)."""
    e = files.entry(name)
    if e is None or "scenario" not in e:
        raise ReportError(f"the manifest has no resolved scenario {name!r}")
    sc = Scenario.model_validate(e["scenario"])
    return build_landscape(sc.landscape, e.get("base_dir") or ".")


def _occupancy_figure(files: RunFiles, order: list[str], base: str | None, out: Path,
                      figs: Figures) -> None:
    """Heat maps of resident home-range centres (occupancy/<scenario>.npy, per month and run) of
    the best and baseline scenarios, over the habitat and fences when the landscape can be built."""
    # occupancy: best and baseline (or best and worst when the best is the baseline)
    occ_dir = files.run_dir / "occupancy"
    have = [n for n in order if (occ_dir / f"{n}.npy").is_file()]
    pick = [n for n in dict.fromkeys([have[0] if have else None, base if base in have else None])
            if n is not None]
    if len(pick) == 1 and len(have) > 1:
        pick.append(have[-1])
    panels, land_occ, cell_km = [], None, None
    for n in pick:
        occ = np.load(occ_dir / f"{n}.npy").astype(np.float64)
        meta = {}
        if (occ_dir / f"{n}.json").is_file():
            meta = json.loads((occ_dir / f"{n}.json").read_text(encoding="utf-8"))
        e = files.entry(n) or {}
        reps = meta.get("replicates", num(files.row(n), "n_replicates"))
        years = e.get("years", num(files.row(n), "years"))
        months = float(reps) * float(years) * 12.0
        occ = occ / months if months > 0 else occ * np.nan
        cell_km = cell_km or meta.get("cell_km") or num(files.row(n), "cell_area_km2") ** 0.5
        if land_occ is None:
            try:
                ln = _scenario_landscape(files, n)
                if ln.shape == occ.shape:
                    land_occ = ln
            except Exception:
                pass
        rank = order.index(n) + 1
        tag = "baseline" if n == base else ("best" if rank == 1 else f"rank {rank} of {len(order)}")
        panels.append((n if tag in n else f"{n} ({tag})", occ))
    if panels:
        frame = MapFrame(panels[0][1].shape, float(cell_km), land_occ.bounds if land_occ is not None else None)
        xlabel, ylabel = _GEO_LABELS if frame.geo else _KM_LABELS
        figs.add("occupancy", fg.occupancy_maps(
            panels, out / "occupancy.png", cell_km=float(cell_km), extent=frame.extent,
            xlabel=xlabel, ylabel=ylabel, aspect=frame.aspect,
            habitat=land_occ.habitat if land_occ is not None else None,
            fence_segments=frame.edge_segments(closed_fence_edges(land_occ)) if land_occ is not None else None),
            f"Where residents held their home-range centres: resident-months summed over blocks of "
            f"about {fg.OCCUPANCY_BLOCK_KM:g} × {fg.OCCUPANCY_BLOCK_KM:g} km, divided by the months "
            "simulated and the runs (so 0.5 means one resident centred in that block half of the time "
            "on average). Same colour scale in both panels; fences in vermillion.")
    else:
        figs.notes["occupancy"] = "No occupancy maps were saved in this run (output.occupancy: false)."
