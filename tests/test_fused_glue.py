"""Round r3a's fused month glue equals the numpy code it replaced, bit for bit: mate choice of
roaming males, cub predation over the competitor kinds, the parents' check of a month's litters
and the alleles drawn flat."""

import numpy as np
import pytest

from sim.cheetahs.genetics import _all_living
from sim.life.mortality import _predation
from sim.life.reproduction import _chosen_mates, _largest_true


@pytest.mark.parametrize("seed", range(6))
def test_chosen_mates_are_the_largest_true_of_the_met_and_acceptable_pairs(seed):
    rng = np.random.default_rng(seed)
    n, k = rng.integers(1, 12), rng.integers(1, 30)
    exponent = -rng.exponential(1.5, (n, k))
    kinship = rng.choice([0.0, 0.0625, 0.125, 0.25, 0.5], (n, k))
    limit = [0.125, 0.25, 1.0][seed % 3]
    u_meet, u_choice = rng.random((n, k)), rng.random((n, k))
    # the code replaced: found & acceptable, then the largest of one uniform per True entry
    meet = np.exp(exponent)
    want = _largest_true((u_meet < meet) & (kinship < limit), u_choice)
    assert np.array_equal(_chosen_mates(u_meet, meet, kinship, limit, u_choice), want)


def _predation_by_kind(rows, cols, is_cub, layers, rates):
    """The replaced hazard: zeros, plus each kind of nonzero rate's cub hazard in turn."""
    out = np.zeros(rows.size)
    for layer, rate in zip(layers, rates):
        if rate:
            out += np.where(is_cub, rate * layer[rows, cols], 0.0)
    return out


@pytest.mark.parametrize("rates", [(0.9, 0.3, 0.7), (0.0, 0.3, 0.0), (0.0, 0.0, 0.0), (1e-3, 0.0, 2.5)])
def test_predation_sums_the_kinds_in_order_as_kind_by_kind(rates):
    rng = np.random.default_rng(7)
    n = 200
    layers = [rng.random((9, 11)) * rng.choice([0.0, 1.0, 1e-7], (9, 11)) for _ in range(3)]
    rows, cols = rng.integers(0, 9, n), rng.integers(0, 11, n)
    is_cub = rng.random(n) < 0.5
    got = _predation(rows, cols, is_cub, *layers, *rates)
    assert np.array_equal(got, _predation_by_kind(rows, cols, is_cub, layers, rates))
    assert np.array_equal(np.signbit(got), np.signbit(_predation_by_kind(rows, cols, is_cub, layers, rates)))


@pytest.mark.parametrize("seed", range(6))
def test_all_living_is_the_numpy_check_of_the_parents(seed):
    rng = np.random.default_rng(seed)
    alive = rng.random(50) < 0.8
    hw = int(rng.integers(30, 50))
    slots = rng.integers(-1, 52, rng.integers(0, 6))
    want = not slots.size or bool(slots.min() >= 0 and slots.max() < hw and alive[slots].all())
    assert _all_living(slots, alive, hw) == want
    living = np.flatnonzero(alive[:hw])[:4]
    assert _all_living(living, alive, hw)


@pytest.mark.parametrize("n", [1, 2, 5])
def test_alleles_drawn_flat_are_the_alleles_drawn_by_shape(n):
    a, b = np.random.default_rng(3), np.random.default_rng(3)
    a.integers(0, 2, 3, dtype=np.int32)                  # an odd 32-bit draw leaves half a number kept
    b.integers(0, 2, 3, dtype=np.int32)
    for _ in range(3):
        assert np.array_equal(a.integers(0, 2, size=(n, 2, 57)), b.integers(0, 2, n * 2 * 57).reshape(-1, 2, 57))
        assert a.random() == b.random()
