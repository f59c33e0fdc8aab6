"""The report figures' house style and the helpers every figure function shares.

:mod:`sim.reporting.figures` draws the figures; this module fixes how they look: pixel sizes per
figure kind (:data:`SIZES`, at :data:`DPI`), the colour-blind-safe Okabe-Ito palette and line
styles (a unique colour and line style for the first 64 series), matplotlib settings
(:func:`house_style`), words for death causes and prey species, scenario names fitted to an axis
(:func:`short_label`), heights of figures that grow with their rows, and the figure's creation
and saving at its own pixel size. matplotlib is imported only when a figure is made, so the
validation checks share the palette without loading it.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Dots per inch of every saved figure.
DPI = 160
#: (width, height) in pixels of each figure kind; list figures grow in height (list_height_px).
SIZES: dict[str, tuple[int, int]] = {
    "curves": (1600, 1000),       # persistence curves, gene diversity over time
    "forest": (1600, 1000),       # minimum; grows with the number of scenarios
    "fans": (1600, 1000),         # minimum; grows with the number of panel rows
    "deaths": (1600, 1000),       # minimum; grows with the number of scenarios
    "occupancy": (1600, 900),
    "prey": (1600, 800),
}
#: Okabe & Ito (2008) colour-blind-safe palette, ordered for lines on white (yellow last).
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#000000", "#F0E442")
#: Line styles paired with the palette by :func:`line_style`.
LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)), (0, (1, 1)), (0, (8, 2)))
#: Secondary text and "no data" notes.
GREY = "#7f7f7f"

#: Words for the census death causes (sim.model.results.DEATH_CAUSES).
CAUSE_LABELS: dict[str, str] = {
    "background": "background (other natural)",
    "senescence": "old age",
    "starvation": "starvation",
    "human": "people (persecution, poaching)",
    "road": "road/railway collisions",
    "predation": "predators (wolves)",
    "post_release": "post-release losses",
    "orphaned": "cubs orphaned",
    "inbreeding": "inbreeding depression (cubs)",
    "harsh_winter": "harsh winter (dzhut)",
    "ceiling": "removed at carrying capacity",
    "emigrated": "emigrated off the map",
    "other": "other causes (plugin hazards)",
}

#: Words for the prey species (sim.config.params.SPECIES).
PREY_NAMES = {"saiga": "Saiga", "gazelle": "Goitered gazelle", "urial": "Urial"}

#: matplotlib settings of the house style (:func:`house_style`).
_STYLE = {
    "font.size": 12,
    "axes.titlesize": 15,
    "axes.titleweight": "bold",
    "axes.labelsize": 13,
    "xtick.labelsize": 11.5,
    "ytick.labelsize": 11.5,
    "legend.fontsize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.8,
    "axes.axisbelow": True,
}


# ================================================================================== helpers

def list_height_px(kind: str, n_rows: int, *, row_px: int = 46, extra_px: int = 330) -> int:
    """Height [px] of a figure that lists ``n_rows`` rows: at least the kind's height, else
    ``extra_px`` (title, axis, legend) plus ``row_px`` per row."""
    return max(SIZES[kind][1], extra_px + row_px * int(n_rows))


def fans_height_px(n_panels: int, ncols: int = 3, panel_px: int = 380) -> int:
    """Height [px] of the fan-chart grid: 200 px of titles and labels plus one band per row."""
    rows = max(1, math.ceil(n_panels / ncols))
    return max(SIZES["fans"][1], 200 + panel_px * rows)


def short_label(name: str, width: int = 30, max_lines: int = 2) -> str:
    """A scenario name fitted to an axis: wrapped after '_', '-', '.', ',', '+' or '=' into lines
    of at most ``width`` characters; if it needs more than ``max_lines`` lines, the middle is
    elided with '…' (start and end of a name usually carry its meaning)."""
    if len(name) <= width:
        return name
    if max_lines <= 1:
        keep = width - 1
        return name[:(keep + 1) // 2] + "…" + name[len(name) - keep // 2:]
    tokens = re.findall(r"[^_\-.,+= ]+[_\-.,+= ]*|[_\-.,+= ]+", name)
    lines, cur = [], ""
    for tok in tokens:
        while len(tok) > width:                    # one very long token: hard split
            if cur:
                lines.append(cur)
                cur = ""
            lines.append(tok[:width])
            tok = tok[width:]
        if cur and len(cur) + len(tok) > width:
            lines.append(cur)
            cur = tok
        else:
            cur += tok
    if cur:
        lines.append(cur)
    if len(lines) > max_lines:
        rest = "".join(lines[max_lines - 1:])
        lines = lines[:max_lines - 1] + ["…" + rest[len(rest) - (width - 1):]]
    return "\n".join(lines)


def legend_bottom(fig: Figure, ax, n_entries: int, ncol: int = 2, height_px: int | None = None,
                   top: float = 0.92, left: float = 0.09) -> None:
    """Place ``ax`` above a legend of ``n_entries`` in ``ncol`` columns at the bottom of ``fig``:
    the axes end where the legend's rows (34 px each) and the x label (95 px) begin."""
    h = height_px or fig.get_figheight() * DPI
    rows = math.ceil(max(n_entries, 1) / ncol)
    bottom = (95 + 34 * rows + 30) / h
    ax.set_position((left, bottom, 0.97 - left, top - bottom))


