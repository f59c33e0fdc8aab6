"""The browser view (``run_scenarios.py view``, sim.viz, docs/view.md).

Without a browser: the panel's readouts against a headless run of the same replicate (the view's
observer must not change the random stream), the slider settings, the map picture, the session,
and the command's errors (exit status 2 with one clear message). With a browser (Debian's
``chromium`` driven by playwright; skipped only when either is missing): the server started as a
subprocess on a free port, stepped 12 months in headless Chromium, its month counter and N
checked against the headless run, a screenshot checked for content, play/pause, then Ctrl-C.
``SIM_VIEW_SHOTS=DIR`` keeps the screenshots in DIR.
"""

from __future__ import annotations

import dataclasses
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from sim.cli import main
from sim.config.loading import pick_scenario
from sim.model.checks import build_scenario_landscape
from sim.model.model import replicate_model, run_replicate
from sim.model.results import STAGES
from sim.viz.replicate import Replicate, Settings, scenario_with, settings_of, view_seed

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
CHROMIUM = "/usr/bin/chromium"
#: Chromium's flags on a machine without network (without the background-networking ones it
#: tries to reach Google's services and the page's connections are refused).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def baseline():
    scenario, file = pick_scenario(BASELINE)
    return scenario, build_scenario_landscape(scenario, file)


def headless(scenario, landscape, seed: int, months: int):
    """The view's replicate run without the view: the model stepped ``months`` months."""
    model, _ = replicate_model(scenario, landscape, view_seed(scenario, seed))
    for _ in range(months):
        model.step()
    return model


# ------------------------------------------------------------------------------------------ readouts
def test_the_view_shows_the_headless_replicate(baseline):
    """Month, N, N by stage and sex, prey totals after 15 months equal the headless model's; births
    and deaths by cause counted by the observer equal the census of year 1."""
    scenario, land = baseline
    rep = Replicate(scenario, land, 2025)
    assert rep.step(15) == 15
    model = headless(scenario, land, 2025, 15)
    out = rep.readout()
    assert out.t == model.t == 15 and out.N == len(model.cheetahs)
    stage = rep.stages()
    assert sum(f + m for f, m in out.by_stage.values()) == out.N
    for k, st in enumerate(STAGES):
        assert out.by_stage[st] == (int(np.sum((stage == k) & ~model.cheetahs.male)),
                                    int(np.sum((stage == k) & model.cheetahs.male)))
    np.testing.assert_array_equal(rep.model.cheetahs.uid, model.cheetahs.uid)
    np.testing.assert_array_equal(rep.model.prey.N, model.prey.N)
    assert list(out.prey.values()) == model.prey.totals().tolist()
    census = model.census
    year1 = {c.removeprefix("deaths_"): int(census[c][0]) for c in census if c.startswith("deaths_") and census[c][0]}
    rep12 = Replicate(scenario, land, 2025)
    rep12.step(12)
    assert rep12.readout().births == int(census["births"][0])
    assert rep12.readout().deaths == year1
    assert len(rep.history) == 16 and rep.history[-1].sum() == out.N
    assert out.when == "year 2, March" and rep.readout().horizon == 12 * scenario.years


def test_the_view_seed_is_replicate_0_of_run_with_that_root_seed(baseline):
    scenario, land = baseline
    short = scenario.model_copy(update={"years": 2})
    res = run_replicate(short, view_seed(short, 7), landscape=land)
    rep = Replicate(short, land, 7)
    rep.step(24)
    assert rep.done and rep.step(1) == 0
    assert rep.readout().N == int(res.census["N"][-1])


def test_deaths_are_marked_where_they_happened_for_a_few_months(baseline):
    scenario, land = baseline
    rep = Replicate(scenario, land, 2025)
    rep.step(30)
    assert rep.tally.n_deaths > 0
    assert all(rep.t - 1 - d.t < rep.tally.keep_months for d in rep.tally.marks)
    assert all(0 <= d.row < land.rows and 0 <= d.col < land.cols for d in rep.tally.marks)


def test_slider_settings_rebuild_the_scenario(baseline):
    scenario, _ = baseline
    st = settings_of(scenario)
    assert st == Settings(founders=20, search_km_per_day=12.3, enforcement=0.5)
    changed = scenario_with(scenario, Settings(founders=7, search_km_per_day=20.0, enforcement=0.9))
    assert (changed.releases[0].females, changed.releases[0].males) == (4, 3)
    assert changed.cheetah.search_path_km_per_day == 20.0 and changed.management.enforcement == 0.9
    assert scenario_with(scenario, st) == scenario
    with pytest.raises(ValueError, match="enforcement"):
        scenario_with(scenario, dataclasses.replace(st, enforcement=1.5))


def _not_blank(png: bytes) -> None:
    """A picture with content: many colours, not one flat field."""
    import matplotlib.image as mpimg

    img = mpimg.imread(io.BytesIO(png), format="png")[..., :3]
    assert img.std() > 0.05
    assert len(np.unique((img * 255).astype(np.uint8).reshape(-1, 3), axis=0)) > 50


