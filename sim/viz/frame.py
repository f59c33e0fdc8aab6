"""The map of the browser view: one month of a replicate as a PNG picture.

:class:`MapPicture` draws the landscape once with the landscape map's own layers and colours
(:func:`sim.reporting.maps.draw_base_layers`: habitat, escarpments, reserves, roads, fences and
gaps, wells, release sites) and then, each month, updates only what moves:

* the prey density of one species [animals/km²] on the prey grid (``landscape.prey_cell_km``,
  5 km by default: 109 x 98 cells on the Ustyurt map), over the habitat, on a fixed colour scale
  (0 to the species' largest capacity K) so months compare;
* every cheetah at its cell (a small fixed offset per animal, from its id, so a mother and her
  cubs do not hide each other), coloured by life stage, circle = female, diamond = male;
* the home range of each resident unit (a circle of its radius [km]; blue female, purple male);
* deaths of the last months, a cross coloured by cause, fading with age.

A management change that builds a new landscape (a fence opened, a road built) redraws the base.
Drawing uses matplotlib's Agg canvas directly (no pyplot), one figure per browser session, and
blits: what does not change from month to month (habitat, escarpments, axes, legend, colour bar)
is drawn once into a background; a frame restores it and draws only the artists above the prey
layer (the prey layer, reserves, roads, fences, wells, sites, animals, ranges, deaths, the title).
A full draw of the figure costs ~190 ms on the 2-core development machine, most of it the legend's
text; a blitted frame ~80 ms (docs/view.md). :attr:`MapPicture.last_ms` is the time of the last
frame (drawing and PNG encoding) [ms].
"""

from __future__ import annotations

import io
import time

import numpy as np

from ..config.params import SPECIES
from ..model.results import DEATH_CAUSES, STAGES
from ..reporting.mapframe import MapFrame
from ..reporting.maps import BLACK, BLUE, ORANGE, PURPLE, SKY, VERMILLION, draw_base_layers, legend_handles

#: Colours of the life stages (Okabe-Ito; black edges keep them apart from the map's own marks).
STAGE_COLOURS = {"cub": ORANGE, "subadult": SKY, "resident": BLUE, "transient": VERMILLION}
SEX_MARKERS = {"F": "o", "M": "D"}
RANGE_COLOURS = {"F": BLUE, "M": PURPLE}
PREY_CMAP = "RdPu"
PREY_LABELS = {"saiga": "saiga", "gazelle": "goitered gazelle", "urial": "urial", "hare": "tolai hare"}
#: The prey layer choices: a species of SPECIES, or none (habitat only).
LAYERS = ("none",) + tuple(SPECIES)


def prey_colours():
    """The prey layer's colour map: :data:`PREY_CMAP` from light to dark, more opaque as the
    density rises (from 35 % to 90 %), so the habitat shows through where prey are sparse."""
    import matplotlib
    from matplotlib.colors import ListedColormap

    rgba = matplotlib.colormaps[PREY_CMAP](np.linspace(0.25, 1.0, 256))
    rgba[:, 3] = np.linspace(0.35, 0.9, 256)
    return ListedColormap(rgba, name="prey")


def cause_colour(cause: str):
    """The colour of a death cause: matplotlib's tab20, one per cause of DEATH_CAUSES (plugin
    causes share the colour of "other")."""
    import matplotlib

    k = DEATH_CAUSES.index(cause) if cause in DEATH_CAUSES else len(DEATH_CAUSES) - 1
    return matplotlib.colormaps["tab20"](k)           # an integer picks the k-th of its 20 colours


