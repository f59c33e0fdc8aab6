"""The Solara page of the browser view: controls, side panel, map, and the play loop.

One :class:`sim.viz.session.ViewSession` per open page (``solara.use_memo``). The page shows
:class:`sim.viz.session.Snapshot` objects only; the buttons and the play loop (a thread,
``solara.use_thread`` with a cancel event checked between months, never interrupting a month)
make them. At a speed the machine cannot draw, the loop simulates several months per frame so
that the months per second hold. Elements the browser test reads carry classes: ``viz-month``
(months simulated), ``viz-n`` (living cheetahs), ``viz-map`` (the map).
"""

from __future__ import annotations

import html
import math
import threading
import time

import solara

from .frame import LAYERS, PREY_LABELS
from .session import Snapshot, ViewSession, current_launch

SPEEDS = (1, 2, 4, 12, 24)              # months per second of the play loop


def play_loop(session: ViewSession, set_snap, stop, cancel: threading.Event) -> None:
    """Advance and draw until ``cancel`` is set, the run ends (then ``stop()``) or is rebuilt.
    Each frame advances ``per_frame`` months, raised when a frame takes longer than the speed
    allows."""
    per_frame = 1
    generation = session.generation
    while not cancel.is_set():
        t0 = time.perf_counter()
        snap = session.advance(per_frame, generation)
        if snap is None:                        # rebuilt (reset, a slider) while this frame waited
            return
        set_snap(snap)
        if session.done:
            stop()
            return
        took = time.perf_counter() - t0
        wait = per_frame / session.speed - took
        if wait > 0:
            cancel.wait(wait)
        per_frame = max(1, min(12, math.floor(session.speed * took)))


@solara.component
def RunControls(session: ViewSession, snap: Snapshot, set_snap, playing: bool, set_playing, rebuild):
    """Step, +1 year, play/pause and speed; reset with the seed typed, or with the next seed."""
    seed, set_seed = solara.use_state(snap.seed)

    def new_seed():
        set_seed(session.seed + 1)
        rebuild(seed=session.seed + 1)

    speed, set_speed_shown = solara.use_state(session.speed)

    def set_speed(v):
        session.speed = v               # the play loop reads it at its next frame
        set_speed_shown(v)

    done = snap.readout.t >= snap.readout.horizon or snap.readout.error is not None
    with solara.Card(margin=0):
        with solara.Row(gap="6px"):
            solara.Button("Step", on_click=lambda: set_snap(session.advance(1)), disabled=playing or done,
                          color="primary", classes=["viz-step"])
            solara.Button("+1 year", on_click=lambda: set_snap(session.advance(12)), disabled=playing or done,
                          classes=["viz-year"])
            solara.Button("Pause" if playing else "Play", on_click=lambda: set_playing(not playing),
                          disabled=done and not playing, color="primary", classes=["viz-play"])
        solara.Text("speed when playing [months per second]", style={"font-size": "13px", "color": "#555"})
        solara.ToggleButtonsSingle(value=speed, values=list(SPEEDS), on_value=set_speed, dense=True,
                                   classes=["viz-speed"])
        with solara.Row(gap="6px", style={"align-items": "center"}):
            solara.InputInt("seed", value=seed, on_value=set_seed, dense=True, classes=["viz-seed"],
                            style={"max-width": "90px"})
            solara.Button("Reset", on_click=lambda: rebuild(seed=seed), classes=["viz-reset"], small=True)
            solara.Button("New seed", on_click=new_seed, classes=["viz-new-seed"], small=True)


@solara.component
def ScenarioControls(session: ViewSession, snap: Snapshot, set_snap, rebuild, error):
    """The prey layer shown, and the sliders that rebuild the run (their values in the labels)."""
    st = snap.settings

    def change(name: str, digits: int):
        """A slider's handler: rebuild only on a real change (a slider may report its value
        rounded to its grid when it appears; that must not change the scenario)."""
        def on_value(v):
            v = round(float(v), digits) if digits else int(v)
            if abs(v - getattr(session.settings, name)) > 1e-9:
                rebuild(**{name: v})
        return on_value

    with solara.Row(gap="12px", style={"align-items": "flex-start"}):
        with solara.Card(margin=0, style={"min-width": "260px"}):
            solara.Select("prey layer on the map", values=list(LAYERS), value=snap.layer, dense=True,
                          on_value=lambda v: set_snap(session.show(v)))
        with solara.Card(margin=0, style={"min-width": "420px"}):
            solara.Text("Scenario (a change rebuilds the run from month 0)", style={"font-weight": "bold"})
            if st.founders is not None:
                solara.SliderInt(f"founders (first release): {st.founders}", value=st.founders, min=2,
                                 max=max(60, st.founders), on_value=change("founders", 0))
            solara.SliderFloat(f"search path: {st.search_km_per_day:g} km/day", value=st.search_km_per_day,
                               min=1.0, max=max(30.0, st.search_km_per_day), step=0.1,
                               on_value=change("search_km_per_day", 1))
            solara.SliderFloat(f"enforcement: {st.enforcement:g}", value=st.enforcement, min=0.0, max=1.0, step=0.05,
                               on_value=change("enforcement", 2))
            if error:
                solara.Error(error)


