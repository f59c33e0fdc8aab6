"""A labelled picture of a landscape, for checking it by eye (matplotlib, Agg backend).

:func:`draw_landscape` shades habitat suitability (colour-blind-safe sequential colormap, so salt
flats and lowlands show as pale), overlays escarpments, the fence lines with their gaps, protected
area outlines, roads, wells, settlements and release sites with names, adds a scale bar in km,
degree axes when the landscape is georeferenced (else km), a legend, and the note that the map is
stylised and approximate. An optional occupancy array (e.g. cheetah-months per cell) is drawn as
a heat map on top.

``python -m sim.reporting.maps OUT.png`` draws the default (stylised Ustyurt) landscape.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np

from .mapframe import MapFrame
from .figstyle import save_png

# Okabe-Ito colours (distinguishable with the common colour-vision deficiencies)
ORANGE, SKY, GREEN, YELLOW, BLUE, VERMILLION, PURPLE, BLACK = (
    "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")
ESCARPMENT_COLOUR = "#7f3b08"
HABITAT_CMAP = "YlGn"
OCCUPANCY_CMAP = "magma_r"


def _nice_length(km: float) -> float:
    """A round scale-bar length (1, 2 or 5 x 10^k km) not above ``km``."""
    if km <= 0:
        return 1.0
    p = 10 ** math.floor(math.log10(km))
    for m in (5, 2, 1):
        if m * p <= km:
            return m * p
    return p


def _representative_cell(cells: np.ndarray) -> np.ndarray:
    """The feature cell nearest to the feature's centroid (inside it even when it is curved)."""
    cells = np.asarray(cells).reshape(-1, 2)
    centre = cells.mean(axis=0)
    return cells[np.argmin(((cells - centre) ** 2).sum(axis=1))]


class _Labeller:
    """Places text labels near anchor points, trying offsets until a label overlaps no other."""

    OFFSETS = [(6, 6, "left", "bottom"), (6, -6, "left", "top"), (-6, 6, "right", "bottom"),
               (-6, -6, "right", "top"), (0, 9, "center", "bottom"), (0, -9, "center", "top"),
               (14, 0, "left", "center"), (-14, 0, "right", "center"), (18, 18, "left", "bottom"),
               (-18, -18, "right", "top"), (18, -18, "left", "top"), (-18, 18, "right", "bottom"),
               (0, 24, "center", "bottom"), (0, -24, "center", "top"), (30, 0, "left", "center"),
               (-30, 0, "right", "center")]

    def __init__(self, fig, ax) -> None:
        self.fig, self.ax = fig, ax
        self.renderer = fig.canvas.get_renderer()
        self.placed = []
        self.frame_box = ax.get_window_extent(self.renderer)

    def block(self, artist) -> None:
        """Keep later labels off an already drawn artist (e.g. the legend)."""
        self.placed.append(artist.get_window_extent(self.renderer).expanded(1.02, 1.05))

    def add(self, x: float, y: float, text: str, *, centred: bool = False, **style) -> None:
        offsets = ([(0, 0, "center", "center")] if centred else []) + self.OFFSETS
        first = None
        for dx, dy, ha, va in offsets:
            t = self.ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha,
                                 va=va, zorder=20, **style)
            box = t.get_window_extent(self.renderer).expanded(1.04, 1.1)
            inside = (box.x0 >= self.frame_box.x0 and box.x1 <= self.frame_box.x1
                      and box.y0 >= self.frame_box.y0 and box.y1 <= self.frame_box.y1)
            if inside and not any(box.overlaps(b) for b in self.placed):
                if first is not None:
                    first.remove()
                self.placed.append(box)
                return
            if first is None:
                first = t
            else:
                t.remove()
        self.placed.append(first.get_window_extent(self.renderer))   # nothing free: keep the first