def year_axis(ax, horizon_years: int, nbins: int = 10) -> None:
    """An x axis of years 0..``horizon_years`` with at most ``nbins`` whole-year ticks."""
    from matplotlib.ticker import MaxNLocator
    ax.set_xlim(0, max(horizon_years, 1))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=nbins))


def chars_in(width_px: float, fontsize_pt: float, bold: bool = False) -> int:
    """About how many characters of DejaVu Sans at ``fontsize_pt`` fit in ``width_px``."""
    return max(8, int(width_px / ((0.68 if bold else 0.6) * fontsize_pt * DPI / 72)))


def new_figure(kind: str, height_px: int | None = None) -> Figure:
    """An empty figure of the kind's pixel size (:data:`SIZES`; ``height_px`` replaces the height)."""
    from matplotlib.figure import Figure
    w, h = SIZES[kind]
    if height_px is not None:
        h = height_px
    return Figure(figsize=(w / DPI, h / DPI), dpi=DPI)


#: Vector formats figures are also written in, beside their PNG: none outside a report; a report
#: writes SVG (and PDF on request: ``report --pdf``), set for it by :func:`figure_formats`.
_EXTRA_FORMATS: list[str] = []


class figure_formats:
    """Within ``with figure_formats(("svg", "pdf")):`` figures are also saved in those formats."""

    def __init__(self, formats) -> None:
        self.formats = [f for f in formats if f != "png"]

    def __enter__(self):
        self.saved = list(_EXTRA_FORMATS)
        _EXTRA_FORMATS[:] = self.formats
        return self

    def __exit__(self, *exc) -> None:
        _EXTRA_FORMATS[:] = self.saved


def save_png(fig: Figure, path: Path, dpi: float = DPI) -> Path:
    """Save at the figure's own pixel size (no 'tight' bounding box, which would change it), and
    in each extra format (SVG, PDF) beside it with the same name. Each file is written to
    ``.<name>.tmp-<pid>`` and renamed, so a report build killed mid-write leaves no truncated
    figure under the real name (bench/soak.py found one); the next build deletes such temp files
    (:func:`sim.reporting.report.build_report`)."""
    import matplotlib
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for fmt in ["png", *_EXTRA_FORMATS]:
        dest = path.with_suffix(f".{fmt}")
        tmp = dest.with_name(f".{dest.name}.tmp-{os.getpid()}")
        with matplotlib.rc_context(_REPRODUCIBLE):
            fig.savefig(tmp, dpi=dpi, format=fmt, facecolor="white", metadata=_NO_DATE.get(fmt))
        os.replace(tmp, dest)
    return path


# The same figure gives the same bytes: SVG element ids from a fixed salt (by default a random
# one per process), no date of writing in SVG or PDF (bench/soak.py compares report files byte
# for byte between an interrupted and an uninterrupted run).
_REPRODUCIBLE = {"svg.hashsalt": "ustyurt-cheetah"}
_NO_DATE = {"svg": {"Date": None}, "pdf": {"CreationDate": None, "ModDate": None}}


def house_style():
    """A context in which matplotlib draws in the house style (fonts, grid, no top/right spines)."""
    import matplotlib
    return matplotlib.rc_context(_STYLE)


def colour(i: int) -> str:
    """The i-th colour of the Okabe-Ito palette (cycling)."""
    return OKABE_ITO[i % len(OKABE_ITO)]


def line_style(i: int):
    """Line style of series i: with colour(i), unique for the first 64 series."""
    return LINESTYLES[(i + i // len(OKABE_ITO)) % len(LINESTYLES)]


def no_data(ax, text: str) -> None:
    """``text`` in grey in the middle of an axes that has nothing to show."""
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", color=GREY,
            fontsize=13, wrap=True)


def as_float(a) -> np.ndarray:
    """``a`` as a float64 array (None-free inputs; NaN marks a missing value)."""
    return np.asarray(a, dtype=np.float64)


def isolated(y: np.ndarray) -> np.ndarray:
    """Bool mask of finite values whose neighbours are both missing (NaN or outside)."""
    ok = np.isfinite(y)
    prev = np.concatenate([[False], ok[:-1]])
    nxt = np.concatenate([ok[1:], [False]])
    return ok & ~prev & ~nxt


__all__ = ["DPI", "SIZES", "OKABE_ITO", "LINESTYLES", "GREY", "CAUSE_LABELS", "PREY_NAMES", "as_float",
           "chars_in", "colour", "fans_height_px", "house_style", "isolated", "legend_bottom", "line_style",
           "list_height_px", "new_figure", "no_data", "save_png", "figure_formats", "short_label", "year_axis"]
