"""The fast subset of the validation checks (``make validate`` runs them all, with more replicates).

Each check compares a submodel or a field pattern with its expected value and tolerance, as
written in docs/validation.md; here they run in quick mode (few replicates, short horizons) on one
process. Checks whose quick-mode sampling error is too wide to be a fair pass/fail
(``demography_growth``, the Namibia, Iran and saiga-recovery field checks, the sensitivity sweep)
run only in ``make validate``. A fast check that the model is known to fail (documented as FAIL in
docs/validation.md) is a strict expected failure here: it is still run, and the test turns red
when the model starts to pass it, so the mark cannot outlive the failure.
"""

from __future__ import annotations

import numpy as np
import pytest

import sim.validation as validation
from sim.config.params import SPECIES

FAST_CHECKS = ("founder_extinction", "gene_diversity_drift", "prey_logistic", "predator_prey_offtake",
               "movement_msd", "fence_crossing", "serengeti_cub_survival", "kgalagadi_cub_survival",
               "female_lifespan", "breeding_lion_free", "ustyurt_fence_saiga", "kill_interval")
#: Fast checks the model fails (with the reason, as the report shows it).
KNOWN_FAILURES = {
    "kill_interval": "Kruger: the model's cheetahs kill every ~3.0 days (satiated hunting of impala kills of 30.75 kg, "
                     "the sourced 3/4-of-female mass, more kills when lions take meat) against 4.61 days (Broomhall "
                     "2002; lower bound 3.07); left failing, not tuned",
}


@pytest.fixture(scope="module")
def quick_results(tmp_path_factory):
    fig_dir = tmp_path_factory.mktemp("validation") / "figures" / "validation"
    settings = validation.Settings(fig_dir=fig_dir, quick=True, jobs=1)
    return settings, validation.run_checks(FAST_CHECKS, settings, progress=False)


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=KNOWN_FAILURES[n]))
                                  if n in KNOWN_FAILURES else n for n in FAST_CHECKS])
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
    assert f"{sum(r.passed for r in results)} of {len(results)} checks pass" in text


def test_every_registered_check_is_either_fast_or_left_to_make_validate():
    slow = {"demography_growth", "namibia_home_range", "iran_low_density", "ustyurt_saiga_recovery", "sensitivity"}
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
    S = len(SPECIES)
    for h in off.hunts:
        u = h.condition.shape[0]
        assert 0 <= h.month < 12 and h.t % 12 == h.month and 0 <= h.t < 12 * years
        assert h.density.shape == h.kills.shape == h.attack.shape == h.handling.shape == h.avail.shape == (u, S)
        assert h.members.shape == h.want_kg.shape == h.kept.shape == h.cubs.shape == h.walker.shape == (u,)
        assert (h.kills >= 0).all() and (h.members >= 1).all() and (h.cubs < h.members).all()
        assert (h.attack >= 0).all() and (h.handling > 0).all() and (h.want_kg > 0).all()
        assert ((h.kept > 0) & (h.kept <= 1)).all()
        assert np.allclose(h.avail.sum(axis=1) > 0, h.density.sum(axis=1) > 0)

    kin = ins.run_kinship(sc, 1)
    assert isinstance(kin, ins.KinshipRun) and kin.mean_kinship.shape == (years,)
    alive = kin.census["N"] > 0
    assert ((kin.mean_kinship[alive] > 0) & (kin.mean_kinship[alive] <= 1)).all()

    spring = ins.run_spring_counts(uniform_reserve("contract_saiga", years=2, size_km=40.0, saiga=1.0,
                                                   prey_poaching=0.0), 1)
    assert spring.shape == (2,) and (spring > 0).all()