def draw_base_layers(ax, land, f: MapFrame, *, scale: float = 1.0):
    """Draw the landscape's layers on ``ax`` in plot coordinates of frame ``f`` and return the
    habitat image (for a colour bar): habitat suitability, escarpments, protected-area outlines,
    roads, fences with their gaps, wells, settlements and release sites. The landscape map and
    the browser view (:mod:`sim.viz.frame`) share it; ``scale`` multiplies marker sizes and line
    widths (a smaller picture). Layers stack by zorder: habitat 1, escarpment 2, 3-4 free for a
    heat map, protected areas 5, roads 6, fences 7-8, wells 9, settlements 10, sites 11."""
    from matplotlib.collections import LineCollection
    from matplotlib.colors import ListedColormap

    im = ax.imshow(land.habitat, cmap=HABITAT_CMAP, vmin=0, vmax=1, extent=f.extent, origin="upper",
                   interpolation="nearest", zorder=1)
    if land.escarpment.any():
        esc = np.ma.masked_where(~land.escarpment, np.ones(land.shape))
        ax.imshow(esc, cmap=ListedColormap([ESCARPMENT_COLOUR]), extent=f.extent, origin="upper",
                  interpolation="nearest", alpha=0.85, zorder=2)
    # protected areas (outlined)
    gx, _ = f.xy(np.zeros(land.cols), np.arange(land.cols) + 0.5)
    _, gy = f.xy(np.arange(land.rows) + 0.5, np.zeros(land.rows))
    for mask in land.protected_areas.values():
        if mask.any():
            ax.contour(gx, gy, mask.astype(float), levels=[0.5], colors=[BLUE], linewidths=2.0 * scale, zorder=5)
    # roads: features of kind "road" as ordered lines; otherwise the road cells as dots
    road_feats = [ft for ft in land.features if ft.kind == "road"]
    if road_feats:
        for ft in road_feats:
            x, y = f.centres(ft.cells)
            ax.plot(x, y, color=BLACK, lw=2.4 * scale, zorder=6, solid_capstyle="round")
            ax.plot(x, y, color="white", lw=1.0 * scale, ls=(0, (3, 3)), zorder=6)
    elif land.road.any():
        x, y = f.centres(np.argwhere(land.road))
        ax.scatter(x, y, s=3 * scale, color=BLACK, marker="s", zorder=6)
    # fences: closed edges as lines, gaps as open circles
    for fence in land.fences:
        x0, y0, x1, y1 = f.edge_ends(fence.edges)
        segs = np.stack([np.column_stack([x0, y0]), np.column_stack([x1, y1])], axis=1)
        ax.add_collection(LineCollection(segs[~fence.gaps], colors=VERMILLION, linewidths=2.6 * scale, zorder=7))
        if fence.gaps.any():
            mx, my = (x0 + x1) / 2, (y0 + y1) / 2
            ax.scatter(mx[fence.gaps], my[fence.gaps], s=70 * scale, facecolor="white", edgecolor=VERMILLION,
                       linewidth=2.0 * scale, zorder=8)
    # wells / water points, settlements, sites
    if land.water.any():
        x, y = f.centres(np.argwhere(land.water))
        ax.scatter(x, y, s=40 * scale, marker="v", color=SKY, edgecolor=BLUE, linewidth=1.0 * scale, zorder=9)
    for ft in land.features:
        if ft.kind == "settlement":
            x, y = f.centres(ft.cells[:1])
            ax.scatter(x, y, s=34 * scale, marker="s", color=BLACK, zorder=10)
    for name, rc in land.sites.items():
        x, y = f.centres(np.array([rc]))
        ax.scatter(x, y, s=230 * scale, marker="*", color=ORANGE, edgecolor=BLACK, linewidth=1.0 * scale, zorder=11)
    return im


