"""Figures of the report: pure plotting functions from plain arrays to fixed-size PNG files.

Nothing here reads run files or computes statistics; :mod:`sim.reporting.figureset` reads the files
and hands each function the numbers to draw. The house style (sizes, palette, labels, helpers)
is in :mod:`sim.reporting.figstyle`. Every figure:

* is drawn with matplotlib's Agg canvas only (a :class:`matplotlib.figure.Figure`, never pyplot,
  so no global state or GUI backend is touched and figures are freed when they go out of scope);
* has a fixed pixel size per figure kind (:data:`SIZES`, at :data:`DPI` dots per inch); figures
  listing one row per scenario grow in height only (:func:`list_height_px`), so 40 scenarios
  stay readable;
* uses colour-blind-safe colours: the Okabe-Ito palette for categories, cividis for maps;
* has axis labels with units and titles in words (no variable names).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .figstyle import (CAUSE_LABELS, DPI, GREY, OKABE_ITO, PREY_NAMES, SIZES, as_float, chars_in, colour,
                       fans_height_px, house_style, isolated, legend_bottom, line_style, list_height_px,
                       new_figure, no_data, save_png, short_label, year_axis)


# ================================================================================== data holders

@dataclass
class Band:
    """One scenario's series over years with an optional band (lo, hi) and inner band."""

    label: str
    years: np.ndarray
    mid: np.ndarray
    lo: np.ndarray | None = None
    hi: np.ndarray | None = None
    inner_lo: np.ndarray | None = None
    inner_hi: np.ndarray | None = None


@dataclass
class ForestRow:
    """P(persist at the horizon) of one scenario with its Wilson interval."""

    label: str
    family: str
    p: float
    lo: float
    hi: float
    n: int
    is_baseline: bool = False


# ================================================================================== persistence

def persistence_curves(series: Sequence[Band], path: Path, *, horizon_years: int,
                       replicates_text: str = "") -> Path:
    """P(persist) by year, one line per scenario with its 95 % Wilson band, on one axis."""
    with house_style():
        fig = new_figure("curves")
        ax = fig.add_axes((0.09, 0.30, 0.88, 0.62))
        legend_bottom(fig, ax, len(series))
        for i, s in enumerate(series):
            c = colour(i)
            if s.lo is not None and s.hi is not None:
                ax.fill_between(s.years, s.lo, s.hi, color=c, alpha=0.14, linewidth=0, step=None)
            ax.plot(s.years, s.mid, color=c, lw=2.4, ls=line_style(i), label=short_label(s.label, 60, 1))
        year_axis(ax, horizon_years)
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel("Years since the start of the simulation")
        ax.set_ylabel("Probability of persistence\n(both sexes present)")
        ax.set_title("Probability that the population persists, by year" +
                     (f" ({replicates_text})" if replicates_text else ""), loc="left")
        if not series:
            no_data(ax, "no scenario to show")
        else:
            fig.legend(*ax.get_legend_handles_labels(), loc="lower left", bbox_to_anchor=(0.08, 0.01),
                       ncol=2, frameon=False, handlelength=3.2)
        fig.text(0.97, 0.935, "Shaded: 95 % Wilson interval", ha="right", va="bottom",
                 color="#555555", fontsize=10.5)
        return save_png(fig, path)


