"""Raster layer files: round trips (.npy, .asc, GeoTIFF) and the checks that refuse bad files."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from sim.world.build import build_landscape
from sim.world.presets import build_preset
from sim.world.rasters import LayerError, apply_layer_files, load_layer, write_ascii_grid
from sim.config.schema import LandscapeSpec, LayerFiles

SHAPE = (6, 8)


def uniform():
    return build_preset(LandscapeSpec(preset="uniform", width_km=16, height_km=12, cell_km=2.0))


def sample(seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(0, 1, SHAPE).round(6)


def write_tif(path, array, *, crs="EPSG:4326", bounds=(54.0, 42.0, 54.8, 42.6), nodata=None):
    rasterio = pytest.importorskip("rasterio")
    from rasterio.transform import from_bounds

    rows, cols = array.shape
    with rasterio.open(path, "w", driver="GTiff", height=rows, width=cols, count=1, dtype="float64",
                       crs=crs, transform=from_bounds(*bounds, cols, rows), nodata=nodata) as dst:
        dst.write(np.asarray(array, dtype=np.float64), 1)
    return path


# ------------------------------------------------------------------------------------ round trips


def test_npy_round_trip(tmp_path):
    a = sample()
    np.save(tmp_path / "h.npy", a)
    out = load_layer(tmp_path / "h.npy", expect_shape=SHAPE, layer_name="habitat")
    np.testing.assert_array_equal(out, a)
    assert out.dtype == np.float64


def test_ascii_grid_round_trip(tmp_path):
    a = sample(1) * 40
    write_ascii_grid(tmp_path / "g.asc", a, 2.0, xllcorner=100.0, yllcorner=50.0)
    text = (tmp_path / "g.asc").read_text().splitlines()
    assert text[0] == "ncols 8" and text[1] == "nrows 6" and text[4] == "cellsize 2"
    out = load_layer(tmp_path / "g.asc", expect_shape=SHAPE, layer_name="gazelle")
    np.testing.assert_allclose(out, a, rtol=1e-9)


def test_ascii_grid_row_zero_is_north(tmp_path):
    a = np.zeros(SHAPE)
    a[0, :] = 1.0
    (tmp_path / "n.asc").write_text("ncols 8\nnrows 6\nxllcorner 0\nyllcorner 0\ncellsize 1\n"
                                    + "\n".join(" ".join(str(int(v)) for v in row) for row in a) + "\n")
    out = load_layer(tmp_path / "n.asc", expect_shape=SHAPE, layer_name="road")
    assert out.dtype == bool and out[0].all() and not out[1:].any()


def test_geotiff_round_trip(tmp_path):
    a = sample(2)
    write_tif(tmp_path / "p.tif", a)
    out = load_layer(tmp_path / "p.tif", expect_shape=SHAPE, layer_name="protection",
                     crs="EPSG:4326", bounds=(54.0, 42.0, 54.8, 42.6))
    np.testing.assert_array_equal(out, a)


def test_apply_layer_files_replaces_layers_and_capacity(tmp_path):
    land = uniform()
    h, g = sample(3), sample(4) * 5
    np.save(tmp_path / "h.npy", h)
    write_ascii_grid(tmp_path / "g.asc", g, land.cell_km)
    np.save(tmp_path / "w.npy", np.eye(*SHAPE))
    out = apply_layer_files(land, LayerFiles(habitat="h.npy", gazelle="g.asc", water="w.npy"), tmp_path)
    np.testing.assert_array_equal(out.habitat, h)
    np.testing.assert_allclose(out.capacity["gazelle"], g, rtol=1e-9)
    assert out.water.dtype == bool and out.water.sum() == min(SHAPE)
    assert out.capacity["saiga_summer"] is land.capacity["saiga_summer"]   # untouched layers shared
    assert np.all(land.habitat == 0.8) and np.all(land.capacity["gazelle"] == 1.0)  # input unchanged


def test_apply_layer_files_without_files_returns_the_landscape():
    land = uniform()
    assert apply_layer_files(land, LayerFiles(), ".") is land


def test_build_landscape_resolves_paths_against_base_dir(tmp_path):
    (tmp_path / "layers").mkdir()
    h = sample(5)
    np.save(tmp_path / "layers" / "h.npy", h)
    spec = LandscapeSpec(preset="uniform", width_km=16, height_km=12, cell_km=2.0,
                         layers=LayerFiles(habitat="layers/h.npy"))
    land = build_landscape(spec, base_dir=tmp_path)
    np.testing.assert_array_equal(land.habitat, h)


# ---------------------------------------------------------------------------------------- errors


def check_error(excinfo, path, key):
    text = str(excinfo.value)
    assert str(path) in text and f"landscape.layers.{key}" in text and "allowed" in text
    return text


def test_wrong_shape_is_refused(tmp_path):
    np.save(tmp_path / "h.npy", np.zeros((5, 8)))
    with pytest.raises(LayerError) as e:
        load_layer(tmp_path / "h.npy", expect_shape=SHAPE, layer_name="habitat")
    text = check_error(e, tmp_path / "h.npy", "habitat")
    assert "5 x 8" in text and "6 x 8" in text


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(LayerError) as e:
        apply_layer_files(uniform(), LayerFiles(human="nope.npy"), tmp_path)
    assert "does not exist" in check_error(e, tmp_path / "nope.npy", "human")


def test_nan_cells_are_reported_with_count_and_place(tmp_path):
    a = sample()
    a[2, 3] = a[4, 0] = np.nan
    np.save(tmp_path / "h.npy", a)
    with pytest.raises(LayerError) as e:
        load_layer(tmp_path / "h.npy", expect_shape=SHAPE, layer_name="habitat")
    text = check_error(e, tmp_path / "h.npy", "habitat")
    assert "2 cells" in text and "[2, 3]" in text and "[4, 0]" in text


def test_ascii_nodata_cells_are_reported(tmp_path):
    a = sample()
    a[1, 1] = np.nan
    write_ascii_grid(tmp_path / "h.asc", a, 2.0, nodata=-9999)
    with pytest.raises(LayerError) as e:
        load_layer(tmp_path / "h.asc", expect_shape=SHAPE, layer_name="habitat")
    text = check_error(e, tmp_path / "h.asc", "habitat")
    assert "no-data" in text and "[1, 1]" in text


def test_geotiff_nodata_cells_are_reported(tmp_path):
    a = sample()
    a[0, 7] = -1.0
    write_tif(tmp_path / "h.tif", a, nodata=-1.0)
    with pytest.raises(LayerError) as e:
        load_layer(tmp_path / "h.tif", expect_shape=SHAPE, layer_name="habitat")
    assert "[0, 7]" in check_error(e, tmp_path / "h.tif", "habitat")


def test_habitat_above_one_is_refused(tmp_path):
    a = sample()
    a[3, 3] = 1.3
    np.save(tmp_path / "h.npy", a)
    with pytest.raises(LayerError) as e:
        load_layer(tmp_path / "h.npy", expect_shape=SHAPE, layer_name="habitat")
    text = check_error(e, tmp_path / "h.npy", "habitat")
    assert "1.3" in text and "0 to 1" in text and "[3, 3]" in text


def test_negative_capacity_and_non_boolean_road_are_refused(tmp_path):
    np.save(tmp_path / "s.npy", -sample())
    with pytest.raises(LayerError) as e:
        load_layer(tmp_path / "s.npy", expect_shape=SHAPE, layer_name="saiga_winter")
    assert ">= 0" in check_error(e, tmp_path / "s.npy", "saiga_winter")
    np.save(tmp_path / "r.npy", np.full(SHAPE, 2))
    with pytest.raises(LayerError) as e:
        load_layer(tmp_path / "r.npy", expect_shape=SHAPE, layer_name="road")
    assert "0 and 1" in check_error(e, tmp_path / "r.npy", "road")


def test_wrong_crs_is_refused(tmp_path):
    write_tif(tmp_path / "h.tif", sample(), crs="EPSG:32640", bounds=(500000, 4600000, 516000, 4612000))
    with pytest.raises(LayerError) as e:
        load_layer(tmp_path / "h.tif", expect_shape=SHAPE, layer_name="habitat", crs="EPSG:4326")
    text = check_error(e, tmp_path / "h.tif", "habitat")
    assert "32640" in text and "EPSG:4326" in text


def test_geotiff_bounds_far_from_the_landscape_are_refused(tmp_path):
    write_tif(tmp_path / "h.tif", sample(), bounds=(60.0, 42.0, 60.8, 42.6))
    with pytest.raises(LayerError) as e:
        load_layer(tmp_path / "h.tif", expect_shape=SHAPE, layer_name="habitat", crs="EPSG:4326",
                   bounds=(54.0, 42.0, 54.8, 42.6))
    assert "bounds" in check_error(e, tmp_path / "h.tif", "habitat")


def test_unknown_suffix_and_garbled_ascii_are_refused(tmp_path):
    (tmp_path / "h.csv").write_text("1,2\n")
    with pytest.raises(LayerError) as e:
        load_layer(tmp_path / "h.csv", expect_shape=SHAPE, layer_name="habitat")
    assert ".tif" in check_error(e, tmp_path / "h.csv", "habitat")
    (tmp_path / "h.asc").write_text("ncols 8\nnrows 6\ncellsize 1\n1 2 3\n")
    with pytest.raises(LayerError) as e:
        load_layer(tmp_path / "h.asc", expect_shape=SHAPE, layer_name="habitat")
    assert "3 values" in check_error(e, tmp_path / "h.asc", "habitat")


def test_geotiff_without_rasterio_says_how_to_install(tmp_path, monkeypatch):
    write_tif(tmp_path / "h.tif", sample())
    monkeypatch.setitem(sys.modules, "rasterio", None)      # import rasterio -> ImportError
    with pytest.raises(LayerError) as e:
        load_layer(tmp_path / "h.tif", expect_shape=SHAPE, layer_name="habitat")
    assert "pip install .[gis]" in check_error(e, tmp_path / "h.tif", "habitat")


def test_layer_error_is_a_value_error():
    assert issubclass(LayerError, ValueError)


@pytest.mark.parametrize("header, fragment", [
    ("ncols 8.7\nnrows 6\ncellsize 1\n", "header ncols is 8.7"),
    ("ncols 8\nnrows -6\ncellsize 1\n", "header nrows is -6"),
    ("ncols 8\nnrows 6\ncellsize nan\n", "header cellsize is nan"),
    ("ncols inf\nnrows 6\ncellsize 1\n", "header ncols is inf"),
    ("ncols 8\nnrows 6\ncellsize 0\n", "header cellsize is 0"),
])
def test_ascii_header_sizes_must_be_finite_whole_and_positive(tmp_path, header, fragment):
    f = tmp_path / "h.asc"
    f.write_text(header + "\n".join(" ".join("1" for _ in range(8)) for _ in range(6)) + "\n")
    with pytest.raises(LayerError) as e:
        load_layer(f, expect_shape=SHAPE, layer_name="habitat")
    assert fragment in check_error(e, f, "habitat")


def test_empty_npy_and_npz_named_npy_are_refused(tmp_path):
    (tmp_path / "empty.npy").write_bytes(b"")
    with pytest.raises(LayerError) as e:
        load_layer(tmp_path / "empty.npy", expect_shape=SHAPE, layer_name="habitat")
    assert "not a readable .npy array" in check_error(e, tmp_path / "empty.npy", "habitat")
    with open(tmp_path / "z.npy", "wb") as fh:
        np.savez(fh, habitat=np.zeros(SHAPE))
    with pytest.raises(LayerError) as e:
        load_layer(tmp_path / "z.npy", expect_shape=SHAPE, layer_name="habitat")
    assert ".npz archive" in check_error(e, tmp_path / "z.npy", "habitat")


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="no named pipes on this system")
def test_a_named_pipe_is_refused_without_reading_it(tmp_path):
    import os
    fifo = tmp_path / "h.npy"
    os.mkfifo(fifo)          # reading it would block forever: the check must not open it
    with pytest.raises(LayerError) as e:
        load_layer(fifo, expect_shape=SHAPE, layer_name="habitat")
    assert "not a regular file" in check_error(e, fifo, "habitat")