def legend_handles(land, *, scale: float = 1.0) -> list:
    """Legend entries of the layers :func:`draw_base_layers` draws for ``land``."""
    import matplotlib
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [Patch(facecolor=ESCARPMENT_COLOUR, label="escarpment (chink)")] if land.escarpment.any() else []
    if land.fences:
        handles += [Line2D([], [], color=VERMILLION, lw=2.6 * scale, label="fence"),
                    Line2D([], [], marker="o", ls="", markerfacecolor="white", markeredgecolor=VERMILLION,
                           markeredgewidth=2 * scale, markersize=8 * scale, label="fence gap")]
    if land.protected_areas:
        handles.append(Line2D([], [], color=BLUE, lw=2 * scale, label="protected area"))
    if any(ft.kind == "road" for ft in land.features) or land.road.any():
        handles.append(Line2D([], [], color=BLACK, lw=2.4 * scale, label="road / railway"))
    if land.water.any():
        handles.append(Line2D([], [], marker="v", ls="", color=SKY, markeredgecolor=BLUE, markersize=7 * scale,
                              label="well / water point"))
    if any(ft.kind == "settlement" for ft in land.features):
        handles.append(Line2D([], [], marker="s", ls="", color=BLACK, markersize=6 * scale, label="settlement"))
    if land.sites:
        handles.append(Line2D([], [], marker="*", ls="", color=ORANGE, markeredgecolor=BLACK,
                              markersize=14 * scale, label="release site"))
    if (land.habitat < 0.2).any():
        handles.append(Patch(facecolor=matplotlib.colormaps[HABITAT_CMAP](0.02), edgecolor="0.6",
                             label="salt flat / lowland (low habitat)"))
    return handles