def forest_plot(rows: Sequence[ForestRow], path: Path, *, horizon_years: int) -> Path:
    """P(persist at the horizon) with intervals, one row per scenario, grouped by family.

    Families are listed in order of their best scenario; within a family, best first. The
    baseline is a vermillion diamond and a dashed vertical line."""
    groups: dict[str, list[ForestRow]] = {}
    for r in rows:
        groups.setdefault(r.family or "other", []).append(r)
    key = lambda r: -r.p if math.isfinite(r.p) else 1.0
    order = sorted(groups, key=lambda f: min(key(r) for r in groups[f]))
    lines: list[tuple[str, ForestRow | None]] = []
    for f in order:
        if len(groups) > 1:
            lines.append((f, None))
        lines.extend((r.label, r) for r in sorted(groups[f], key=key))
    n = len(lines)
    wraps = any("\n" in short_label(lbl, 30, 2) for lbl, r in lines if r is not None)
    h = list_height_px("forest", n, row_px=64 if wraps else 46)
    with house_style():
        fig = new_figure("forest", h)
        top_px, bottom_px = 90, 150
        left = 0.30
        ax = fig.add_axes((left, bottom_px / h, 0.97 - left - 0.17, 1 - (top_px + bottom_px) / h))
        base = next((r for r in rows if r.is_baseline), None)
        if base is not None and math.isfinite(base.p):
            ax.axvline(base.p, color=OKABE_ITO[1], ls="--", lw=1.3, zorder=1)
        ylabels, yweights = [], []
        for i, (label, r) in enumerate(lines):
            y = n - 1 - i
            if r is None:
                ylabels.append(short_label(label, 40, 1).upper())
                yweights.append("bold")
                continue
            ylabels.append(short_label(label, 30, 2))
            yweights.append("normal")
            c = OKABE_ITO[1] if r.is_baseline else OKABE_ITO[0]
            if math.isfinite(r.p):
                ax.plot([r.lo, r.hi], [y, y], color=c, lw=2.2, solid_capstyle="butt", zorder=2)
                ax.plot([r.p], [y], marker="D" if r.is_baseline else "o", ms=8, color=c, zorder=3,
                        clip_on=False)
                txt = f"{r.p:.2f}  ({r.lo:.2f}–{r.hi:.2f})"
            else:
                txt = "no successful runs"
            ax.text(1.02, y, txt, transform=ax.get_yaxis_transform(), va="center", ha="left",
                    fontsize=11, color="black" if math.isfinite(r.p) else GREY)
        ax.set_yticks(range(n - 1, -1, -1), ylabels, fontsize=11 if n <= 30 else 10)
        for t, w in zip(ax.get_yticklabels(), yweights):
            t.set_fontweight(w)
        ax.set_ylim(-0.7, n - 0.3)
        ax.tick_params(axis="y", length=0)
        ax.set_xlim(-0.02, 1.02)
        ax.grid(axis="y", visible=False)
        ax.set_xlabel(f"Probability of persistence at year {horizon_years} (95 % Wilson interval)")
        fig.text(0.02, 1 - 30 / h, "Persistence at the horizon, by group of scenarios",
                 fontsize=15, fontweight="bold", va="top")
        handles = [Line2D([], [], color=OKABE_ITO[0], marker="o", lw=2.2, label="scenario")]
        if base is not None:
            handles.append(Line2D([], [], color=OKABE_ITO[1], marker="D", lw=2.2, ls="--",
                                  label="baseline" if "baseline" in base.label.lower()
                                  else f"baseline ({short_label(base.label, 40, 1)})"))
        fig.legend(handles=handles, loc="lower left", bbox_to_anchor=(left - 0.01, 0.0), ncol=2,
                   frameon=False)
        if not rows:
            no_data(ax, "no scenario to show")
        return save_png(fig, path)


# ================================================================================== fans