def _offsets(uid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A fixed small offset per animal [cells], from its id (golden-angle spiral; no random numbers)."""
    a = uid * 2.399963
    r = 0.15 + 0.25 * ((uid * 0.618034) % 1.0)
    return r * np.sin(a), r * np.cos(a)


def canvas_png(canvas) -> bytes:
    """What the Agg canvas holds now (after blitting), as PNG, without drawing the figure again."""
    from PIL import Image

    w, h = canvas.get_width_height(physical=True)
    buf = io.BytesIO()
    Image.frombuffer("RGBA", (w, h), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).save(
        buf, format="png", compress_level=1)
    return buf.getvalue()


class MapPicture:
    """The map of one replicate, ``size_px`` pixels, redrawn by :meth:`render`."""

    def __init__(self, size_px: tuple[int, int] = (1000, 700), dpi: int = 100) -> None:
        self.size_px, self.dpi = size_px, dpi
        self.land = None
        self.last_ms = float("nan")
        self._causes: tuple[str, ...] | None = None

    # ---------------------------------------------------------------- the base (per landscape)
    def _build(self, land, prey) -> None:
        from matplotlib.figure import Figure
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.lines import Line2D

        f = MapFrame.of(land)
        self.land, self.frame = land, f
        fig = Figure(figsize=(self.size_px[0] / self.dpi, self.size_px[1] / self.dpi), dpi=self.dpi)
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0.07, 0.08, 0.60, 0.85))
        draw_base_layers(ax, land, f, scale=0.55)
        # the prey grid: block (R, C) covers landscape rows R f .. R f + f - 1 (the last one partial)
        fac = prey.factor
        R, C = prey.N.shape[1:]
        xw, yn = f.xy(0, 0)
        xe, ys = f.xy(R * fac, C * fac)
        self.prey_image = ax.imshow(np.zeros((R, C)), cmap=prey_colours(), extent=(xw, xe, ys, yn), origin="upper",
                                    interpolation="nearest", zorder=3, visible=False)
        self.cbar_ax = fig.add_axes((0.70, 0.08, 0.014, 0.26))    # right of it: the deaths' legend
        self.cbar = fig.colorbar(self.prey_image, cax=self.cbar_ax)
        self.cbar_ax.set_visible(False)
        self.prey_cell_km2 = (prey.grid.cell_km) ** 2
        self.km_per_x = land.cell_km / abs(f.dx)
        self.km_per_y = land.cell_km / abs(f.dy)
        self.ranges = None
        self.cheetahs = {sx: ax.scatter([], [], s=[], marker=m, edgecolors=BLACK, linewidths=0.6, zorder=13)
                         for sx, m in SEX_MARKERS.items()}
        self.deaths = ax.scatter([], [], s=60, marker="X", edgecolors=BLACK, linewidths=0.5, zorder=14)
        ax.set_aspect(f.aspect)
        ax.set_xlim(f.extent[0], f.extent[1])
        ax.set_ylim(f.extent[2], f.extent[3])
        ax.tick_params(labelsize=8)
        if f.geo:
            ax.set_xlabel("longitude [°E]", fontsize=9)
            ax.set_ylabel("latitude [°N]", fontsize=9)
        else:
            ax.set_xlabel("km east of the west edge", fontsize=9)
            ax.set_ylabel("km north of the south edge", fontsize=9)
        self.title = ax.set_title("", fontsize=11)
        animals = [Line2D([], [], marker="o", ls="", markerfacecolor=STAGE_COLOURS[st], markeredgecolor=BLACK,
                          markersize=7, label=st) for st in STAGES]
        animals += [Line2D([], [], marker=m, ls="", markerfacecolor="white", markeredgecolor=BLACK, markersize=6,
                           label={"F": "female", "M": "male"}[sx]) for sx, m in SEX_MARKERS.items()]
        animals += [Line2D([], [], color=RANGE_COLOURS[sx], lw=1.2, label=f"home range ({w})")
                    for sx, w in (("F", "female"), ("M", "male"))]
        fig.legend(handles=legend_handles(land, scale=0.7) + animals, loc="upper left", bbox_to_anchor=(0.69, 0.93),
                   fontsize=7.5, frameon=True, title="legend", title_fontsize=8)
        self.death_legend = None
        self.fig, self.ax = fig, ax
        self.layer = None
        #: drawn every frame over the background: everything of the map above the habitat layers
        self.moving = [a for a in ax.images + ax.collections + ax.lines if a.get_zorder() >= 3] + [self.title]
        for a in self.moving:
            a.set_animated(True)

    def _background(self) -> None:
        """Draw the still parts of the figure (animated artists are left out) and keep them."""
        canvas = self.fig.canvas
        canvas.draw()
        self.bg = canvas.copy_from_bbox(self.fig.bbox)

    # ---------------------------------------------------------------- one month
    def render(self, rep, layer: str = "none") -> bytes:
        """The map of replicate ``rep`` (:class:`sim.viz.replicate.Replicate`) now, with prey
        ``layer`` (a species of SPECIES, or "none"), as PNG bytes."""
        t0 = time.perf_counter()
        m = rep.model
        if m.landscape is not self.land:
            self._build(m.landscape, m.prey)
            self.layer = None
        if layer != self.layer:                 # the colour bar changes: a new background
            self.layer = layer
            self._prey_scale(m, layer)
            self._background()
        self._prey(m, layer)
        self._animals(rep)
        self._death_marks(rep)
        out = rep.readout()
        self.title.set_text(f"{rep.scenario.name} · seed {rep.root_seed} · {out.when} · N = {out.N}")
        canvas = self.fig.canvas
        canvas.restore_region(self.bg)
        extra = [a for a in (self.ranges, self.death_legend) if a is not None]
        for a in sorted(self.moving + extra, key=lambda a: a.get_zorder()):
            if a is self.death_legend:
                self.fig.draw_artist(a)
            else:
                self.ax.draw_artist(a)
        png = canvas_png(canvas)
        self.last_ms = 1000 * (time.perf_counter() - t0)
        return png

    def _prey_scale(self, m, layer: str) -> None:
        """Show the colour bar of ``layer``: 0 to the species' largest capacity [animals/km²]
        in any month (fixed for the run, so months compare)."""
        show = layer in SPECIES
        self.prey_image.set_visible(show)
        self.cbar_ax.set_visible(show)
        if not show:
            return
        s = SPECIES.index(layer)
        k_max = max(float(m.prey.capacity_per_cell(month)[s].max()) for month in range(12)) / self.prey_cell_km2
        self.prey_image.set_clim(0, max(k_max, 1e-9))
        self.cbar.set_label(f"{PREY_LABELS.get(layer, layer)} [animals/km²]", fontsize=8)
        self.cbar_ax.tick_params(labelsize=7)

    def _prey(self, m, layer: str) -> None:
        """This month's density of ``layer``; cells under 2 % of the scale's top are left clear
        so the habitat shows through."""
        if layer not in SPECIES:
            return
        density = m.prey.N[SPECIES.index(layer)] / self.prey_cell_km2
        self.prey_image.set_data(np.ma.masked_where(density < 0.02 * self.prey_image.norm.vmax, density))

    def _animals(self, rep) -> None:
        from matplotlib.collections import EllipseCollection

        pop = rep.model.cheetahs
        f = self.frame
        n = len(pop)
        stage = rep.stages()
        dr, dc = _offsets(pop.uid.astype(np.float64))
        x, y = f.xy(pop.row + 0.5 + dr, pop.col + 0.5 + dc)
        colours = np.array([STAGE_COLOURS[st] for st in STAGES])[stage] if n else np.zeros(0, dtype=str)
        size = np.where(stage == 0, 14.0, 30.0)
        for sx, male in (("F", False), ("M", True)):
            k = pop.male == male
            sc = self.cheetahs[sx]
            sc.set_offsets(np.column_stack([x[k], y[k]]) if k.any() else np.zeros((0, 2)))
            sc.set_facecolor(colours[k].tolist() if k.any() else [])
            sc.set_sizes(size[k])
        if self.ranges is not None:
            self.ranges.remove()
            self.ranges = None
        units = np.flatnonzero((pop.home_row >= 0) & (pop.mother < 0) & (pop.leaders() == np.arange(n))) \
            if n else np.zeros(0, dtype=np.int64)
        if units.size:
            cx, cy = f.xy(pop.home_row[units] + 0.5, pop.home_col[units] + 0.5)
            r = pop.hr_radius_km[units]
            self.ranges = EllipseCollection(2 * r / self.km_per_x, 2 * r / self.km_per_y, np.zeros(units.size),
                                            units="xy", offsets=np.column_stack([cx, cy]),
                                            offset_transform=self.ax.transData, facecolors="none",
                                            edgecolors=[RANGE_COLOURS["M" if pop.male[u] else "F"] for u in units],
                                            linewidths=1.1, zorder=12, animated=True)
            self.ax.add_collection(self.ranges)

    def _death_marks(self, rep) -> None:
        marks = rep.tally.marks
        keep = rep.tally.keep_months
        if marks:
            rc = np.array([[d.row, d.col] for d in marks])
            x, y = self.frame.centres(rc)
            colours = np.array([cause_colour(d.cause) for d in marks])
            colours[:, 3] = [1.0 - 0.7 * (rep.t - 1 - d.t) / keep for d in marks]
            self.deaths.set_offsets(np.column_stack([x, y]))
            self.deaths.set_facecolor(colours)
        else:
            self.deaths.set_offsets(np.zeros((0, 2)))
        causes = tuple(dict.fromkeys(d.cause for d in marks))
        if causes != self._causes:
            from matplotlib.lines import Line2D

            if self.death_legend is not None:
                self.death_legend.remove()
                self.death_legend = None
            if causes:
                handles = [Line2D([], [], marker="X", ls="", markerfacecolor=cause_colour(c), markeredgecolor=BLACK,
                                  markersize=7, label=c.replace("_", " ")) for c in causes]
                self.death_legend = self.fig.legend(
                    handles=handles, loc="lower left", bbox_to_anchor=(0.785, 0.08), fontsize=7.5, frameon=True,
                    title=f"deaths, last {keep} months", title_fontsize=8)
                self.death_legend.set_animated(True)
            self._causes = causes
