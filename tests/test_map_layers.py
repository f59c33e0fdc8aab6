"""Landscape layers by kind: the seasonal saiga ranges of the stylised Ustyurt map (cut by the
border fence), the small-prey (tolai hare) capacity layer, and competitors by kind (lion, wolf,
leopard), on every path a landscape is built (presets, rasters, coarsening, hand-built)."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from sim.config.factories import uniform_reserve
from sim.config.schema import LandscapeSpec, LayerFiles
from sim.world.coarsen import coarsened
from sim.world.landscape import CAPACITY_KEYS, COMPETITOR_KINDS, Landscape
from sim.world.presets import build_preset
from sim.world.rasters import LayerError, apply_layer_files, load_layer
from sim.world.shapes import distance_km
from sim.world.ustyurt_data import HARE_PER_KM2, LEOPARD_CHINK_KM, LEOPARD_PER_KM2, SAIGA_K_TOTAL, WOLF_PER_KM2
from tests.helpers import flat_landscape


@pytest.fixture(scope="module")
def ustyurt():
    return build_preset(LandscapeSpec())


def kazakh_side(land) -> np.ndarray:
    """Cells on the Kazakh side of the border fence (its fence region holding the KZ reserve)."""
    reg = land.fence_regions
    return reg == reg[land.sites["ustyurt_reserve"]]


def plateau_mask(land) -> np.ndarray:
    (feature,) = [f for f in land.features if f.kind == "plateau"]
    mask = np.zeros(land.shape, dtype=bool)
    mask[feature.cells[:, 0], feature.cells[:, 1]] = True
    return mask


def animals(land, key: str) -> np.ndarray:
    return land.capacity[key] * land.cell_area_km2


# ------------------------------------------------------------------------- seasonal saiga ranges


def test_ustyurt_saiga_season_totals_are_kept(ustyurt):
    for season in ("saiga_summer", "saiga_winter"):
        assert animals(ustyurt, season).sum() == pytest.approx(SAIGA_K_TOTAL, rel=1e-9)


def test_ustyurt_saiga_summer_capacity_lies_mostly_on_the_kazakh_side_of_the_fence(ustyurt):
    kz = kazakh_side(ustyurt)
    summer = animals(ustyurt, "saiga_summer")
    assert summer[kz].sum() / summer.sum() >= 0.75


def test_ustyurt_saiga_winter_capacity_lies_mostly_south_and_across_the_fence(ustyurt):
    kz = kazakh_side(ustyurt)
    winter = animals(ustyurt, "saiga_winter")
    assert winter[~kz].sum() / winter.sum() >= 0.6          # a large share on the Uzbek side
    rows = ustyurt.rows
    assert winter[2 * rows // 3:].sum() > 3 * winter[: rows // 3].sum()


def test_with_the_fence_closed_the_summer_herd_reaches_under_half_its_winter_capacity(ustyurt):
    """Summer capacity on each side x the share of winter capacity on that side: the herd spread
    as in summer can reach, with every gap closed, well under half of the winter capacity."""
    kz = kazakh_side(ustyurt)
    s, w = animals(ustyurt, "saiga_summer"), animals(ustyurt, "saiga_winter")
    reach = sum(s[side].sum() / s.sum() * w[side].sum() / w.sum() for side in (kz, ~kz))
    assert reach < 0.45
    assert w[kz].sum() / w.sum() < 0.4        # the Kazakh side alone holds a minority of winter K


def test_the_seasonal_ranges_differ_by_season(ustyurt):
    s, w = ustyurt.capacity["saiga_summer"], ustyurt.capacity["saiga_winter"]
    # centres of mass [rows]: summer well north of winter (more than 100 km apart)
    rr = np.arange(ustyurt.rows)[:, None]
    gap_km = ((rr * w).sum() / w.sum() - (rr * s).sum() / s.sum()) * ustyurt.cell_km
    assert gap_km > 100


# ------------------------------------------------------------------------------- small prey (hare)


def test_every_landscape_has_every_capacity_key():
    for land in (build_preset(LandscapeSpec()), build_preset(LandscapeSpec(preset="uniform")),
                 flat_landscape(10, 10)):
        assert set(CAPACITY_KEYS) <= set(land.capacity)
        assert land.capacity["hare"].shape == land.shape


def test_ustyurt_hare_is_about_two_per_km2_on_open_plateau_and_lower_on_poor_ground(ustyurt):
    hare = ustyurt.capacity["hare"]
    plateau = plateau_mask(ustyurt)
    open_plain = plateau & ~ustyurt.escarpment & (ustyurt.human < 0.05)
    assert np.median(hare[open_plain]) == pytest.approx(HARE_PER_KM2, rel=0.1)
    salt = np.zeros(ustyurt.shape, dtype=bool)
    for f in ustyurt.features:
        if f.kind in ("salt_flat", "sand"):
            salt[f.cells[:, 0], f.cells[:, 1]] = True
    assert hare[salt & ~ustyurt.escarpment].max() < 0.5 * HARE_PER_KM2      # chinks cross some sors
    assert hare[~plateau].max() < 0.1 * HARE_PER_KM2
    np.testing.assert_allclose(hare / ustyurt.habitat, hare.flat[0] / ustyurt.habitat.flat[0])  # ∝ habitat
    total = animals(ustyurt, "hare").sum()
    assert 200_000 < total < 350_000


def test_uniform_hare_defaults_to_none_and_takes_hare_density():
    assert np.all(build_preset(LandscapeSpec(preset="uniform")).capacity["hare"] == 0)
    land = build_preset(LandscapeSpec(preset="uniform", hare_density=2.5))
    assert np.all(land.capacity["hare"] == 2.5)


def test_a_hand_built_landscape_without_hare_gets_a_zero_hare_layer():
    z = np.zeros((4, 5))
    land = Landscape(name="bare", cell_km=2.5, habitat=z + 0.5, escarpment=z > 0, water=z > 0,
                     protection=z, human=z, road=z > 0, competitors={},
                     capacity={"saiga_summer": z, "saiga_winter": z, "gazelle": z, "urial": z})
    assert np.all(land.capacity["hare"] == 0) and land.capacity["hare"].shape == (4, 5)


def test_coarsening_carries_the_hare_layer_with_its_total(ustyurt):
    for f in (2, 3):
        c = coarsened(ustyurt, f)
        assert c.capacity["hare"].shape == c.shape
        assert animals(c, "hare").sum() == pytest.approx(animals(ustyurt, "hare").sum(), rel=1e-12)


def test_a_hare_raster_goes_into_the_capacity(tmp_path):
    land = flat_landscape(6, 8)
    a = np.arange(48, dtype=float).reshape(6, 8) / 10
    np.save(tmp_path / "hare.npy", a)
    out = apply_layer_files(land, LayerFiles(hare="hare.npy"), tmp_path)
    np.testing.assert_array_equal(out.capacity["hare"], a)
    assert out.capacity["gazelle"] is land.capacity["gazelle"]


# ------------------------------------------------------------------------------ competitor kinds


def test_every_landscape_has_every_competitor_kind():
    for land in (build_preset(LandscapeSpec()), build_preset(LandscapeSpec(preset="uniform")),
                 flat_landscape(10, 10), coarsened(build_preset(LandscapeSpec()), 2)):
        assert tuple(land.competitors) == COMPETITOR_KINDS == ("lion", "wolf", "leopard")
        for kind, layer in land.competitors.items():
            assert layer.shape == land.shape and layer.dtype == np.float64, kind
            assert np.all(layer >= 0), kind


def test_ustyurt_has_wolves_everywhere_leopards_only_near_the_chinks_and_no_lions(ustyurt):
    comp = ustyurt.competitors
    assert np.all(comp["lion"] == 0)
    assert np.all(comp["wolf"] == WOLF_PER_KM2)
    d_chink = distance_km(ustyurt.escarpment, ustyurt.cell_km)
    near = d_chink <= LEOPARD_CHINK_KM
    assert np.all(comp["leopard"][near] == LEOPARD_PER_KM2)
    assert np.all(comp["leopard"][~near] == 0)
    assert comp["leopard"][ustyurt.escarpment].min() > 0


def test_uniform_competitors_default_to_none_and_take_each_kinds_density():
    land = build_preset(LandscapeSpec(preset="uniform"))
    assert all(np.all(layer == 0) for layer in land.competitors.values())
    land = build_preset(LandscapeSpec(preset="uniform", lion_density=0.15, wolf_density=0.01,
                                      leopard_density=0.002))
    assert np.all(land.competitors["lion"] == 0.15)
    assert np.all(land.competitors["wolf"] == 0.01)
    assert np.all(land.competitors["leopard"] == 0.002)


def test_uniform_reserve_puts_lions_wolves_and_leopards_into_the_landscape_section():
    sc = uniform_reserve("x", years=1, lions=0.15, wolves=0.01, leopards=0.002)
    assert (sc.landscape.lion_density, sc.landscape.wolf_density, sc.landscape.leopard_density) == (0.15, 0.01, 0.002)
    sc = uniform_reserve("x", years=1)
    assert (sc.landscape.lion_density, sc.landscape.wolf_density, sc.landscape.leopard_density) == (0, 0, 0)


def test_hand_built_landscape_fills_missing_competitor_kinds_with_zeros():
    land = flat_landscape(5, 6, wolves=0.01)
    assert np.all(land.competitors["wolf"] == 0.01)
    assert np.all(land.competitors["lion"] == 0) and np.all(land.competitors["leopard"] == 0)
    part = land.replace(competitors={"leopard": np.full(land.shape, 0.001)})
    assert set(part.competitors) == set(COMPETITOR_KINDS) and np.all(part.competitors["wolf"] == 0)


def test_competitors_as_one_array_or_of_an_unknown_kind_are_refused():
    land = flat_landscape(5, 6)
    with pytest.raises(TypeError, match="mapping of kind to layer.*lion, wolf, leopard"):
        land.replace(competitors=np.zeros(land.shape))
    with pytest.raises(ValueError, match="unknown competitor kind.*'lions'"):
        land.replace(competitors={"lions": np.zeros(land.shape)})
    with pytest.raises(ValueError, match=r"competitors\['wolf'\] has shape \(2, 2\)"):
        land.replace(competitors={"wolf": np.zeros((2, 2))})


def test_coarsening_averages_each_competitor_kind(ustyurt):
    c = coarsened(ustyurt, 2)
    assert np.all(c.competitors["wolf"] == pytest.approx(WOLF_PER_KM2))
    assert np.all(c.competitors["lion"] == 0)
    # the leopards' map total is kept where blocks are whole (the map is 218 x 196 cells)
    fine = ustyurt.competitors["leopard"].sum() * ustyurt.cell_area_km2
    assert c.competitors["leopard"].sum() * c.cell_area_km2 == pytest.approx(fine, rel=1e-12)


def test_competitor_rasters_go_in_by_kind(tmp_path):
    land = flat_landscape(6, 8)
    for name, value in (("lions", 0.1), ("wolves", 0.02), ("leopards", 0.003)):
        np.save(tmp_path / f"{name}.npy", np.full(land.shape, value))
    out = apply_layer_files(land, LayerFiles(lions="lions.npy", wolves="wolves.npy", leopards="leopards.npy"),
                            tmp_path)
    assert np.all(out.competitors["lion"] == 0.1) and np.all(out.competitors["wolf"] == 0.02)
    assert np.all(out.competitors["leopard"] == 0.003)
    only = apply_layer_files(land, LayerFiles(wolves="wolves.npy"), tmp_path)
    assert np.all(only.competitors["wolf"] == 0.02) and np.all(only.competitors["lion"] == 0)


# ------------------------------------------------------------------------------------ replaced keys


def test_competitor_density_is_refused_naming_its_replacements():
    with pytest.raises(ValidationError) as info:
        LandscapeSpec(preset="uniform", competitor_density=0.02)
    text = str(info.value)
    assert "landscape.competitor_density" in text and "no longer a key" in text
    assert "lion_density" in text and "wolf_density" in text and "leopard_density" in text


def test_competitors_layer_is_refused_naming_its_replacements(tmp_path):
    with pytest.raises(ValidationError) as info:
        LayerFiles(competitors="w.npy")
    text = str(info.value)
    assert "landscape.layers.competitors" in text and "lions" in text and "wolves" in text and "leopards" in text
    np.save(tmp_path / "w.npy", np.zeros((3, 3)))
    with pytest.raises(LayerError, match="landscape.layers.competitors.*replaced by lions, wolves and leopards"):
        load_layer(tmp_path / "w.npy", expect_shape=(3, 3), layer_name="competitors")


# ------------------------------------------------------------------------------------ layer figure


def test_layer_figure_draws_each_layer_with_animals_and_splits_totals_by_fenced_area(ustyurt, tmp_path):
    from sim.reporting.layermaps import area_totals, draw_layers, layer_panels

    names = [name for name, _ in layer_panels(ustyurt)]
    assert names == ["saiga_summer", "saiga_winter", "gazelle", "urial", "hare", "wolf", "leopard"]  # no lions
    totals = area_totals(ustyurt, ustyurt.capacity["saiga_winter"])
    assert len(totals) == 2 and sum(totals) == pytest.approx(SAIGA_K_TOTAL, rel=1e-9)
    out = draw_layers(ustyurt, tmp_path / "layers.png", panel_px=200)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