def fan_charts(panels: Sequence[Band], path: Path, *, title: str, ylabel: str,
               horizon_years: int, ncols: int = 3) -> Path:
    """Small multiples, one per scenario: median line, 50 % band (dark) and 90 % band (light).

    Each panel has its own y scale: the small populations near extinction, where the options
    differ most, would be flattened by a shared one."""
    n = max(1, len(panels))
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    h = fans_height_px(n, ncols)
    with house_style():
        fig = new_figure("fans", h)
        top, bottom = 1 - 150 / h, 120 / h
        gs = fig.add_gridspec(nrows, ncols, left=0.08, right=0.98, top=top, bottom=bottom,
                              hspace=0.55 if nrows > 1 else 0.2, wspace=0.22)
        axes = []
        panel_w_px = 0.90 * SIZES["fans"][0] / ncols - 40
        for i in range(nrows * ncols):
            ax = fig.add_subplot(gs[i // ncols, i % ncols])
            axes.append(ax)
            if i >= len(panels):
                ax.set_visible(False)
                continue
            p = panels[i]
            if p.lo is not None:
                ax.fill_between(p.years, p.lo, p.hi, color=OKABE_ITO[5], alpha=0.35, lw=0)
            if p.inner_lo is not None:
                ax.fill_between(p.years, p.inner_lo, p.inner_hi, color=OKABE_ITO[0], alpha=0.45, lw=0)
            ax.plot(p.years, p.mid, color=OKABE_ITO[0], lw=2.2)
            ax.set_title(short_label(p.label, chars_in(panel_w_px, 12.5, bold=True), 2), fontsize=12.5,
                         loc="left")
            year_axis(ax, horizon_years, nbins=6)
            from matplotlib.ticker import MaxNLocator
            ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
            ymax = max([float(np.nanmax(as_float(a))) for a in (p.hi, p.inner_hi, p.mid)
                        if a is not None and np.isfinite(as_float(a)).any()] + [0.0])
            ax.set_ylim(0, ymax * 1.08 if ymax > 0 else 1.0)
            if not np.isfinite(as_float(p.mid)).any():
                no_data(ax, "no successful runs")
            elif ymax <= 0:
                no_data(ax, "no cheetahs alive in any run")
            if i // ncols != nrows - 1 and i + ncols < len(panels):
                ax.tick_params(labelbottom=False)
        if not panels:
            no_data(axes[0], "no scenario to show")
        fig.text(0.53, 30 / h, "Years since the start of the simulation", fontsize=13, ha="center",
                 va="bottom")
        fig.text(0.012, 0.5 * (top + bottom), ylabel, fontsize=13, rotation=90, ha="left", va="center")
        fig.text(0.02, 1 - 22 / h, title, fontsize=15, fontweight="bold", va="top")
        handles = [Line2D([], [], color=OKABE_ITO[0], lw=2.2, label="median"),
                   Patch(color=OKABE_ITO[0], alpha=0.45, label="50 % of runs"),
                   Patch(color=OKABE_ITO[5], alpha=0.35, label="90 % of runs")]
        fig.legend(handles=handles, loc="upper right", bbox_to_anchor=(0.985, 1 - 12 / h), ncol=3,
                   frameon=False)
        return save_png(fig, path)


def lines_over_time(series: Sequence[Band], path: Path, *, title: str, ylabel: str,
                    horizon_years: int, ylim: tuple[float, float] | None = None,
                    note: str = "") -> Path:
    """Several scenarios' series over years on one axis (e.g. gene diversity), Okabe-Ito
    colours doubled by line styles; NaN gaps (no extant run) are left blank."""
    with house_style():
        fig = new_figure("curves")
        ax = fig.add_axes((0.10, 0.30, 0.87, 0.62))
        legend_bottom(fig, ax, len(series), left=0.10)
        any_data = False
        for i, s in enumerate(series):
            c = colour(i)
            mid = as_float(s.mid)
            has = bool(np.isfinite(mid).any())
            any_data |= has
            if s.lo is not None and s.hi is not None:
                ax.fill_between(s.years, s.lo, s.hi, color=c, alpha=0.12, lw=0)
            ax.plot(s.years, mid, color=c, lw=2.4, ls=line_style(i),
                    label=short_label(s.label, 60, 1) + ("" if has else " (no population)"))
            lone = isolated(mid)
            if lone.any():                      # a value with no neighbour draws no line: mark it
                ax.plot(np.asarray(s.years)[lone], mid[lone], ls="none", marker="o", ms=6, color=c)
        year_axis(ax, horizon_years)
        if ylim is not None:
            ax.set_ylim(*ylim)
        ax.set_xlabel("Years since the start of the simulation")
        ax.set_ylabel(ylabel)
        ax.set_title(title, loc="left")
        if series:
            fig.legend(*ax.get_legend_handles_labels(), loc="lower left", bbox_to_anchor=(0.09, 0.01),
                       ncol=2, frameon=False, handlelength=3.2)
        if not any_data:
            no_data(ax, "no values to show (no run kept a population)")
        if note:
            fig.text(0.97, 0.935, note, ha="right", va="bottom", color="#555555", fontsize=10.5)
        return save_png(fig, path)


# ================================================================================== deaths

def deaths_by_cause(rows: Sequence[tuple[str, Mapping[str, float], float]], path: Path, *,
                    causes: Sequence[str]) -> Path:
    """Stacked horizontal bars: each scenario's deaths split into shares by cause.

    ``rows``: (scenario label, cause -> share of all deaths (NaN/absent = 0), mean deaths per
    run). Only causes that occur somewhere get a colour; a scenario without deaths says so."""
    used = [c for c in causes if any(math.isfinite(s.get(c, math.nan)) and s.get(c, 0) > 0
                                     for _, s, _ in rows)]
    n = len(rows)
    legend_rows = math.ceil(max(1, len(used)) / 3)
    wraps = any("\n" in short_label(lbl, 30, 2) for lbl, _, _ in rows)
    h = list_height_px("deaths", n, row_px=64 if wraps else 46, extra_px=230 + 36 * legend_rows)
    hatches = ("", "", "", "", "", "", "", "", "//", "\\\\", "xx", "..")
    with house_style():
        fig = new_figure("deaths", h)
        top_px, bottom_px = 80, 130 + 36 * legend_rows
        left = 0.28
        ax = fig.add_axes((left, bottom_px / h, 0.97 - left - 0.08, 1 - (top_px + bottom_px) / h))
        ys = np.arange(n)[::-1]
        cleft = np.zeros(n)
        for k, c in enumerate(used):
            share = np.array([s.get(c, math.nan) for _, s, _ in rows], dtype=np.float64)
            share = np.where(np.isfinite(share), share, 0.0)
            ax.barh(ys, share, left=cleft, height=0.72, color=colour(k % 8) if k < 8 else "white",
                    edgecolor=colour(k % 8) if k >= 8 else "white", hatch=hatches[k % len(hatches)],
                    linewidth=0.8, label=CAUSE_LABELS.get(c, c.replace("_", " ")))
            cleft += share
        for y, (_, s, total) in zip(ys, rows):
            if not any(math.isfinite(s.get(c, math.nan)) and s.get(c, 0) > 0 for c in used):
                ax.text(0.01, y, "no deaths or emigration recorded", va="center", ha="left", color=GREY, fontsize=11)
            elif math.isfinite(total):
                ax.text(1.01, y, f"{total:.0f}", va="center", ha="left", fontsize=10.5,
                        transform=ax.get_yaxis_transform())
        ax.text(1.01, n - 0.35, "losses\nper run", va="bottom", ha="left", fontsize=10, color=GREY,
                transform=ax.get_yaxis_transform())
        ax.set_yticks(ys, [short_label(lbl, 30, 2) for lbl, _, _ in rows],
                      fontsize=11 if n <= 30 else 10)
        ax.set_ylim(-0.6, n - 0.4)
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
        ax.grid(axis="y", visible=False)
        ax.set_xlabel("Share of all losses over the horizon (all runs pooled)")
        fig.text(0.02, 1 - 25 / h, "How cheetahs were lost: deaths by cause, and emigration",
                 fontsize=15, fontweight="bold", va="top")
        if used:
            fig.legend(loc="lower left", bbox_to_anchor=(0.02, 0.0), ncol=3, frameon=False,
                       handles=ax.get_legend_handles_labels()[0],
                       labels=ax.get_legend_handles_labels()[1])
        if not rows:
            no_data(ax, "no scenario to show")
        return save_png(fig, path)


# ================================================================================== maps

#: Side of the blocks [km] that occupancy maps sum range centres over: single 2.5 km cells are
#: specks on a 500 km map, while a cheetah's home range spans tens of km.
OCCUPANCY_BLOCK_KM = 10.0


def block_sums(a: np.ndarray, k: int) -> np.ndarray:
    """Sums over k x k blocks of cells (the last block row/column may be partial)."""
    if k <= 1:
        return a
    rows, cols = a.shape
    pad = np.zeros((-(-rows // k) * k, -(-cols // k) * k))
    pad[:rows, :cols] = a
    return pad.reshape(pad.shape[0] // k, k, pad.shape[1] // k, k).sum(axis=(1, 3))


def occupancy_maps(panels: Sequence[tuple[str, np.ndarray]], path: Path, *, cell_km: float,
                   extent: tuple[float, float, float, float], xlabel: str, ylabel: str,
                   aspect: float = 1.0, habitat: np.ndarray | None = None,
                   fence_segments: np.ndarray | None = None) -> Path:
    """Side-by-side heat maps of resident home-range centres per cell (one colour scale for all
    panels, cividis) over the habitat layer in light greys where a landscape is available.

    ``panels``: (title, array (rows, cols) of resident home-range centres per cell, mean over
    months and runs), row 0 at the north edge. ``extent``: (west, east, south, north) in plot
    units (km or degrees, as in :func:`sim.reporting.maps.draw_landscape`;
    :class:`sim.reporting.mapframe.MapFrame`), ``aspect``: y/x scale of those
    units. ``fence_segments``: (k, 2, 2) closed fence edges in the same units, in vermillion."""
    from matplotlib.colors import Normalize

    n = max(1, len(panels))
    k = max(1, round(OCCUPANCY_BLOCK_KM / cell_km))
    block_km = k * cell_km
    shape = np.asarray(panels[0][1]).shape if panels else (0, 0)
    panels = [(title, block_sums(np.asarray(a, dtype=float), k)) for title, a in panels]
    west, east, south, north = extent
    if panels and shape[0] and shape[1]:        # padded blocks span k whole cells each
        b_rows, b_cols = panels[0][1].shape
        dx, dy = (east - west) / shape[1], (north - south) / shape[0]
        block_extent = (west, west + b_cols * k * dx, north - b_rows * k * dy, north)
    else:
        block_extent = extent
    vmax = max([float(np.nanmax(a)) for _, a in panels if a.size and np.isfinite(a).any()] + [0.0])
    with house_style():
        fig = new_figure("occupancy")
        W, H = SIZES["occupancy"]
        gs = fig.add_gridspec(1, n, left=0.08, right=0.86, top=1 - 150 / H, bottom=100 / H, wspace=0.08)
        norm = Normalize(vmin=0, vmax=vmax if vmax > 0 else 1.0)
        im = None
        axes = []
        for i in range(n):
            ax = fig.add_subplot(gs[0, i])
            ax.set_anchor("N")
            axes.append(ax)
            ax.grid(False)
            if i >= len(panels):
                no_data(ax, "no occupancy saved")
                continue
            title, occ = panels[i]
            if habitat is not None and habitat.shape == shape:
                # habitat 0-1 in light greys (white to #cfcfcf) so it never competes with the data
                ax.imshow(habitat, cmap="Greys", vmin=0.0, vmax=1.0 / 0.25, extent=extent,
                          origin="upper", interpolation="nearest")
            shown = np.ma.masked_where(~(occ > 0), occ)   # blocks; imshow stretches them over extent
            im = ax.imshow(shown, cmap="cividis", norm=norm, extent=block_extent, origin="upper",
                           interpolation="nearest")
            ax.set_xlim(west, east)
            ax.set_ylim(south, north)
            if fence_segments is not None and len(fence_segments):
                from matplotlib.collections import LineCollection
                ax.add_collection(LineCollection(np.asarray(fence_segments), colors=OKABE_ITO[1],
                                                 linewidths=1.6))
            ax.set_aspect(aspect)
            ax.set_title(short_label(title, chars_in(0.78 * W / n - 20, 12.5, bold=True), 2), fontsize=12.5, loc="left")
            ax.set_xlabel(xlabel)
            if i == 0:
                ax.set_ylabel(ylabel)
            else:
                ax.tick_params(labelleft=False)
            if not (occ > 0).any():
                no_data(ax, "no resident cheetah in any run")
        if im is not None:
            axes[0].apply_aspect()
            pos = axes[0].get_position()             # colour bar as tall as the maps
            cax = fig.add_axes((0.885, pos.y0, 0.016, pos.height))
            cb = fig.colorbar(im, cax=cax)
            cb.set_label(f"Resident range centres per {block_km:g} × {block_km:g} km block\n"
                         "(mean over months and runs)", fontsize=11)
        fig.text(0.02, 1 - 22 / H, "Where resident cheetahs settled", fontsize=15, fontweight="bold",
                 va="top")
        fig.text(0.02, 1 - 62 / H, "Grey: habitat suitability (darker = better). Blocks without colour "
                 "never held a resident's home-range centre. Vermillion: fences.", fontsize=11,
                 color="#555555", va="top")
        return save_png(fig, path)


# ================================================================================== prey

def prey_trajectories(by_species: Mapping[str, Sequence[Band]], path: Path, *,
                      horizon_years: int) -> Path:
    """One panel per prey species: median animals on the map with the 90 % band of runs, one
    colour per scenario (same colour in every panel)."""
    species = list(by_species)
    n = max(1, len(species))
    with house_style():
        fig = new_figure("prey")
        W, H = SIZES["prey"]
        gs = fig.add_gridspec(1, n, left=0.09, right=0.98, top=1 - 100 / H, bottom=200 / H, wspace=0.25)
        handles = {}
        for j in range(n):
            ax = fig.add_subplot(gs[0, j])
            if j >= len(species):
                no_data(ax, "no prey recorded")
                continue
            sp = species[j]
            for i, s in enumerate(by_species[sp]):
                c = colour(i)
                if s.lo is not None:
                    ax.fill_between(s.years, s.lo, s.hi, color=c, alpha=0.15, lw=0)
                (ln,) = ax.plot(s.years, s.mid, color=c, lw=2.2, ls=line_style(i))
                handles.setdefault(s.label, ln)
            ax.set_title(PREY_NAMES.get(sp, sp.capitalize()), loc="left", fontsize=13.5)
            year_axis(ax, horizon_years)
            ax.set_ylim(bottom=0)
            ax.yaxis.set_major_formatter(_thousands)
            if j == 0:
                ax.set_ylabel("Animals on the map")
        fig.supxlabel("Years since the start of the simulation", fontsize=13, y=118 / H)
        fig.text(0.02, 1 - 22 / H, "Prey on the map: median and 90 % of runs", fontsize=15,
                 fontweight="bold", va="top")
        if handles:
            fig.legend(list(handles.values()), [short_label(k, 60, 1) for k in handles],
                       loc="lower left", bbox_to_anchor=(0.06, 0.0), ncol=2, frameon=False,
                       handlelength=3.2)
        return save_png(fig, path)


def _thousands(v, _pos=None) -> str:
    if abs(v) >= 1e6:
        return f"{v / 1e6:g} M"
    if abs(v) >= 1e4:
        return f"{v / 1e3:g} k"
    return f"{v:g}"


__all__ = ["DPI", "SIZES", "OKABE_ITO", "CAUSE_LABELS", "Band", "ForestRow", "short_label",
           "list_height_px", "fans_height_px", "persistence_curves", "forest_plot", "fan_charts",
           "lines_over_time", "deaths_by_cause", "occupancy_maps", "prey_trajectories"]