def _table(rows: list[tuple], head: tuple) -> str:
    """A small HTML table (the panel avoids Markdown, whose maths renderer loads from a CDN)."""
    cell = "padding:0 8px;text-align:right"
    out = "".join(f"<th style='{cell}'>{html.escape(str(h))}</th>" for h in head)
    for r in rows:
        out += "<tr>" + "".join(f"<td style='{cell}'>{html.escape(str(v))}</td>" for v in r) + "</tr>"
    return f"<table style='border-collapse:collapse;font-size:14px'><tr>{out}</tr></table>"


@solara.component
def Panel(snap: Snapshot):
    """The month, N by stage and sex, births and deaths so far, prey totals, the chart."""
    r = snap.readout
    with solara.Card(margin=0):
        with solara.Row(gap="4px"):
            solara.Text("month")
            solara.Text(str(r.t), classes=["viz-month"], style={"font-weight": "bold"})
            solara.Text(f"of {r.horizon} · {r.when}")
        with solara.Row(gap="4px"):
            solara.Text("cheetahs alive: N =")
            solara.Text(str(r.N), classes=["viz-n"], style={"font-weight": "bold"})
        with solara.Row(gap="16px", style={"align-items": "flex-start"}):
            solara.HTML("div", unsafe_innerHTML=_table([(st, f, m) for st, (f, m) in r.by_stage.items()],
                                                       ("stage", "F", "M")))
            prey = [(PREY_LABELS.get(k, k), f"{v:,.0f}") for k, v in r.prey.items()]
            solara.HTML("div", unsafe_innerHTML=_table(prey, ("prey", "on map")))
        deaths = ", ".join(f"{c.replace('_', ' ')} {n}" for c, n in r.deaths.items()) or "none"
        solara.Text(f"born so far: {r.births} cubs; died so far: {sum(r.deaths.values())} ({deaths})",
                    style={"font-size": "14px"})
        solara.HTML("div", unsafe_innerHTML=snap.chart_svg)
        if r.error:
            solara.Error(r.error)
        step = "–" if math.isnan(snap.step_ms) else f"{snap.step_ms:.1f}"
        solara.Text(f"last frame {snap.frame_ms:.0f} ms (drawing the map), model {step} ms/month",
                    style={"font-size": "12px", "color": "#555"}, classes=["viz-timing"])


@solara.component
def Page():
    launch = current_launch()
    session = solara.use_memo(lambda: ViewSession(launch), [])
    first = solara.use_memo(session.show, [])
    snap, set_snap = solara.use_state(first)
    playing, set_playing = solara.use_state(False)
    error, set_error = solara.use_state(None)

    def play(cancel: threading.Event):
        if playing:
            play_loop(session, set_snap, lambda: set_playing(False), cancel)

    def rebuild(**changes):
        set_playing(False)
        try:
            set_snap(session.rebuild(**changes))
            set_error(None)
        except ValueError as e:
            set_error(str(e))

    solara.use_thread(play, dependencies=[playing], intrusive_cancel=False)
    solara.Title(f"Cheetah view: {launch.scenario.name}")
    with solara.Row(style={"align-items": "flex-start", "padding": "8px"}, gap="12px"):
        with solara.Column(style={"width": "420px", "min-width": "420px"}, gap="8px"):
            solara.Text(f"{launch.scenario.name} ({launch.file})", style={"font-size": "18px", "font-weight": "bold"})
            solara.Text(launch.scenario.description or "", style={"font-size": "13px", "color": "#444"})
            RunControls(session, snap, set_snap, playing, set_playing, rebuild)
            Panel(snap)
        with solara.Column(gap="8px"):
            solara.Image(snap.map_png, classes=["viz-map"])
            ScenarioControls(session, snap, set_snap, rebuild, error)
