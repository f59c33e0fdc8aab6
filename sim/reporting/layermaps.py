"""The landscape's animal layers side by side, for checking them by eye (matplotlib, Agg backend).

:func:`draw_layers` draws one panel per prey capacity layer (saiga in summer and in winter,
goitered gazelle, urial, tolai hare) and per competitor kind (lion, wolf, leopard) that is not
zero everywhere, each as density [animals/km²] with the fence lines on top. A panel's title gives
the layer's map total [animals] and, when fences split the map, the total in each fenced area
(with all gaps closed), so that e.g. how much of the saiga's winter capacity lies across the
border fence can be read off. The note at the bottom says the map is stylised and approximate.

``python -m sim.reporting.layermaps OUT.png`` draws the default (stylised Ustyurt) landscape's layers.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from ..world.landscape import CAPACITY_KEYS, COMPETITOR_KINDS
from .mapframe import MapFrame

DENSITY_CMAP = "viridis"
FENCE_COLOUR = "#D55E00"      # Okabe-Ito vermillion, as the landscape map's fences
TITLES = {"saiga_summer": "saiga, summer K", "saiga_winter": "saiga, winter K", "gazelle": "gazelle K",
          "urial": "urial K", "hare": "tolai hare K", "lion": "lions", "wolf": "wolves",
          "leopard": "leopards"}


def layer_panels(land) -> list[tuple[str, np.ndarray]]:
    """(name, layer [animals/km²]) of every capacity key and every competitor kind that has
    animals somewhere, capacity first, in CAPACITY_KEYS then COMPETITOR_KINDS order."""
    out = [(k, np.asarray(land.capacity[k])) for k in CAPACITY_KEYS if k in land.capacity]
    out += [(k, np.asarray(land.competitors[k])) for k in COMPETITOR_KINDS]
    return [(k, a) for k, a in out if (a > 0).any()]


def area_totals(land, layer: np.ndarray) -> list[float]:
    """Animals of ``layer`` [animals/km²] in each fenced area (fence regions with all gaps
    closed, label order); one total when there are no fences."""
    animals = layer * land.cell_area_km2
    if not land.fences:
        return [float(animals.sum())]
    reg = land.fence_regions
    return [float(animals[reg == k].sum()) for k in range(int(reg.max()) + 1)]


def draw_layers(land, path, *, ncols: int = 4, panel_px: int = 420, dpi: int = 100) -> Path:
    """Draw the animal layers of ``land`` (:func:`layer_panels`) as a PNG and return its path."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection

    path = Path(path)
    panels = layer_panels(land)
    if not panels:
        raise ValueError(f"landscape {land.name!r} has no animals in any capacity or competitor layer")
    f = MapFrame.of(land)
    ncols = min(ncols, len(panels))
    nrows = -(-len(panels) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * panel_px / dpi, nrows * panel_px * 1.05 / dpi),
                             dpi=dpi, squeeze=False)
    for ax in axes.flat[len(panels):]:
        ax.set_axis_off()
    for ax, (name, layer) in zip(axes.flat, panels):
        im = ax.imshow(layer, cmap=DENSITY_CMAP, extent=f.extent, origin="upper", interpolation="nearest")
        fig.colorbar(im, ax=ax, fraction=0.046, pad=0.03, label="animals/km²")
        for fence in land.fences:
            segs = f.edge_segments(fence.edges)
            ax.add_collection(LineCollection(segs[~fence.gaps], colors=FENCE_COLOUR, linewidths=1.2))
        totals = area_totals(land, layer)
        text = f"{sum(totals):,.0f}" if len(totals) == 1 else " | ".join(f"{t:,.0f}" for t in totals)
        ax.set_title(f"{TITLES.get(name, name)}\n{text} animals", fontsize=10)
        ax.set_aspect(f.aspect)
        ax.set_xlim(f.extent[0], f.extent[1])
        ax.set_ylim(f.extent[2], f.extent[3])
        ax.tick_params(labelsize=7)
    split = (" Totals per fenced area (all gaps closed), in the order of the fence regions."
             if land.fences else "")
    note = ("stylised, approximate" + (" — not a survey map" if land.bounds is not None else "")
            + f". {land.name}: capacity at K and competitor densities.{split}")
    fig.text(0.01, 0.005, note, fontsize=9, style="italic", color="0.25")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return path


def main(argv: list[str] | None = None) -> int:
    """``python -m sim.reporting.layermaps OUT.png [--preset ustyurt|uniform] [--cell-km KM]``."""
    from ..config.schema import LandscapeSpec
    from ..world.build import build_landscape

    p = argparse.ArgumentParser(prog="python -m sim.reporting.layermaps",
                                description="Draw a landscape preset's prey capacity and competitor layers.")
    p.add_argument("out", type=Path, help="PNG file to write")
    p.add_argument("--preset", default="ustyurt", choices=["ustyurt", "uniform"])
    p.add_argument("--cell-km", type=float, default=None, help="cell side [km]")
    args = p.parse_args(argv)
    kw = {"preset": args.preset}
    if args.cell_km is not None:
        kw["cell_km"] = args.cell_km
    out = draw_layers(build_landscape(LandscapeSpec(**kw)), args.out)
    print(f"layers: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
