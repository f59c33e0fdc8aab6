"""The Roadmap's spatial levers and climate trends: each changes what it should, only where it
acts, and from its year (sim.config.levers, sim.management.levers, sim.config.climate)."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from sim import registry as rules
from sim.config.climate import Trend
from sim.config.errors import ScenarioError
from sim.config.levers import Corridor, FenceClosure, FenceGaps, NewFence, NewRoad, Patrol, RoadMitigation
from sim.life.mortality import Animals, human
from sim.life.movement import walk
from sim.life.ranges import road_exposure
from sim.management import levers
from sim.model.checks import check_against_landscape
from sim.model.model import ReintroductionModel
from sim.world import lines

from .helpers import flat_landscape, scenario

LAYERS = ("habitat", "human", "patrol", "protection", "road", "road_risk", "water")


def changed(a, b) -> dict[str, np.ndarray]:
    """Layers that differ between landscapes a and b, with the mask of differing cells."""
    out = {}
    for name in LAYERS:
        d = getattr(a, name) != getattr(b, name)
        if d.any():
            out[name] = d
    return out


def line(land, points):
    """The one-part line through ``points`` (sites or cells)."""
    return [lines.points_cells(land, points)]


def with_people(land, human=0.6):
    return land.replace(human=np.full(land.shape, human))


# --------------------------------------------------------------------- geometry of lines
def test_a_fence_along_a_row_closes_exactly_the_edges_across_that_line():
    land = flat_landscape(20, 30)
    # the line between the centres of rows 9 and 10 is crossed by the south edges of row 9
    f = lines.fence_along(land, line(land, [(9, 0), (9, 29)]), "f")
    # a line through the centres of row 9 has the row on it: take a line between rows instead
    land2 = land.replace(fences=(f,))
    assert int(land2.fence_regions.max()) + 1 == 2                   # the map is cut in two
    top = land2.fence_regions[0, 0]
    assert (land2.fence_regions[:9] == top).all() and (land2.fence_regions[11:] != top).all()


def test_a_fence_ends_where_its_line_ends():
    land = flat_landscape(20, 30)
    f = lines.fence_along(land, line(land, [(5, 10), (15, 10)]), "short")
    cells = np.concatenate([f.edges[:, 1:], f.edges[:, 1:] + np.where(f.edges[:, :1] == 0, [[0, 1]], [[1, 0]])])
    assert cells[:, 0].min() >= 4 and cells[:, 0].max() <= 16     # no edge beyond the line's span
    assert int(land.replace(fences=(f,)).fence_regions.max()) == 0   # a short fence splits nothing


def test_band_holds_the_cells_within_half_the_width_of_the_line():
    land = flat_landscape(20, 30)
    mask = lines.band(land, line(land, [(10, 0), (10, 29)]), width_km=5.0)     # 2.5 km either side: rows 9-11
    assert mask[9:12].all() and not mask[:9].any() and not mask[12:].any()


def test_points_may_be_site_names_and_unknown_sites_are_refused():
    land = flat_landscape(20, 20)
    assert lines.line_cells(land, line(land, ["north", "south"]))[:, 1].tolist() == [10] * 11
    with pytest.raises(KeyError, match="no site named 'nowhere'"):
        line(land, ["north", "nowhere"])


# --------------------------------------------------------------------- each lever, only where it acts
def test_corridor_changes_people_patrols_and_habitat_only_inside():
    land = with_people(flat_landscape(20, 30, habitat=0.3))
    ev = Corridor(through=[(10, 0), (10, 29)], width_km=5.0, human_reduction=0.5, patrol=0.7, habitat_floor=0.6)
    out = levers.corridor(land, ev)
    inside = lines.band(land, line(land, ev.through), ev.width_km)
    diff = changed(land, out)
    assert set(diff) == {"human", "patrol", "habitat"}
    for mask in diff.values():
        assert (mask == inside).all()
    assert np.allclose(out.human[inside], 0.3) and np.allclose(out.patrol[inside], 0.7)
    assert np.allclose(out.habitat[inside], 0.6)


def test_corridor_opens_fences_inside_and_nowhere_else():
    land = flat_landscape(20, 30, fence_row=9)
    ev = Corridor(polygon=[(5, 12), (5, 16), (14, 16), (14, 12)], human_reduction=0, patrol=0)
    out = levers.corridor(land, ev)
    opened = out.fences[0].gaps & ~land.fences[0].gaps
    assert sorted(out.fences[0].edges[opened][:, 2].tolist()) == list(range(12, 17))
    assert not changed(land, out)                                   # no layer changed (human 0 stays 0)


def test_patrol_acts_outside_protected_areas_and_only_at_its_place():
    land = with_people(flat_landscape(20, 20))
    out = levers.patrol(land, Patrol(cell=(10, 10), radius_km=5.0, strength=0.8))
    diff = changed(land, out)
    assert set(diff) == {"patrol"} and (diff["patrol"] == land.cells_within(10, 10, 5.0)).all()
    # the human hazard falls by the patrol's strength there, with no protected area anywhere
    m = ReintroductionModel(scenario(management={"enforcement": 1.0}), out, rng=np.random.default_rng(0))
    m.add_cheetahs(2, row=10, col=10)
    m.add_cheetahs(1, row=1, col=1)
    h = human(m, Animals(m))
    assert h[0] == pytest.approx(0.2 * h[2]) and h[1] == pytest.approx(h[0])


def test_patrol_lowers_prey_poaching_only_inside():
    land = flat_landscape(20, 20)
    sc = scenario(prey={"gazelle": {"poaching_per_year": 0.2}})
    plain = ReintroductionModel(sc, land, rng=np.random.default_rng(0)).prey
    patrolled = ReintroductionModel(sc, levers.patrol(land, Patrol(box=(0, 0, 4, 19), strength=1.0)),
                                    rng=np.random.default_rng(0)).prey
    g = 1   # gazelle
    keep0 = plain._poaching_survival(0.5)[0][g].reshape(patrolled.N.shape[1:])
    keep1 = patrolled._poaching_survival(0.5)[0][g].reshape(patrolled.N.shape[1:])
    # prey cells are 2 x 2 landscape cells: prey rows 0-1 wholly patrolled, row 2 half, 3- not at all
    assert (keep1[:2] > keep0[:2]).all() and (keep1[2] > keep0[2]).all() and (keep1[2] < keep1[0]).all()
    assert np.array_equal(keep1[3:], keep0[3:])


def test_new_road_adds_road_cells_and_a_fenced_line_blocks_except_at_passages():
    land = flat_landscape(20, 30)
    ev = NewRoad(name="railway", through=[(10, 0), (10, 29)], fenced=True,
                 passages=[{"cell": (10, 15), "radius_km": 2.6}])
    out = levers.new_road(land, ev)
    diff = changed(land, out)
    assert set(diff) == {"road", "road_risk"}
    assert out.road[10].all() and out.road.sum() == 30
    assert out.road_risk[10, 15] == 0.0 and out.road_risk[10, 5] == 1.0       # passage: no traffic risk
    fence = out.fence("railway")
    gap_cols = sorted(set(fence.edges[fence.gaps][:, 2].tolist()))
    assert gap_cols and all(14 <= c <= 16 for c in gap_cols)
    assert int(out.fence_regions.max()) == 1                       # the fenced line cuts the map


def test_road_mitigation_at_a_place_lowers_risk_only_on_its_road_cells():
    land = flat_landscape(20, 20, road_col=10)
    out = levers.road_mitigation_at(land, RoadMitigation(factor=0.25, at=[{"cell": (5, 10), "radius_km": 5}]))
    diff = changed(land, out)
    assert set(diff) == {"road_risk"}
    assert (diff["road_risk"] == (land.cells_within(5, 10, 5) & land.road)).all()
    assert np.allclose(out.road_risk[diff["road_risk"]], 0.25)


def test_fence_gaps_at_places_closure_and_new_fences():
    land = flat_landscape(20, 30, fence_row=9, gaps=(3,))
    opened = levers.fence_gaps(land, FenceGaps(fence="border", at=[{"box": (8, 20, 10, 22)}]))
    assert sorted(opened.fences[0].edges[opened.fences[0].gaps][:, 2].tolist()) == [3, 20, 21, 22]
    some = levers.fence_closure(opened, FenceClosure(fence="border", at=[{"box": (0, 0, 19, 5)}]))
    assert sorted(some.fences[0].edges[some.fences[0].gaps][:, 2].tolist()) == [20, 21, 22]
    shut = levers.fence_closure(opened, FenceClosure(fence="border"))
    assert not shut.fences[0].gaps.any()
    built = levers.new_fence(land, NewFence(name="east", through=[(0, 25), (19, 25)]))
    assert [f.name for f in built.fences] == ["border", "east"] and not built.fences[1].gaps.any()
    with pytest.raises(levers.LeverError, match="exists already"):
        levers.new_fence(built, NewFence(name="east", through=[(0, 20), (19, 20)]))


# --------------------------------------------------------------------- road risk in the walk and the ranges
def test_walkers_add_the_crossing_risk_of_the_road_cells_they_enter():
    land = flat_landscape(20, 20, road_col=10)
    land = land.replace(road_risk=np.where(land.road, 0.25, 0.0))
    m = ReintroductionModel(scenario(), land, rng=np.random.default_rng(3))
    east = rules.register("movement", "_test_east_risk")(lambda model, r, c, h, s, rng: np.full(len(r), 2))
    _, c1, _, crossings, _ = walk(m, np.array([10]), np.array([5]), np.array([-1]), np.array([3]), 3, east, m.rng)
    assert c1[0] == 14 and crossings[0] == pytest.approx(0.25)


def test_a_ranges_road_exposure_is_the_mean_risk_of_its_road_cells():
    land = flat_landscape(20, 20, road_col=10)
    risk = np.where(land.road, 1.0, 0.0)
    risk[:10, 10] = 0.5
    m = ReintroductionModel(scenario(), land.replace(road_risk=risk), rng=np.random.default_rng(0))
    exp = road_exposure(m, np.array([10, 10]), np.array([10, 2]), np.array([50.0, 2.0]))
    assert exp[0] == pytest.approx(risk[:, 10].mean()) and exp[1] == 0.0


# --------------------------------------------------------------------- scheduled by year
def test_a_scheduled_corridor_acts_from_january_of_its_year():
    sc = scenario(years=4, management={"corridors": [{"year": 3, "through": ["north", "south"], "width_km": 5}]})
    land = with_people(flat_landscape(20, 20))
    m = ReintroductionModel(sc, land, rng=np.random.default_rng(0))
    seen = {}
    for _ in range(4 * 12):
        when = (m.year, m.month)
        m.step()
        seen[when] = float(m.landscape.human[10, 10])
    assert seen[(2, 11)] == pytest.approx(0.6) and seen[(3, 0)] == pytest.approx(0.3)
    assert min(v for (y, _), v in seen.items() if y < 3) == pytest.approx(0.6)
    assert max(v for (y, _), v in seen.items() if y >= 3) == pytest.approx(0.3)


# --------------------------------------------------------------------- climate
def test_linear_and_stepwise_trends():
    lin = Trend(setting="prey_capacity", from_year=11, to_year=51, to=0.6)
    assert [lin.value(y, 1.0) for y in (1, 11, 31, 51, 70)] == pytest.approx([1.0, 1.0, 0.8, 0.6, 0.6])
    steps = Trend(setting="harsh_winter_prob", steps=[(10, 0.2), (30, 0.3)])
    assert [steps.value(y, 0.1) for y in (9, 10, 29, 30)] == [0.1, 0.2, 0.2, 0.3]


@pytest.mark.parametrize("bad, match", [
    ({"setting": "prey_capacity", "to": 0.5}, "both 'to' and 'to_year'"),
    ({"setting": "prey_capacity", "to": 0.5, "to_year": 10, "steps": [[5, 1]]}, "either"),
    ({"setting": "drought_prob", "steps": [[5, 1.5]]}, "probability in 0-1"),
    ({"setting": "drought_prob", "steps": [[5, 0.1], [5, 0.2]]}, "strictly increasing"),
    ({"setting": "prey_capacity", "from_year": 10, "to_year": 5, "to": 1}, "must come after"),
])
def test_bad_trends_are_refused_with_the_reason(bad, match):
    with pytest.raises(ValidationError, match=match):
        Trend(**bad)


def test_trends_set_the_years_capacity_and_catastrophes():
    sc = scenario(years=6, environment={
        "drought_capacity_factor": 0.5,
        "trends": [{"setting": "prey_capacity", "steps": [[3, 0.5]]},
                   {"setting": "harsh_winter_prob", "steps": [[4, 1.0]]},
                   {"setting": "drought_prob", "steps": [[5, 1.0]]}]})
    m = ReintroductionModel(sc, flat_landscape(20, 20), rng=np.random.default_rng(0))
    by_year = {}
    for _ in range(6 * 12):
        year, january = m.year, m.month == 0
        m.step()
        if january:
            by_year[year] = (m.capacity_multiplier, m.harsh_winter, m.drought)
    # quiet environment: no random capacity variation, so the multiplier is the trend's (x drought)
    assert by_year[2] == (1.0, False, False) and by_year[3] == (0.5, False, False)
    assert by_year[4] == (0.5, True, False) and by_year[5] == (0.25, True, True)


# --------------------------------------------------------------------- check refuses what run could not apply
def test_check_names_the_lever_key_that_cannot_be_applied(tmp_path):
    sc = scenario(years=5, management={
        "fence_gaps": [{"fence": "railway", "at": [{"cell": (10, 5)}], "year": 2}],
        "roads": [{"year": 1, "name": "railway", "through": [[10, 0], [10, 19]], "fenced": True}],
        "corridors": [{"through": ["north", "nowhere"]}],
        "patrols": [{"cell": (50, 5), "strength": 0.5}],
        "new_fences": [{"name": "railway", "through": [[0, 3], [19, 3]], "year": 3}]})
    with pytest.raises(ScenarioError) as e:
        check_against_landscape(sc, flat_landscape(20, 20), tmp_path / "s.yaml")
    text = str(e.value)
    assert "management.corridors[0]: no site named 'nowhere'" in text
    assert "management.patrols[0]: cell [50, 5] is outside the grid" in text
    assert "management.new_fences[0].name: a fence named 'railway' exists already" in text
    assert "fence_gaps" not in text            # built in year 1, opened in year 2: fine


def test_fence_gaps_take_add_or_at_not_both():
    with pytest.raises(ValidationError, match="not both"):
        FenceGaps(add=3, at=[{"cell": (1, 1)}])
    assert FenceGaps().spread == 10 and FenceGaps(at=[{"cell": (1, 1)}]).spread == 0


def test_lon_lat_points_on_the_ustyurt_map_use_its_plate_carree():
    from sim.config.levers import MapPoint
    from sim.config.schema import LandscapeSpec
    from sim.world.build import build_landscape
    from sim.world.ustyurt import lonlat_to_km

    land = build_landscape(LandscapeSpec())
    lon, lat = 55.20, 45.316                                   # Beyneu
    x, y = lonlat_to_km(lon, lat)
    uv = lines.points_cells(land, [MapPoint(lon=lon, lat=lat)])
    np.testing.assert_allclose(uv[0], [x / land.cell_km, y / land.cell_km], atol=1e-9)
    with pytest.raises(ValueError, match="need a georeferenced landscape"):
        lines.points_cells(flat_landscape(10, 10), [MapPoint(lon=lon, lat=lat)])


def test_a_map_point_is_lon_and_lat_or_x_and_y():
    from sim.config.levers import MapPoint

    for bad in ({"lon": 55}, {"lon": 55, "lat": 45, "x": 1}, {"x": 1}):
        with pytest.raises(ValidationError, match="a map point is"):
            MapPoint(**bad)
    with pytest.raises(ValidationError, match="give exactly one of 'through', 'along'"):
        NewRoad(name="r", through=[(0, 0), (1, 1)], along="x")


def test_the_report_map_of_interventions_finds_what_each_option_changes(tmp_path):
    from sim.reporting.interventions import changes, draw_interventions, landscape_after

    land = with_people(flat_landscape(20, 30, fence_row=9))
    sc = scenario(years=3, management={
        "corridors": [{"year": 2, "polygon": [(5, 12), (5, 16), (14, 16), (14, 12)]}],
        "water_points": [{"year": 1, "cells": [(2, 2)]}],
        "new_fences": [{"year": 3, "name": "east", "through": [(0, 25), (19, 25)]}]})
    after = landscape_after(sc, land)
    cells, opened, closed, what = changes(land, after)
    assert cells[2, 2] and cells[10, 14] and not cells[0, 29]
    assert {"human", "patrol", "water", "fence opened", "fence built or closed"} <= set(what)
    assert sorted(opened[:, 2].tolist()) == list(range(12, 17)) and (closed[:, 0] == 0).all()
    assert draw_interventions(land, [("opt", after)], tmp_path / "i.png").is_file()
    assert draw_interventions(land, [("same", land)], tmp_path / "none.png") is None
