"""Summed-area tables (sim.world.geometry): the compiled float tables give numpy's numbers to the bit."""

import numpy as np
import pytest

from sim.world.geometry import summed_area_table


def _numpy_table(layer):
    out = np.zeros(layer.shape[:-2] + (layer.shape[-2] + 1, layer.shape[-1] + 1))
    out[..., 1:, 1:] = np.cumsum(np.cumsum(layer, axis=-2), axis=-1)
    return out


@pytest.mark.parametrize("shape", [(1, 1), (7, 9), (4, 50, 50), (3, 13, 1), (2, 1, 17)])
def test_float_table_equals_numpys_cumulative_sums_to_the_bit(shape):
    rng = np.random.default_rng(sum(shape))
    layer = rng.random(shape) * 10.0 ** rng.integers(-3, 4, size=shape)
    layer[layer < 0.2] = 0.0
    assert np.array_equal(summed_area_table(layer), _numpy_table(layer))


@pytest.mark.parametrize("scale", [0.5, 1.0, 3.0])
def test_capped_table_equals_the_table_of_the_capped_layer_to_the_bit(scale):
    rng = np.random.default_rng(7)
    layer = rng.random((4, 23, 31)) * 100.0
    cap = rng.random((4, 23, 31)) * 150.0
    layer[0] = 0.0                                 # an absent species
    cap[1, :5] = 0.0                               # no capacity in part of the map
    cap[2, 3, 4] = layer[2, 3, 4] / scale          # a cell exactly at its cap
    expected = _numpy_table(np.minimum(layer, scale * cap))
    assert np.array_equal(summed_area_table(layer, cap=cap, cap_scale=scale), expected)


def test_a_cap_on_an_integer_layer_is_refused():
    with pytest.raises(ValueError, match="float layers only"):
        summed_area_table(np.ones((3, 3), dtype=np.int64), cap=np.ones((3, 3)))
