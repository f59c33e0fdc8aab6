"""The fast subset of the validation checks (``make validate`` runs them all, with more replicates).

Each check compares a submodel or a field pattern with its expected value and tolerance, as
written in docs/validation.md; here they run in quick mode (few replicates, short horizons) on one
process. Checks whose quick-mode sampling error is too wide to be a fair pass/fail
(``demography_growth``, the Namibia and saiga field checks, the sensitivity sweep) run only in
``make validate``.
"""

from __future__ import annotations

import pytest

import sim.validation as validation

FAST_CHECKS = ("founder_extinction", "gene_diversity_drift", "prey_logistic", "predator_prey_offtake",
               "movement_msd", "fence_crossing", "serengeti_cub_survival", "kgalagadi_cub_survival",
               "female_lifespan")


@pytest.fixture(scope="module")
def quick_results(tmp_path_factory):
    fig_dir = tmp_path_factory.mktemp("validation") / "figures" / "validation"
    settings = validation.Settings(fig_dir=fig_dir, quick=True, jobs=1)
    return settings, validation.run_checks(FAST_CHECKS, settings, progress=False)


@pytest.mark.parametrize("name", FAST_CHECKS)
def test_validation_check_passes_in_quick_mode(quick_results, name):
    _, results = quick_results
    res = next(r for r in results if r.name == name)
    assert res.passed, f"{name}: expected {res.expected}; tolerance {res.tolerance}; observed {res.observed}"
    assert res.figure is not None and res.figure.stat().st_size > 10_000


def test_validation_report_lists_every_check_with_its_figure(quick_results, tmp_path):
    settings, results = quick_results
    out = tmp_path / "validation.md"
    text = validation.render_report(results, out, settings=settings, seconds=1.0, command="test")
    for r in results:
        assert f"### {r.title}" in text
        assert r.figure.name in text
    assert f"{len(results)} of {len(results)} checks pass" in text


def test_every_registered_check_is_either_fast_or_left_to_make_validate():
    slow = {"demography_growth", "namibia_home_range", "ustyurt_saiga_recovery", "sensitivity"}
    assert set(validation.CHECKS) == set(FAST_CHECKS) | slow
