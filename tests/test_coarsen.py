"""The prey grid: the landscape coarsened by a whole factor (sim.world.coarsen)."""

import numpy as np
import pytest

from tests.helpers import flat_landscape
from sim.world.coarsen import coarsened, prey_factor
from sim.world.landscape import SOUTH, Fence


@pytest.mark.parametrize("cell_km, prey_cell_km, f", [(2.5, 5.0, 2), (1.25, 5.0, 4), (5.0, 5.0, 1), (10.0, 5.0, 1),
                                                      (2.0, 5.0, 3), (3.0, 5.0, 2), (2.5, None, 1)])
def test_prey_factor_is_the_nearest_whole_multiple_of_the_cell_at_least_one(cell_km, prey_cell_km, f):
    assert prey_factor(cell_km, prey_cell_km) == f


def test_factor_one_is_the_landscape_itself():
    land = flat_landscape(10, 10)
    assert coarsened(land, 1) is land


def test_coarse_capacity_keeps_the_map_totals_and_layers_average_over_the_block():
    land = flat_landscape(21, 16, cell_km=2.5, saiga=2.0, gazelle=0.5)     # 21 rows: a partial last row
    rng = np.random.default_rng(0)
    cap = {k: v * rng.random(land.shape) for k, v in land.capacity.items()}
    prot = rng.random(land.shape)
    water = np.zeros(land.shape, bool)
    water[20, 3] = True
    land = land.replace(capacity=cap, protection=prot, water=water)
    c = coarsened(land, 2)
    assert c.shape == (11, 8) and c.cell_km == 5.0
    for k in cap:
        assert c.capacity[k].sum() * c.cell_area_km2 == pytest.approx(cap[k].sum() * land.cell_area_km2, rel=1e-12)
    assert c.protection[3, 2] == pytest.approx(prot[6:8, 4:6].mean())
    assert c.protection[10, 0] == pytest.approx(prot[20, 0:2].mean())          # partial row: its 2 cells
    assert c.water[10, 1] and c.water.sum() == 1
    assert coarsened(land, 2) is c                                            # cached per landscape


def test_a_fence_keeps_its_regions_gaps_and_removal_on_the_prey_grid():
    land = flat_landscape(20, 20, fence_row=9, gaps=(3, 4, 15))   # fence south of row 9: a block boundary at f = 2
    c = coarsened(land, 2)
    assert int(c.fence_regions.max()) + 1 == 2
    assert (c.fence_regions[:5] == c.fence_regions[0, 0]).all() and (c.fence_regions[5:] != c.fence_regions[0, 0]).all()
    (fence,) = c.fences
    assert len(fence.edges) == 10 and fence.n_gaps == 3                      # 3 fine gaps: 3 coarse gaps
    assert c.gap_counts()[0, 1] == land.gap_counts()[0, 1] == 3
    removed = land.replace(fences=(land.fences[0].removed(),))
    assert coarsened(removed, 2).fences[0].gaps.all()


def test_a_fence_inside_prey_cells_moves_to_the_nearest_block_boundary():
    land = flat_landscape(20, 20, fence_row=10)                   # south of row 10: inside blocks at f = 2
    c = coarsened(land, 2)
    assert int(c.fence_regions.max()) + 1 == 2
    e = c.fences[0].edges
    assert set(e[:, 0]) == {SOUTH} and len(e) == 10 and len(set(e[:, 1])) == 1


def test_a_region_narrower_than_a_prey_cell_is_refused_with_a_clear_error():
    land = flat_landscape(20, 20)
    edges = np.array([(SOUTH, r, c) for r in (9, 10) for c in range(20)], dtype=np.int64)   # a 1-row strip
    land = land.replace(fences=(Fence("strip", edges, np.zeros(len(edges), bool)),))
    with pytest.raises(ValueError, match="prey_cell_km"):
        coarsened(land, 4)
