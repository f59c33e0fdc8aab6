"""Ustyurt cheetah reintroduction: an agent-based population viability model.

``sim.run(...)`` runs scenarios from Python and returns tidy pandas DataFrames (:mod:`sim.api`);
the command line is ``run_scenarios.py`` / ``ustyurt-cheetah`` (:mod:`sim.cli`).
"""


def run(*args, **kwargs):
    """Run scenarios and return their results (:func:`sim.api.run`)."""
    from .api import run as _run

    return _run(*args, **kwargs)
