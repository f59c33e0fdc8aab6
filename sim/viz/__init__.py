"""Watching one replicate in the browser (``run_scenarios.py view SCENARIO``; docs/view.md).

A plain Solara app (not Mesa's SolaraViz; docs/view.md says why) around one replicate of the
model, drawn with matplotlib on the landscape map's own layers (:mod:`sim.reporting.maps`):

* :mod:`.tally`: an observer (:mod:`sim.model.observe`) counting births and deaths by cause and
  keeping where recent deaths happened;
* :mod:`.replicate`: one replicate stepped month by month, its panel readouts and the slider
  settings that rebuild it (no Solara here: unit-tested without a browser);
* :mod:`.frame`: the map picture (prey layer, cheetahs, home ranges, deaths) as PNG bytes;
* :mod:`.chart`: the population chart (N by stage, month by month) as inline SVG;
* :mod:`.app`: the Solara page (controls, side panel, play loop);
* :mod:`.serve`: the web server on 127.0.0.1 (uvicorn, Solara's own server).

Only :mod:`.app` and :mod:`.serve` need the ``viz`` extra (``pip install .[viz]``); the rest uses the
core dependencies (matplotlib) and is tested without a browser. The core never imports this subpackage.
"""
