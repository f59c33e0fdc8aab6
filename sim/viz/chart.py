"""The side panel's population chart: N by life stage after every month so far, as inline SVG.

Stacked areas (cub, subadult, resident, transient, in the map's stage colours) against years,
with a few ticks and a legend. Written as SVG text rather than drawn with matplotlib: it costs well
under a millisecond, where a small matplotlib figure cost ~50-80 ms a month (docs/view.md), as
much as the map itself. At most :data:`MAX_POINTS` points per series (longer runs are thinned).
"""

from __future__ import annotations

import numpy as np

from ..model.results import STAGES
from .frame import STAGE_COLOURS

MAX_POINTS = 400


def _nice_top(n: float) -> float:
    """A round axis top at or above ``n`` (at least 5)."""
    n = max(5.0, float(n))
    mag = 10 ** np.floor(np.log10(n))
    for m in (1, 2, 2.5, 5, 10):
        if m * mag >= n:
            return float(m * mag)
    return float(10 * mag)


def population_svg(history: list[np.ndarray], width: int = 380, height: int = 190) -> str:
    """History rows: living animals in each stage of STAGES after month 0, 1, ... (row t = month t)."""
    h = np.array(history, dtype=float).reshape(-1, len(STAGES))
    months = np.arange(len(h))
    if len(h) > MAX_POINTS:
        keep = np.unique(np.linspace(0, len(h) - 1, MAX_POINTS).round().astype(int))
        h, months = h[keep], months[keep]
    left, right, top, bottom = 36, 8, 22, 24
    pw, ph = width - left - right, height - top - bottom
    x_years = max(1.0, months[-1] / 12)
    y_top = _nice_top(h.sum(axis=1).max() * 1.05)
    x = left + months / 12 / x_years * pw
    cum = np.cumsum(h, axis=1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" class="viz-chart" '
             f'font-family="sans-serif" font-size="10">']
    for k, st in enumerate(STAGES):
        lower = cum[:, k - 1] if k else np.zeros(len(h))
        upper = cum[:, k]
        yu = top + ph * (1 - upper / y_top)
        yl = top + ph * (1 - lower / y_top)
        pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(np.r_[x, x[::-1]], np.r_[yu, yl[::-1]]))
        parts.append(f'<polygon points="{pts}" fill="{STAGE_COLOURS[st]}" stroke="none"/>')
    parts.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#333"/>')
    for frac in (0, 0.5, 1):
        y = top + ph * (1 - frac)
        parts.append(f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end">{y_top * frac:g}</text>')
        xx = left + frac * pw
        anchor = {0: "start", 0.5: "middle", 1: "end"}[frac]
        parts.append(f'<text x="{xx:.1f}" y="{top + ph + 12}" text-anchor="{anchor}">{x_years * frac:.3g}</text>')
    parts.append(f'<text x="{left + pw / 2}" y="{height - 2}" text-anchor="middle">years</text>')
    parts.append(f'<text x="10" y="{top + ph / 2}" text-anchor="middle" transform="rotate(-90 10 {top + ph / 2})">'
                 'cheetahs</text>')
    for k, st in enumerate(STAGES):
        lx = left + k * 85
        parts.append(f'<rect x="{lx}" y="6" width="10" height="10" fill="{STAGE_COLOURS[st]}"/>'
                     f'<text x="{lx + 13}" y="15">{st}</text>')
    parts.append("</svg>")
    return "".join(parts)