def draw_landscape(land, path, *, title: str | None = None, occupancy: np.ndarray | None = None,
                   size_px: tuple[int, int] = (1500, 1250), dpi: int = 100) -> Path:
    """Draw ``land`` as a labelled PNG of exactly ``size_px`` pixels and return its path.

    ``occupancy``: optional array of the landscape's shape (e.g. cheetah-months per cell); cells
    above zero are drawn as a heat map over the habitat.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

    path = Path(path)
    f = MapFrame.of(land)
    if occupancy is not None:
        occupancy = np.asarray(occupancy, dtype=float)
        if occupancy.shape != land.shape:
            raise ValueError(f"occupancy has shape {occupancy.shape}, the landscape {land.shape}")

    fig = plt.figure(figsize=(size_px[0] / dpi, size_px[1] / dpi), dpi=dpi)
    ax = fig.add_axes((0.06, 0.07, 0.62, 0.86))
    cax = fig.add_axes((0.72, 0.56, 0.015, 0.30))
    im = draw_base_layers(ax, land, f)
    fig.colorbar(im, cax=cax, label="cheetah habitat suitability (0–1)")
    if occupancy is not None and (occupancy > 0).any():
        occ = np.ma.masked_where(occupancy <= 0, occupancy)
        oim = ax.imshow(occ, cmap=OCCUPANCY_CMAP, extent=f.extent, origin="upper",
                        interpolation="nearest", alpha=0.75, zorder=3)
        ocax = fig.add_axes((0.72, 0.17, 0.015, 0.30))
        fig.colorbar(oim, cax=ocax, label="occupancy")
    road_feats = [ft for ft in land.features if ft.kind == "road"]
    settlements = [ft for ft in land.features if ft.kind == "settlement"]

    # after imshow, which would reset it: 1 km looks the same east-west and north-south
    ax.set_aspect(f.aspect)
    ax.set_xlim(f.extent[0], f.extent[1])
    ax.set_ylim(f.extent[2], f.extent[3])
    if f.geo:
        ax.set_xlabel("longitude [°E]")
        ax.set_ylabel("latitude [°N]")
    else:
        ax.set_xlabel("km east of the west edge")
        ax.set_ylabel("km north of the south edge")
    width_km = land.cols * land.cell_km
    bar_km = _nice_length(width_km / 4)
    ax.add_artist(AnchoredSizeBar(ax.transData, bar_km / f.km_per_x, f"{bar_km:g} km", "lower left",
                                  pad=0.6, borderpad=0.8, sep=4, frameon=True, size_vertical=0,
                                  color=BLACK, fontproperties={"size": 10}))
    rows, cols = land.shape
    ax.set_title(title or f"{land.name} landscape: {rows} × {cols} cells of {land.cell_km:g} km "
                          f"({land.area_km2:,.0f} km²)", fontsize=13)

    # legend (outside the map, right)
    handles = legend_handles(land)
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.80, 0.93), frameon=True,
               fontsize=10, title="legend")

    note = "stylised, approximate" + (" — not a survey map" if land.bounds is not None else "")
    fig.text(0.06, 0.015, note, fontsize=11, style="italic", color="0.25")
    if land.bounds is not None:
        w, s, e, n = land.bounds
        fig.text(0.68, 0.015, f"bounds ≈ {w:.2f}–{e:.2f}°E, {s:.2f}–{n:.2f}°N ({land.crs or 'CRS unknown'})",
                 fontsize=9, color="0.35", ha="right")

    # labels, most important first
    fig.canvas.draw()
    lab = _Labeller(fig, ax)
    for artist in ax.artists:
        lab.block(artist)
    for name, rc in land.sites.items():
        x, y = f.centres(np.array([rc]))
        lab.add(float(x[0]), float(y[0]), name, fontsize=10, fontweight="bold", color=BLACK,
                bbox=dict(boxstyle="round,pad=0.2", fc=ORANGE, ec="none", alpha=0.85))
    for ft in settlements:
        x, y = f.centres(ft.cells[:1])
        lab.add(float(x[0]), float(y[0]), ft.name, fontsize=9, color=BLACK,
                bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.7))
    style = {
        "protected_area": dict(fontsize=9, color=BLUE, fontweight="bold",
                               bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.6)),
        "salt_flat": dict(fontsize=8.5, color="0.1", style="italic",
                          bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.55)),
        "sand": dict(fontsize=8.5, color="0.1", style="italic",
                     bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.55)),
        "escarpment": dict(fontsize=9, color=ESCARPMENT_COLOUR, fontweight="bold",
                           bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.6)),
        "region": dict(fontsize=10.5, color="0.15", style="italic",
                       bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.45)),
        "fence": dict(fontsize=9, color=VERMILLION, fontweight="bold",
                      bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.6)),
        "road": dict(fontsize=8.5, color=BLACK,
                     bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.6)),
    }
    for kind in ("protected_area", "escarpment", "fence", "road", "salt_flat", "sand", "region"):
        for ft in land.features:
            if ft.kind != kind or len(ft.cells) == 0:
                continue
            if kind in ("road", "fence"):
                cell = np.asarray(ft.cells)[len(ft.cells) * (2 if kind == "road" else 3) // 5]
            else:
                cell = _representative_cell(ft.cells)
            x, y = f.centres(np.array([cell]))
            text = ft.name.replace(" reserve", "\nreserve").replace(" Nature Reserve", "\nNature Reserve") \
                if kind == "protected_area" else ft.name
            lab.add(float(x[0]), float(y[0]), text, centred=kind in ("salt_flat", "sand", "region"),
                    **style[kind])

    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".png":
        save_png(fig, path, dpi=dpi)            # with the report's SVG/PDF copies
    else:
        fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return path


def main(argv: list[str] | None = None) -> int:
    """``python -m sim.reporting.maps OUT.png [--preset ustyurt|uniform] [--seed N] [--cell-km KM]``."""
    from ..world.build import build_landscape
    from ..config.schema import LandscapeSpec

    p = argparse.ArgumentParser(prog="python -m sim.reporting.maps", description="Draw a landscape preset as a PNG.")
    p.add_argument("out", type=Path, help="PNG file to write")
    p.add_argument("--preset", default="ustyurt", choices=["ustyurt", "uniform"])
    p.add_argument("--seed", type=int, default=None, help="texture seed of the stylised map")
    p.add_argument("--cell-km", type=float, default=None, help="cell side [km]")
    args = p.parse_args(argv)
    kw = {"preset": args.preset}
    if args.seed is not None:
        kw["seed"] = args.seed
    if args.cell_km is not None:
        kw["cell_km"] = args.cell_km
    land = build_landscape(LandscapeSpec(**kw))
    out = draw_landscape(land, args.out)
    print(f"map: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
