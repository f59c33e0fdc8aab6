"""Where the options act: one map of the baseline landscape with every scenario's spatial
interventions drawn over it (corridors, patrol zones, new reserves, water points, new roads and
fences, fence gaps opened or closed, road mitigation), each scenario in its own colour.

The map after a scenario's interventions is computed, not simulated: every landscape lever of
the scenario applied in schedule order (:func:`landscape_after`); a scenario whose landscape
ends as the baseline's is not drawn.
"""

from __future__ import annotations

from pathlib import Path
import numpy as np

from ..management.after import landscape_after
from .figstyle import save_png
from .mapframe import MapFrame, closed_fence_edges

#: Layers whose change marks a cell as acted on.
LAYERS = ("human", "patrol", "protection", "water", "road", "road_risk", "habitat")

#: Colours of up to ten scenarios (Okabe-Ito, then Tableau), in the report's order.
COLOURS = ("#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#0072B2", "#D55E00", "#F0E442", "#000000",
           "#8c564b", "#7f7f7f")


def changes(base, after) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """(cells acted on, fence edges newly open, fence edges newly closed, what changed) between
    two landscapes of one grid."""
    cells = np.zeros(base.shape, dtype=bool)
    what = []
    for name in LAYERS:
        d = np.asarray(getattr(base, name)) != np.asarray(getattr(after, name))
        if d.any():
            cells |= d
            what.append(name)
    closed_before = {tuple(e) for e in closed_fence_edges(base).tolist()}
    closed_after = {tuple(e) for e in closed_fence_edges(after).tolist()}
    opened = np.array(sorted(closed_before - closed_after), dtype=np.int64).reshape(-1, 3)
    closed = np.array(sorted(closed_after - closed_before), dtype=np.int64).reshape(-1, 3)
    if len(opened):
        what.append("fence opened")
    if len(closed):
        what.append("fence built or closed")
    return cells, opened, closed, what


def draw_interventions(base, panels: list[tuple[str, object]], path: Path, *, size_px=(1600, 1000),
                       dpi: int = 100) -> Path | None:
    """The baseline landscape ``base`` in grey with each ``(scenario name, landscape after)``
    of ``panels`` drawn over it (cells acted on shaded, fence edges opened dashed, fences built
    or closed solid); None when no scenario changes the map."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection
    from matplotlib.colors import ListedColormap
    from matplotlib.lines import Line2D

    drawn = [(n, *changes(base, after)) for n, after in panels]
    drawn = [d for d in drawn if d[1].any() or len(d[2]) or len(d[3])][:len(COLOURS)]
    if not drawn:
        return None
    f = MapFrame.of(base)
    fig = plt.figure(figsize=(size_px[0] / dpi, size_px[1] / dpi), dpi=dpi)
    ax = fig.add_axes((0.05, 0.07, 0.60, 0.86))
    ax.imshow(base.habitat, cmap="Greys", vmin=-0.3, vmax=1.6, extent=f.extent, origin="upper",
              interpolation="nearest", zorder=1)
    fences = closed_fence_edges(base)
    if len(fences):
        ax.add_collection(LineCollection(f.edge_segments(fences), colors="#444444", linewidths=1.0, zorder=2))
    handles = []
    for i, (name, cells, opened, closed, what) in enumerate(drawn):
        c = COLOURS[i]
        if cells.any():
            ax.imshow(np.ma.masked_where(~cells, np.ones(base.shape)), cmap=ListedColormap([c]), alpha=0.45,
                      extent=f.extent, origin="upper", interpolation="nearest", zorder=3 + i)
        if len(opened):
            ax.add_collection(LineCollection(f.edge_segments(opened), colors=c, linewidths=2.5,
                                             linestyles=(0, (2, 1)), zorder=20))
        if len(closed):
            ax.add_collection(LineCollection(f.edge_segments(closed), colors=c, linewidths=2.5, zorder=20))
        handles.append(Line2D([], [], color=c, lw=6, alpha=0.7, label=f"{name}: {', '.join(what)}"))
    ax.set_xlim(f.extent[0], f.extent[1])
    ax.set_ylim(f.extent[2], f.extent[3])
    ax.set_aspect(f.aspect)
    ax.set_title("Where the options change the landscape", loc="left", fontweight="bold")
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.67, 0.93), frameon=False, fontsize=9)
    fig.text(0.67, 0.10, "Shaded: cells whose people, patrols, protection, water, roads or habitat the option\n"
                         "changes. Dashed: fence edges it opens. Solid: fences it builds or closes. Grey: the\n"
                         "baseline's habitat and fences.", fontsize=8, color="#444444", va="bottom")
    save_png(fig, path, dpi=dpi)
    plt.close(fig)
    return path


__all__ = ["landscape_after", "changes", "draw_interventions"]
