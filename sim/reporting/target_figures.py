"""Figures of the target search (:mod:`sim.analysis.target`): P(persist) against the varied value
with Wilson bands and the goal (``target.png``), and the two-key viability frontier over a heatmap
of P(persist) (``frontier.png``). Each is saved as PNG and SVG, in the house style
(:mod:`sim.reporting.figstyle`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .figstyle import GREY, colour, house_style, new_figure, save_png

#: Marker, colour index and words of each decision.
_DECISIONS = {"meets": ("o", 2, "meets the goal"), "fails": ("X", 1, "fails the goal"),
              "undecided": ("D", 6, "undecided")}


def _save(fig, png: Path) -> list[Path]:
    png = Path(png)
    save_png(fig, png)
    fig.savefig(png.with_suffix(".svg"), format="svg", facecolor="white")
    return [png, png.with_suffix(".svg")]


def draw_target_curve(result, key: str, goal_text: str, png: Path) -> list[Path]:
    """P(persist) [0-1] of every evaluated value of ``key`` with its Wilson band at the search's
    confidence, the goal line, each value's decision, and the answer with the threshold's interval
    (shaded). Returns the PNG and SVG paths."""
    rows = result.rows()
    x = np.array([r["value"] for r in rows], dtype=float)
    p = np.array([r["p_persist"] for r in rows])
    lo = np.array([r["wilson_lo"] for r in rows])
    hi = np.array([r["wilson_hi"] for r in rows])
    with house_style():
        fig = new_figure("curves")
        ax = fig.add_axes((0.09, 0.12, 0.88, 0.78))
        ax.fill_between(x, lo, hi, color=colour(0), alpha=0.18, linewidth=0,
                        label=f"{100 * result.confidence:g} % Wilson band")
        ax.plot(x, p, color=colour(0), linewidth=1.5)
        for dec, (marker, ci, words) in _DECISIONS.items():
            sel = np.array([r["decision"] == dec for r in rows], dtype=bool)
            if sel.any():
                ax.errorbar(x[sel], p[sel], yerr=[p[sel] - lo[sel], hi[sel] - p[sel]], fmt=marker, ms=8,
                            color=colour(ci), capsize=3, label=words)
        ax.axhline(result.goal, color=GREY, linestyle="--", linewidth=1.2, label=f"goal {goal_text}")
        if result.answer is not None:
            left = result.below if result.below is not None else float(result.grid[0])
            ax.axvspan(left, result.answer, color=colour(3), alpha=0.12, linewidth=0,
                       label="threshold lies here" if result.below is not None else None)
            ax.axvline(result.answer, color=colour(2), linewidth=2,
                       label=f"answer: {result.answer:g}")
        g0, g1 = float(result.grid[0]), float(result.grid[-1])
        pad = 0.03 * (g1 - g0) if g1 > g0 else 0.5
        ax.set_xlim(g0 - pad, g1 + pad)
        if np.issubdtype(np.asarray(result.grid).dtype, np.integer):
            from matplotlib.ticker import MaxNLocator
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel(key)
        ax.set_ylabel("P(persist) at the horizon")
        ax.set_title(f"What would it take: P(persist) against {key}")
        ax.legend(loc="lower right")
        return _save(fig, png)


def _edges(v: np.ndarray) -> np.ndarray:
    """Cell edges around grid values (midpoints; half a step beyond the ends)."""
    v = np.asarray(v, dtype=float)
    if v.size == 1:
        return np.array([v[0] - 0.5, v[0] + 0.5])
    mid = (v[1:] + v[:-1]) / 2
    return np.concatenate([[v[0] - (mid[0] - v[0])], mid, [v[-1] + (v[-1] - mid[-1])]])


def draw_frontier(results, grid1, grid2, key: str, key2: str, goal_text: str, png: Path) -> list[Path]:
    """The viability frontier: for each value of ``key2`` (y), the smallest value of ``key`` (x)
    meeting the goal (a marker; the bar reaches down to the value that fails), over a heatmap of
    the estimated P(persist) of every evaluated (x, y) cell (blank: not evaluated)."""
    g1, g2 = np.asarray(grid1, dtype=float), np.asarray(grid2, dtype=float)
    z = np.full((g2.size, g1.size), np.nan)
    for j, res in enumerate(results):
        for i, pt in res.points.items():
            z[j, i] = pt.p
    with house_style():
        fig = new_figure("curves")
        ax = fig.add_axes((0.09, 0.12, 0.78, 0.78))
        cax = fig.add_axes((0.89, 0.12, 0.02, 0.78))
        mesh = ax.pcolormesh(_edges(g1), _edges(g2), np.ma.masked_invalid(z), cmap="viridis", vmin=0, vmax=1)
        fig.colorbar(mesh, cax=cax, label="P(persist), estimated")
        found = [(r.answer, r.below, v2) for r, v2 in zip(results, g2) if r.answer is not None]
        if found:
            ans, below, ys = (np.array([f[k] if f[k] is not None else np.nan for f in found], dtype=float)
                              for k in range(3))
            left = np.where(np.isnan(below), ans, below)
            ax.errorbar(ans, ys, xerr=[ans - left, np.zeros_like(ans)], fmt="o-", color="white", ms=9,
                        mec="black", ecolor="white", capsize=4, linewidth=2, label=f"smallest {key} meeting {goal_text}")
        missing = [v2 for r, v2 in zip(results, g2) if r.answer is None]
        if missing:
            ax.plot(np.full(len(missing), g1[-1]), missing, ">", color=colour(1), ms=10, mec="black",
                    label="no value in range meets the goal")
        from matplotlib.ticker import MaxNLocator
        for axis, g in ((ax.xaxis, grid1), (ax.yaxis, grid2)):
            if np.issubdtype(np.asarray(g).dtype, np.integer):
                axis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(False)
        ax.set_xlabel(key)
        ax.set_ylabel(key2)
        ax.set_title(f"Viability frontier: {key} × {key2}")
        if found or missing:
            ax.legend(loc="upper right", framealpha=0.9)
        return _save(fig, png)


__all__ = ["draw_target_curve", "draw_frontier"]
