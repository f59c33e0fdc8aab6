"""The ``view`` command: watch one replicate of a scenario in the browser (docs/view.md).

:func:`run_view` picks the scenario (``--name`` among several, :func:`sim.config.loading.pick_scenario`),
checks it and builds its landscape, takes the port on 127.0.0.1 (:func:`sim.viz.serve.bind`) and
serves the view (:mod:`sim.viz`) until Ctrl-C. Each problem the user can fix (a missing ``viz``
extra, a port in use) is a :class:`ViewUsageError`, which sim.cli turns into one message and exit
status 2, as it does with bad scenario files. Kept out of sim/cli.py, which only parses.
"""

from __future__ import annotations

import argparse
import importlib.util

from .config.loading import pick_scenario
from .model.checks import build_scenario_landscape, check_all


class ViewUsageError(ValueError):
    """A problem with the view command's input or its machine (exit status 2)."""


#: What the view needs beyond the core install (the ``viz`` extra of pyproject.toml).
VIZ_MODULES = ("solara", "uvicorn")


def missing_viz_modules() -> list[str]:
    """The modules of the ``viz`` extra that are not installed."""
    return [m for m in VIZ_MODULES if importlib.util.find_spec(m) is None]


def run_view(args: argparse.Namespace) -> int:
    """Serve the view of ``args.scenario`` (``--name``, ``--seed``, ``--port``) until Ctrl-C; 0."""
    missing = missing_viz_modules()
    if missing:
        raise ViewUsageError(f"the view needs the viz extra ({', '.join(missing)} not installed): "
                             "pip install 'ustyurt-cheetah[viz]', or in a checkout: pip install -e '.[viz]'")
    scenario, file = pick_scenario(args.scenario, args.name)
    check_all([(scenario, file)])                      # rule names, sites, cells, fences: all problems at once
    landscape = build_scenario_landscape(scenario, file)   # built by the check already (cached)
    from .viz.serve import PortInUse, bind, serve
    from .viz.session import Launch

    try:
        sock = bind(args.port)
    except PortInUse as e:
        raise ViewUsageError(str(e)) from None
    seed = scenario.seed if args.seed is None else args.seed
    serve(Launch(scenario=scenario, file=file, landscape=landscape, seed=seed, layer=args.layer), sock)
    print("view stopped")
    return 0