def test_the_map_and_the_chart_are_drawn(baseline):
    from sim.viz.session import Launch, ViewSession

    scenario, land = baseline
    session = ViewSession(Launch(scenario=scenario, file=BASELINE, landscape=land, seed=2025))
    first = session.show()
    _not_blank(first.map_png)
    snap = session.advance(14)
    assert snap.readout.t == 14 and snap.frame_ms > 0 and snap.step_ms > 0
    _not_blank(snap.map_png)
    assert snap.chart_svg.startswith("<svg") and snap.chart_svg.count("<polygon") == len(STAGES)
    assert session.show("none").layer == "none" and session.show("hare").layer == "hare"
    generation = session.generation
    again = session.rebuild(seed=9, founders=6)
    assert (again.readout.t, again.seed, again.settings.founders) == (0, 9, 6)
    assert session.advance(1, generation) is None and session.rep.t == 0      # a play loop of the old run stops
    with pytest.raises(ValueError):
        session.rebuild(enforcement=2.0)
    assert session.settings.enforcement == 0.5 and session.seed == 9


def test_the_chart_thins_long_runs_and_scales_its_axis():
    from sim.viz.chart import MAX_POINTS, population_svg

    history = [np.array([m % 7, 3, 20 + m // 12, 1]) for m in range(601)]
    svg = population_svg(history)
    first = svg.split('<polygon points="')[1].split('"')[0]
    assert len(first.split()) == 2 * MAX_POINTS
    assert ">100<" in svg and ">25<" in svg            # axis top: 80 animals (+5 %) -> 100; 25 and 50 years
    assert population_svg([np.zeros(4, dtype=int)]).count("<polygon") == len(STAGES)


# ------------------------------------------------------------------------------------------ the command
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("argv, fragment", [
    (["view", "no/such/file.yaml"], "no such file"),
    (["view", str(ROOT / "scenarios" / "founders.yaml")], "choose one with --name"),
    (["view", str(ROOT / "scenarios" / "founders.yaml"), "--name", "founders_100"], "--name founders_100: no scenario"),
    (["view", str(BASELINE), "--port", "70000"], "--port"),
])
def test_bad_input_is_one_message_and_exit_2(argv, fragment, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err


def test_a_port_in_use_is_one_message_and_exit_2(capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        assert main(["view", str(BASELINE), "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert f"port {port} on 127.0.0.1 is in use" in err and "--port 0" in err and "Traceback" not in err


def test_without_the_viz_extra_the_command_says_how_to_install_it(monkeypatch, capsys):
    import sim.cli_view

    monkeypatch.setattr(sim.cli_view, "missing_viz_modules", lambda: ["solara"])
    assert main(["view", str(BASELINE)]) == 2
    assert "pip install 'ustyurt-cheetah[viz]'" in capsys.readouterr().err


# ------------------------------------------------------------------------------------------ the browser
def _browser_missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"no browser: {CHROMIUM} is not installed (apt-get install chromium; .ci/run installs it)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "no browser driver: the playwright package is not installed (pip install -e '.[dev,viz]')"
    return None


def _start_server(seed: int):
    """The view as a subprocess on any free port; (process, url) once it answers."""
    proc = subprocess.Popen([sys.executable, str(ROOT / "run_scenarios.py"), "view", str(BASELINE), "--port", "0",
                             "--seed", str(seed)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    line = proc.stdout.readline()                    # "view: http://127.0.0.1:PORT/  (...)"
    m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    if m is None:
        proc.kill()
        raise AssertionError(f"the server did not say where it is: {line!r} {proc.stderr.read()}")
    url = m.group(0)
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise
            time.sleep(0.3)


def test_the_view_in_a_browser_matches_a_headless_run(baseline, tmp_path):
    """Step 12 months in headless Chromium: the month counter says 12 and N equals the headless
    run's; the map is not blank; play advances and pause stops; Ctrl-C stops the server (exit 0)."""
    missing = _browser_missing()
    if missing:
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    scenario, land = baseline
    seed = 2025
    expected_n = len(headless(scenario, land, seed, 12).cheetahs)
    shots = Path(os.environ.get("SIM_VIEW_SHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    proc, url = _start_server(seed)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)   # a fresh profile
            try:
                page = browser.new_page(viewport={"width": 1440, "height": 1000})
                page.goto(url)
                page.wait_for_selector(".viz-month", timeout=60_000)
                assert page.inner_text(".viz-month") == "0"
                page.screenshot(path=str(shots / "view-month0.png"))
                for month in range(1, 13):
                    page.click(".viz-step")
                    page.wait_for_function(f"document.querySelector('.viz-month').innerText == '{month}'",
                                           timeout=20_000)
                assert page.inner_text(".viz-month") == "12"
                assert int(page.inner_text(".viz-n")) == expected_n
                page.screenshot(path=str(shots / "view-month12.png"))
                _not_blank(page.locator(".viz-map").screenshot())
                page.click(".viz-play")
                page.wait_for_function("Number(document.querySelector('.viz-month').innerText) >= 15", timeout=20_000)
                page.click(".viz-play")                                 # pause
                page.wait_for_selector(".viz-step:not([disabled])", timeout=10_000)
                time.sleep(1.0)                         # the month being drawn at the click still lands
                paused = page.inner_text(".viz-month")
                time.sleep(1.5)
                assert page.inner_text(".viz-month") == paused and int(paused) >= 15
                page.screenshot(path=str(shots / "view-played.png"))
            finally:
                browser.close()
        proc.send_signal(signal.SIGINT)                                 # Ctrl-C
        out, err = proc.communicate(timeout=20)
        assert proc.returncode == 0, err
        assert "view stopped" in out and "Traceback" not in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