def test_breeding_range_and_fence_region_records_follow_their_contract():
    """The records of instrumented.run_breeding, run_ranges and run_saiga_regions that the
    breeding, Iran and fence checks rely on."""
    from sim.validation import instrumented as ins
    from sim.validation.common import field_scenario
    from sim.validation.fence_saiga import fence_scenarios

    years = 4
    sc = field_scenario("contract", years=years, lions=0.0, size_km=60.0, females=6, males=6)
    b = ins.run_breeding(sc, 1)
    assert isinstance(b, ins.BreedingRecord) and b.months == 12 * years and b.litter_t.size > 0
    n = b.litter_t.size
    for a in (b.litter_mother, b.mother_born, b.mother_age, b.mother_end, b.litter_size, b.emerged, b.independent):
        assert a.shape == (n,)
    assert ((b.emerged <= b.litter_size) & (b.independent <= b.emerged) & (b.litter_size >= 1)).all()
    assert (b.mother_age >= sc.cheetah.female_first_conception_months + sc.cheetah.gestation_months).all()
    assert int(b.litter_size.sum()) == int(b.census["births"].sum())
    own = b.mother_born >= 0
    assert (b.mother_age[own] == b.litter_t[own] - b.mother_born[own]).all()
    assert b.female_born.shape == b.female_end.shape == b.female_id.shape
    assert (b.female_end >= b.female_born).all()

    r = ins.run_ranges(sc, 1)
    assert isinstance(r, ins.RangeRecord) and r.cell_km == 2.5 and r.track_id.size > 0
    assert r.track_t.shape == r.track_row.shape == r.track_resident.shape == r.track_id.shape
    assert ((0 <= r.track_t) & (r.track_t < r.months)).all()
    assert r.range_km2.size > 0 and (r.range_km2 > 0).all() and ((1 <= r.range_year) & (r.range_year <= years)).all()

    scs = fence_scenarios(2)
    gaps, closed = ins.run_saiga_regions(scs["gaps"], 1), ins.run_saiga_regions(scs["closed"], 1, close_fences=True)
    south = gaps.region_of_site["southern_cluster"]
    assert south != gaps.region_of_site["ustyurt_reserve"]
    assert gaps.saiga.shape == (24, 2) and gaps.saiga[0].sum() == 0 and gaps.saiga[1].sum() > 0
    assert closed.saiga[:, south].max() == 0 and gaps.saiga[-1, south] > 0


def test_offtake_expectation_matches_the_models_satiation_rule_by_simulation():
    """The exact expectation of the offtake check (sim.validation.offtake.satiated_expectation)
    against the mean of many draws put through the model's own rule (sim.life.hunting._satiate):
    two species, units from search-limited to satiated, one box nearly empty."""
    from sim.life.hunting import _satiate
    from sim.validation.offtake import satiated_expectation
    rng = np.random.default_rng(3)
    mu = np.array([[2.0, 0.0, 0.0, 5.0], [12.0, 0.0, 0.0, 30.0], [40.0, 0.0, 0.0, 0.0], [6.0, 0.0, 0.0, 1.0]])
    avail = np.array([[500.0, 0, 0, 900], [500, 0, 0, 900], [500, 0, 0, 0], [3.5, 0, 0, 900]])
    want = np.array([120.0, 150.0, 400.0, 60.0])
    mass = np.array([33.0, 27.0, 45.0, 2.1])
    kept = np.array([0.95, 0.9, 0.95, 0.8])
    e = mass[None, :] * 0.6 * kept[:, None]
    exact = satiated_expectation(mu, avail, want, e, e.max(axis=1))
    n = 40000
    total = np.zeros_like(mu)
    for _ in range(n):
        k = rng.poisson(mu).astype(float)
        _satiate(k, avail, want, mass, 0.6, kept)
        total += k
    sim_mean = total / n
    assert np.allclose(sim_mean, exact, rtol=0.03, atol=0.02), (sim_mean, exact)
    # satiation and the cap both bite
    assert exact[1].sum() < 0.7 * mu[1].sum() and exact[2, 0] < 0.6 * mu[2, 0] and exact[3, 0] <= 3.0
