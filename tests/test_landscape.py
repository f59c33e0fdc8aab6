"""Landscape presets (uniform, stylised Ustyurt), fence behaviour and the landscape map."""

from __future__ import annotations

import struct
import time

import numpy as np
import pytest

from sim.world.build import build_landscape
from sim.world.landscape import EAST, SOUTH, Fence
from sim.reporting.maps import draw_landscape, main as maps_main
from sim.world.presets import build_preset
from sim.config.schema import LandscapeSpec
from tests.helpers import flat_landscape


@pytest.fixture(scope="module")
def ustyurt():
    return build_preset(LandscapeSpec())


def plateau_mask(land) -> np.ndarray:
    (feature,) = [f for f in land.features if f.kind == "plateau"]
    mask = np.zeros(land.shape, dtype=bool)
    mask[feature.cells[:, 0], feature.cells[:, 1]] = True
    return mask


def png_size(path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


# --------------------------------------------------------------------------------------- uniform


def test_uniform_shape_follows_extent_and_cell_size():
    land = build_preset(LandscapeSpec(preset="uniform", width_km=60, height_km=40, cell_km=2.0))
    assert land.shape == (20, 30)
    assert land.area_km2 == pytest.approx(60 * 40)
    assert land.bounds is None and land.fences == ()


def test_uniform_layers_take_the_spec_values():
    spec = LandscapeSpec(preset="uniform", width_km=20, height_km=20, cell_km=2.0, habitat_value=0.6,
                         saiga_density=3.0, gazelle_density=1.5, urial_density=0.2, human_value=0.1,
                         lion_density=0.02, wolf_density=0.01, leopard_density=0.003, hare_density=1.2,
                         protection_value=0.5)
    land = build_preset(spec)
    assert np.all(land.habitat == 0.6) and np.all(land.human == 0.1)
    assert np.all(land.protection == 0.5) and np.all(land.competitors["lion"] == 0.02)
    assert np.all(land.competitors["wolf"] == 0.01) and np.all(land.competitors["leopard"] == 0.003)
    assert np.all(land.capacity["hare"] == 1.2)
    assert np.all(land.capacity["saiga_summer"] == 3.0) and np.all(land.capacity["saiga_winter"] == 3.0)
    assert np.all(land.capacity["gazelle"] == 1.5) and np.all(land.capacity["urial"] == 0.2)
    assert all(a.dtype == np.float64 for a in land.capacity.values())
    assert not land.escarpment.any() and not land.water.any() and not land.road.any()


def test_uniform_fenced_flag_closes_the_map_edge():
    assert build_preset(LandscapeSpec(preset="uniform")).open_boundary is True
    assert build_preset(LandscapeSpec(preset="uniform", fenced=True)).open_boundary is False


def test_uniform_sites_are_centre_and_quarter_way_in():
    land = build_preset(LandscapeSpec(preset="uniform", width_km=100, height_km=80, cell_km=2.0))
    rows, cols = land.shape
    s = land.sites
    assert s["centre"] == (rows // 2, cols // 2)
    assert s["north"][0] < s["centre"][0] < s["south"][0]
    assert s["west"][1] < s["centre"][1] < s["east"][1]
    assert s["north"][0] == pytest.approx(rows / 4, abs=1) and s["east"][1] == pytest.approx(3 * cols / 4, abs=1)


# --------------------------------------------------------------------------------------- ustyurt


def test_ustyurt_is_deterministic_for_a_seed():
    a, b = build_preset(LandscapeSpec(seed=7)), build_preset(LandscapeSpec(seed=7))
    assert a is not b
    for name in ("habitat", "escarpment", "water", "protection", "human", "road"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    for k in a.competitors:
        np.testing.assert_array_equal(a.competitors[k], b.competitors[k])
    for k in a.capacity:
        np.testing.assert_array_equal(a.capacity[k], b.capacity[k])
    np.testing.assert_array_equal(a.fences[0].edges, b.fences[0].edges)
    np.testing.assert_array_equal(a.fences[0].gaps, b.fences[0].gaps)
    assert a.sites == b.sites


def test_ustyurt_texture_changes_with_the_seed_but_places_do_not():
    a, b = build_preset(LandscapeSpec(seed=1)), build_preset(LandscapeSpec(seed=2))
    assert np.mean(a.habitat != b.habitat) > 0.5
    np.testing.assert_array_equal(a.water, b.water)
    np.testing.assert_array_equal(a.road, b.road)
    np.testing.assert_array_equal(a.fences[0].edges, b.fences[0].edges)


def test_ustyurt_is_georeferenced_and_labelled_approximate(ustyurt):
    w, s, e, n = ustyurt.bounds
    assert 53.0 <= w <= 53.6 and 59.0 <= e <= 59.7 and 41.0 <= s <= 41.6 and 45.9 <= n <= 46.4
    assert ustyurt.crs == "EPSG:4326"
    assert "stylised" in ustyurt.notes.lower() and "approximate" in ustyurt.notes.lower()
    assert all(f.approximate for f in ustyurt.features)
    assert ustyurt.open_boundary is False


def test_ustyurt_prey_capacity_totals(ustyurt):
    area = ustyurt.cell_area_km2
    for season in ("saiga_summer", "saiga_winter"):
        assert ustyurt.capacity[season].sum() * area == pytest.approx(250_000, rel=0.10)
    assert ustyurt.capacity["gazelle"].sum() * area == pytest.approx(15_000, rel=0.10)
    assert ustyurt.capacity["urial"].sum() * area == pytest.approx(4_000, rel=0.10)
    assert all(np.all(c >= 0) and np.all(np.isfinite(c)) for c in ustyurt.capacity.values())


def test_ustyurt_saiga_summer_north_winter_south(ustyurt):
    rows = ustyurt.rows
    north, south = slice(0, rows // 3), slice(2 * rows // 3, rows)
    summer, winter = ustyurt.capacity["saiga_summer"], ustyurt.capacity["saiga_winter"]
    assert summer[north].sum() > 3 * summer[south].sum()
    assert winter[south].sum() > 3 * winter[north].sum()


def test_ustyurt_urial_only_near_escarpments(ustyurt):
    from scipy.ndimage import distance_transform_edt

    d_km = distance_transform_edt(~ustyurt.escarpment, sampling=ustyurt.cell_km)
    urial = ustyurt.capacity["urial"]
    assert np.all(urial[d_km > 5.01] == 0)
    assert urial[ustyurt.escarpment].min() > 0


def test_ustyurt_layers_in_range_and_off_plateau_is_poor(ustyurt):
    plateau = plateau_mask(ustyurt)
    for name in ("habitat", "protection", "human"):
        v = getattr(ustyurt, name)
        assert v.min() >= 0 and v.max() <= 1, name
    assert np.all(ustyurt.habitat[~plateau] < 0.05)
    open_plain = plateau & ~ustyurt.escarpment & (ustyurt.human < 0.05)
    assert np.median(ustyurt.habitat[open_plain]) >= 0.7
    assert np.all(ustyurt.habitat[ustyurt.escarpment] <= 0.5 + 1e-9)
    salt = [f for f in ustyurt.features if f.kind == "salt_flat"]
    assert {f.name for f in salt} >= {"Barsakelmes", "Asmantai-Matai sor", "Karynzharyk"}
    for f in salt:
        assert np.all(ustyurt.habitat[f.cells[:, 0], f.cells[:, 1]] <= 0.1 + 1e-9), f.name
    assert 120_000 < plateau.sum() * ustyurt.cell_area_km2 < 220_000
    assert np.all(ustyurt.competitors["wolf"][plateau] >= 0.005)


def test_ustyurt_border_fence_splits_map_in_two_with_five_gaps(ustyurt):
    border = ustyurt.fence("border")
    assert border.n_gaps == 5
    regions = ustyurt.fence_regions
    assert np.unique(regions).size == 2
    gaps = ustyurt.gap_counts()
    assert gaps.shape == (2, 2) and gaps[0, 1] == gaps[1, 0] == 5
    s = ustyurt.sites
    kz = {regions[s["ustyurt_reserve"]], regions[s["western_chink"]]}
    uz = {regions[s["saigachy"]], regions[s["southern_cluster"]]}
    assert len(kz) == 1 and len(uz) == 1 and kz != uz


def test_ustyurt_border_fence_refuses_steps_except_at_gaps(ustyurt):
    border = ustyurt.fence("border")
    closed = border.edges[~border.gaps]
    for axis, r, c in closed[:: 7]:
        step = (0, 1) if axis == EAST else (1, 0)
        assert ustyurt.step_blocked(r, c, *step) is True
    for axis, r, c in border.edges[border.gaps]:
        step = (0, 1) if axis == EAST else (1, 0)
        assert ustyurt.step_blocked(r, c, *step) is False
        assert ustyurt.step_blocked(r + step[0], c + step[1], -step[0], -step[1]) is False


def test_ustyurt_release_sites_on_good_plateau_habitat(ustyurt):
    plateau = plateau_mask(ustyurt)
    assert set(ustyurt.sites) == {"ustyurt_reserve", "saigachy", "southern_cluster", "western_chink"}
    for name, (r, c) in ustyurt.sites.items():
        assert plateau[r, c], name
        assert ustyurt.habitat[r, c] >= 0.5, name
    pa = ustyurt.protected_areas
    assert pa["Ustyurt State Nature Reserve"][ustyurt.sites["ustyurt_reserve"]]
    assert pa["Saigachy reserve"][ustyurt.sites["saigachy"]]
    assert pa["Southern Ustyurt NP"][ustyurt.sites["southern_cluster"]]


def test_ustyurt_protected_areas_and_protection_layer(ustyurt):
    pa = ustyurt.protected_areas
    area = ustyurt.cell_area_km2
    assert pa["Ustyurt State Nature Reserve"].sum() * area == pytest.approx(2_233, rel=0.15)
    assert pa["Saigachy reserve"].sum() * area == pytest.approx(7_000, rel=0.15)
    assert np.all(ustyurt.protection[pa["Ustyurt State Nature Reserve"]] == 1.0)
    assert np.all(ustyurt.protection[pa["Saigachy reserve"]] == 0.8)
    outside = ~np.logical_or.reduce(list(pa.values()))
    assert np.all(ustyurt.protection[outside] == 0)


def test_ustyurt_people_roads_and_wells(ustyurt):
    assert 25 <= ustyurt.water.sum() <= 35
    wells = np.argwhere(ustyurt.water)
    plateau = plateau_mask(ustyurt)
    assert np.median(ustyurt.human[wells[:, 0], wells[:, 1]]) > 2 * np.median(ustyurt.human[plateau])
    towns = {f.name: tuple(f.cells[0]) for f in ustyurt.features if f.kind == "settlement"}
    assert {"Sai-Utes", "Karakalpakia", "Jaslyk", "Beyneu", "Kungrad"} <= set(towns)
    assert ustyurt.human[towns["Jaslyk"]] > ustyurt.human[wells[0, 0], wells[0, 1]]
    (rail,) = [f for f in ustyurt.features if f.name.startswith("Beyneu–Kungrad")]
    assert tuple(rail.cells[0]) == towns["Beyneu"] and tuple(rail.cells[-1]) == towns["Kungrad"]
    steps = np.abs(np.diff(rail.cells, axis=0)).max(axis=1)
    assert steps.max() == 1                                   # an unbroken chain of cells
    assert np.all(ustyurt.road[rail.cells[:, 0], rail.cells[:, 1]])


def test_ustyurt_every_chink_named_and_present(ustyurt):
    chinks = {f.name: f for f in ustyurt.features if f.kind == "escarpment"}
    assert set(chinks) == {"North chink", "Eastern (Aral) chink", "Kaplankyr chink", "Western chink"}
    assert all(len(f.cells) > 10 for f in chinks.values())
    # the western chink lies in the west half, the eastern chink in the east half
    assert np.median(chinks["Western chink"].cells[:, 1]) < ustyurt.cols / 3
    assert np.median(chinks["Eastern (Aral) chink"].cells[:, 1]) > 2 * ustyurt.cols / 3


def test_ustyurt_halving_cell_size_quadruples_cells():
    coarse = build_preset(LandscapeSpec(cell_km=5.0))
    fine = build_preset(LandscapeSpec(cell_km=2.5))
    assert fine.rows == 2 * coarse.rows and fine.cols == 2 * coarse.cols
    assert fine.area_km2 == pytest.approx(coarse.area_km2)
    assert coarse.capacity["saiga_summer"].sum() * coarse.cell_area_km2 == pytest.approx(250_000, rel=0.1)
    assert coarse.fence("border").n_gaps == 5 and np.unique(coarse.fence_regions).size == 2


def test_ustyurt_builds_quickly():
    build_preset(LandscapeSpec(seed=3))                       # warm imports
    t0 = time.perf_counter()
    build_preset(LandscapeSpec(seed=4))
    assert time.perf_counter() - t0 < 1.0                     # target 0.3 s; slack for busy machines


def test_build_landscape_caches_per_spec():
    spec = LandscapeSpec(preset="uniform", width_km=10, height_km=10)
    assert build_landscape(spec) is build_landscape(spec)
    assert build_landscape(spec) is not build_landscape(LandscapeSpec(preset="uniform", width_km=12, height_km=10))


# ---------------------------------------------------------------------- fences on small landscapes


def test_step_across_closed_fence_refused_and_at_gap_allowed():
    land = flat_landscape(12, 20, fence_row=5, gaps=(10,))
    assert land.step_blocked(5, 3, 1, 0) and land.step_blocked(6, 3, -1, 0)
    assert not land.step_blocked(5, 10, 1, 0) and not land.step_blocked(6, 10, -1, 0)
    assert not land.step_blocked(5, 3, 0, 1) and not land.step_blocked(4, 3, 1, 0)


def test_diagonal_step_needs_one_free_l_path():
    land = flat_landscape(12, 20, fence_row=5, gaps=(10,))
    assert land.step_blocked(5, 3, 1, 1) and land.step_blocked(6, 4, -1, -1)
    assert not land.step_blocked(5, 10, 1, 1)      # down through the gap, then east
    assert not land.step_blocked(5, 9, 1, 1)       # east onto the gap column, then down through it
    assert land.step_blocked(5, 11, 1, 1)          # both L paths cross closed edges


def test_diagonal_step_refused_at_a_staircase_fence_corner():
    edges = np.array([(EAST, 0, 2), (SOUTH, 0, 3), (EAST, 1, 3), (SOUTH, 1, 4)], dtype=np.int64)
    fence = Fence("stairs", edges, np.zeros(len(edges), dtype=bool))
    land = flat_landscape(6, 8).replace(fences=(fence,))
    # (0,4) and (1,3) touch at a corner of the staircase; both L paths cross a closed edge
    assert land.step_blocked(0, 4, 1, -1) and land.step_blocked(1, 3, -1, 1)
    assert land.step_blocked(0, 3, 1, -1)           # straight across the corner
    assert not land.step_blocked(0, 3, 1, 1)        # (0,3) -> (1,4): same side of the fence


def test_walk_line_stops_before_fence_and_passes_gap():
    land = flat_landscape(12, 20, fence_row=5, gaps=(10,))
    r, c, visited = land.walk_line(2, 3, 9, 3)
    assert (r, c) == (5, 3) and visited == [(3, 3), (4, 3), (5, 3)]
    r, c, visited = land.walk_line(2, 10, 9, 10)
    assert (r, c) == (9, 10) and len(visited) == 7
    r, c, _ = land.walk_line(2, 2, 2, 40)             # runs into the map edge
    assert (r, c) == (2, 19)


def test_replacing_fences_resets_barriers():
    land = flat_landscape(12, 20, fence_row=5, gaps=(10,))
    assert land.step_blocked(5, 3, 1, 0)
    opened = land.replace(fences=(land.fence("border").removed(),))
    assert not opened.step_blocked(5, 3, 1, 0)
    assert land.step_blocked(5, 3, 1, 0)


# ---------------------------------------------------------------------------------------- the map


def test_draw_landscape_writes_png_of_requested_size(tmp_path):
    land = build_preset(LandscapeSpec(preset="uniform", width_km=40, height_km=30, cell_km=2.0))
    out = draw_landscape(land, tmp_path / "u.png", size_px=(600, 450), dpi=100)
    assert out.stat().st_size > 5_000
    assert png_size(out) == (600, 450)


def test_draw_ustyurt_with_occupancy_overlay(tmp_path):
    land = build_preset(LandscapeSpec(cell_km=5.0))
    occ = np.zeros(land.shape)
    r, c = land.sites["saigachy"]
    occ[r - 3:r + 4, c - 3:c + 4] = 5.0
    out = draw_landscape(land, tmp_path / "m.png", title="test map", occupancy=occ, size_px=(900, 750))
    assert png_size(out) == (900, 750) and out.stat().st_size > 20_000
    with pytest.raises(ValueError, match="occupancy has shape"):
        draw_landscape(land, tmp_path / "bad.png", occupancy=np.zeros((3, 3)))


def test_maps_main_draws_a_preset(tmp_path, capsys):
    out = tmp_path / "cli.png"
    assert maps_main([str(out), "--preset", "uniform"]) == 0
    assert out.exists() and png_size(out) == (1500, 1250)
    assert "map:" in capsys.readouterr().out
