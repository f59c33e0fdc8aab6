"""Validation: the model checked against theory and field data, written up in docs/validation.md.

``python -m sim.validation [--out docs/validation.md] [--quick] [--only NAME ...] [--strict]``
runs every check (or the named ones), draws one figure per check into
``<out folder>/figures/validation/`` and writes the report. Each check is a function returning a
:class:`CheckResult`: what is compared, the parameters used and their sources, the expected value
or range with its tolerance, the observed value, pass/fail and the figure. The report is generated
from these records (date, git commit, replicates and run time of the last run): nothing in it is
typed by hand, so it cannot disagree with the code.

Three groups of checks, one module each (or two, for the Serengeti and Kgalagadi checks that
share the field runs of :mod:`.field_pool`):

* **theory**: submodels against analytic results: the female life cycle of
  sim.analysis.demography (:mod:`.theory_demography`, :mod:`.theory_extinction`), drift
  (:mod:`.theory_drift`), theta-logistic prey (:mod:`.prey_logistic`), type II functional response
  (:mod:`.offtake`), correlated random walk (:mod:`.movement`), fences (:mod:`.fences`);
* **field**: patterns from cheetah and saiga field studies the model must reproduce with
  parameters set for that system (:mod:`.field_cubs`, :mod:`.field_lifespan`, :mod:`.namibia`,
  :mod:`.saiga`; sources in ``/work/shared/research/parameters.md``);
* **sensitivity**: one-at-a-time changes of the main parameters in the baseline scenario
  (:mod:`.sensitivity`).

Shared pieces: :mod:`.common` (records, the ``@check`` registry, settings, seeds, the parallel
map, figures, the demography-only and field-system scenarios built with
:func:`sim.config.factories.uniform_reserve`), :mod:`.instrumented` (every model run a check makes, and the
records the census does not hold: cub fates, female lifespans, kills per hunting unit, mean
kinship, spring saiga counts; the model itself is not changed), :mod:`.report` (the markdown) and
:mod:`.runner` (:func:`run_checks`, the command line).

A failing check is reported as FAIL and the exit status stays 0 (``--strict``: 1), so a model
that disagrees with a field pattern is documented rather than hidden. Nothing is cached between
runs; temporary files live in a temporary folder.
"""

from .common import CHECKS, Check, CheckResult, Param, Settings
from .report import render_report
from .runner import main, run_checks

__all__ = ["CHECKS", "Check", "CheckResult", "Param", "Settings", "main", "render_report", "run_checks"]
