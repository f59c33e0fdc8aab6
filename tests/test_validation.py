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


def test_instrumented_runs_return_the_documented_records():
    """The contract of sim.validation.instrumented that the checks rely on (and that an
    implementation by model observers instead of subclasses must keep)."""
    from sim.config.factories import uniform_reserve
    from sim.validation import instrumented as ins
    from sim.validation.common import field_scenario

    years = 3
    sc = field_scenario("contract", years=years, lions=0.05, size_km=60.0, females=6, males=6)
    life = ins.run_tracked(sc, 1)
    assert isinstance(life, ins.LifeRecord) and life.months == 12 * years
    assert life.cub_born.size > 0 and life.cub_independent.shape == life.cub_born.shape
    assert ((0 <= life.cub_born) & (life.cub_born < life.months)).all()
    f = life.female_start.size
    assert life.female_age.shape == life.female_dead.shape == life.female_end.shape == (f,)
    assert (life.female_end > life.female_start).all()
    assert (life.female_end[~life.female_dead] == life.months).all()
    assert life.census["N"].shape == (years,)

    off = ins.run_offtake(sc, 1)
    assert isinstance(off, ins.OfftakeRun) and off.hunts and off.census["N"].shape == (years,)
    for h in off.hunts:
        u = h.condition.shape[0]
        assert 0 <= h.month < 12
        assert h.density.shape == h.kills.shape == (u, 3) and h.members.shape == (u,)
        assert (h.kills >= 0).all() and (h.members >= 1).all()

    kin = ins.run_kinship(sc, 1)
    assert isinstance(kin, ins.KinshipRun) and kin.mean_kinship.shape == (years,)
    alive = kin.census["N"] > 0
    assert ((kin.mean_kinship[alive] > 0) & (kin.mean_kinship[alive] <= 1)).all()

    spring = ins.run_spring_counts(uniform_reserve("contract_saiga", years=2, size_km=40.0, saiga=1.0,
                                                   prey_poaching=0.0), 1)
    assert spring.shape == (2,) and (spring > 0).all()
