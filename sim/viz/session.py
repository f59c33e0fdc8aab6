"""What one browser page of the view works on: its replicate, its pictures, its settings.

:class:`Launch` is what the command line decided before the server started (the scenario, its
built landscape, the root seed); :func:`set_launch` hands it to the app, which makes one
:class:`ViewSession` per open page. A session owns a :class:`sim.viz.replicate.Replicate` and a
:class:`sim.viz.frame.MapPicture`; the play loop (a thread) and the buttons both go through its
lock, and the page only shows :class:`Snapshot` objects, never the live model. No Solara here.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path

from ..config.schema import Scenario
from .chart import population_svg
from .frame import LAYERS, MapPicture
from .replicate import Readout, Replicate, Settings, scenario_with, settings_of


@dataclass(frozen=True)
class Launch:
    """The view's start: ``scenario`` (resolved, checked) from ``file``, its ``landscape``,
    the root ``seed`` and the prey ``layer`` shown first."""

    scenario: Scenario
    file: Path
    landscape: object
    seed: int
    layer: str = "saiga"


_LAUNCH: Launch | None = None


def set_launch(launch: Launch) -> None:
    """Give the app what to show (called by :mod:`sim.viz.serve` before the server starts)."""
    global _LAUNCH
    _LAUNCH = launch


def current_launch() -> Launch:
    if _LAUNCH is None:
        raise RuntimeError("the view was started without a scenario: use `run_scenarios.py view SCENARIO`")
    return _LAUNCH


@dataclass(frozen=True)
class Snapshot:
    """One shown state: the map (PNG bytes) and the population chart (SVG text), the panel's
    readout, the settings and seed it was built with, the last frame's drawing time and the last
    month's model time [ms]."""

    map_png: bytes
    chart_svg: str
    readout: Readout
    settings: Settings
    seed: int
    layer: str
    frame_ms: float
    step_ms: float


class ViewSession:
    """One page's replicate of ``launch``; every method is safe to call from the play thread."""

    def __init__(self, launch: Launch) -> None:
        self.launch = launch
        self.lock = threading.Lock()
        self.picture = MapPicture()
        self.layer = launch.layer if launch.layer in LAYERS else "none"
        self.step_ms = float("nan")
        self.speed = 4                      # months per second of the play loop (sim.viz.app)
        self.settings = settings_of(launch.scenario)
        self.seed = launch.seed
        self.rep = Replicate(launch.scenario, launch.landscape, self.seed)
        #: counts the rebuilds: a play loop started on one replicate never advances the next
        self.generation = 0

    @property
    def done(self) -> bool:
        return self.rep.done

    def rebuild(self, *, seed: int | None = None, **changes) -> Snapshot:
        """Start again from month 0 with ``seed`` and the slider ``changes`` (fields of
        :class:`Settings`); ValueError if the scenario does not accept the values (the current
        replicate is then kept)."""
        with self.lock:
            settings = replace(self.settings, **changes)
            scenario = scenario_with(self.launch.scenario, settings)
            self.seed = self.seed if seed is None else int(seed)
            self.settings = settings
            self.rep = Replicate(scenario, self.launch.landscape, self.seed)
            self.generation += 1
            self.step_ms = float("nan")
            return self._snapshot()

    def advance(self, months: int = 1, generation: int | None = None) -> Snapshot | None:
        """Simulate ``months`` months (fewer at the horizon) and draw the last one; None (and
        nothing done) if ``generation`` is given and the run was rebuilt since."""
        with self.lock:
            if generation is not None and generation != self.generation:
                return None
            t0 = time.perf_counter()
            done = self.rep.step(months)
            if done:
                self.step_ms = 1000 * (time.perf_counter() - t0) / done
            return self._snapshot()

    def show(self, layer: str | None = None) -> Snapshot:
        """Draw the current month (with prey ``layer`` if given)."""
        with self.lock:
            if layer is not None:
                self.layer = layer if layer in LAYERS else "none"
            return self._snapshot()

    def _snapshot(self) -> Snapshot:
        png = self.picture.render(self.rep, self.layer)
        return Snapshot(map_png=png, chart_svg=population_svg(self.rep.history), readout=self.rep.readout(),
                        settings=self.settings, seed=self.seed, layer=self.layer,
                        frame_ms=self.picture.last_ms, step_ms=self.step_ms)
