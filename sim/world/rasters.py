"""Raster files that replace preset layers: .npy, ESRI ASCII grid (.asc) and GeoTIFF (.tif).

:func:`load_layer` reads one file and checks it before the model sees it: the file exists, its
shape equals the landscape's, its CRS agrees with the landscape's (when both are known), it has
no no-data cells, and its values lie in the layer's allowed range. Every problem raises
:class:`LayerError` with the file, the scenario key (``landscape.layers.<layer>``), what was
found and what is allowed, so the command line can print it without a traceback.

GeoTIFF needs rasterio (``pip install .[gis]``); it is imported only when a .tif is read.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from .geometry import max_cells

# allowed values per layer: ("fraction", 0-1), ("nonneg", >= 0), ("bool", 0/1)
LAYER_KINDS = {
    "habitat": "fraction", "protection": "fraction", "human": "fraction",
    "lions": "nonneg", "wolves": "nonneg", "leopards": "nonneg",
    "saiga_summer": "nonneg", "saiga_winter": "nonneg", "gazelle": "nonneg", "urial": "nonneg",
    "hare": "nonneg",
    "escarpment": "bool", "water": "bool", "road": "bool",
}
ALLOWED_TEXT = {"fraction": "values from 0 to 1", "nonneg": "values >= 0 (animals/km²)",
                "bool": "only 0 and 1 (false/true)"}
#: Layer files that go into ``Landscape.capacity`` [animals/km² at K], under the same key.
CAPACITY_LAYERS = ("saiga_summer", "saiga_winter", "gazelle", "urial", "hare")
#: Layer files that go into ``Landscape.competitors`` [animals/km²]: file layer -> competitor kind.
COMPETITOR_LAYERS = {"lions": "lion", "wolves": "wolf", "leopards": "leopard"}
#: Layer names that were replaced: old name -> its replacement (refused with that text).
REPLACED_LAYERS = {"competitors": "lions, wolves and leopards (one file per competitor kind)"}
SUFFIXES = (".npy", ".asc", ".tif", ".tiff")


class LayerError(ValueError):
    """A raster layer file that cannot be used (message names the file and the scenario key)."""


def _fail(path: Path, layer: str, found: str, allowed: str) -> LayerError:
    return LayerError(f"{path}: landscape.layers.{layer}: {found}; allowed: {allowed}")


def _where(mask: np.ndarray, limit: int = 5) -> str:
    """'N cells, first at [r, c], [r, c] ...' for the True cells of mask."""
    rc = np.argwhere(mask)
    first = ", ".join(f"[{r}, {c}]" for r, c in rc[:limit])
    more = " ..." if len(rc) > limit else ""
    return f"{len(rc)} cell{'s' if len(rc) != 1 else ''} ([row, col], row 0 north): {first}{more}"


# ---------------------------------------------------------------------------------------------
# readers: each returns (values as float64, no-data mask, crs or None, bounds or None)
# ---------------------------------------------------------------------------------------------


def _npy_header_problem(path: Path) -> str | None:
    """Why a .npy file's header cannot be right, read before the data: it promises more values than
    any landscape grid has (sim.limits ``cells``), or more bytes than the file
    holds (truncated), or it cannot be parsed. np.load allocates what the header says first, so a
    header claiming 10^12 values raised MemoryError, and a garbled header tokenize.TokenError,
    instead of a message. None if the header is plausible or is not a .npy header at all (np.load
    then says what the file is)."""
    fmt = np.lib.format
    with open(path, "rb") as fh:
        if fh.read(len(fmt.MAGIC_PREFIX)) != fmt.MAGIC_PREFIX:
            return None
        fh.seek(0)
        try:
            version = fmt.read_magic(fh)
            read_header = fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0
            shape, _, dtype = read_header(fh)
        except Exception as e:                  # noqa: BLE001 - numpy raises ValueError, SyntaxError,
            return f"its header cannot be read ({type(e).__name__}: {e})"    # tokenize.TokenError ...
        if dtype.hasobject:                     # pickled objects: np.load refuses them
            return None
        values = math.prod(shape)
        if values > max_cells():
            return (f"its header gives shape {tuple(shape)} ({values:,} values), more than the largest "
                    f"landscape grid ({max_cells():,} cells; --limit cells=N raises it)")
        have = path.stat().st_size - fh.tell()
        need = values * dtype.itemsize
        if need > have:
            return (f"truncated: its header gives shape {tuple(shape)} of {dtype} ({need:,} bytes) but "
                    f"{have:,} bytes follow")
    return None


def _read_npy(path: Path, layer: str):
    problem = _npy_header_problem(path)
    if problem:
        raise _fail(path, layer, f"not a usable .npy array ({problem})", "a numeric .npy array of the landscape's shape")
    try:
        a = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as e:
        raise _fail(path, layer, f"not a readable .npy array ({e or 'empty file'})", "a numeric .npy array") from None
    if not isinstance(a, np.ndarray):           # np.load opens a .npz archive whatever the suffix
        a.close()
        raise _fail(path, layer, "a .npz archive, not a .npy array", "one numeric array saved with numpy.save")
    if a.dtype.kind not in "biuf":
        raise _fail(path, layer, f"array of dtype {a.dtype}", "a numeric (bool, int or float) array")
    a = a.astype(np.float64)
    return a, np.isnan(a), None, None


ASC_KEYS = {"ncols", "nrows", "xllcorner", "yllcorner", "xllcenter", "yllcenter", "cellsize",
            "nodata_value"}


def _read_asc(path: Path, layer: str):
    """ESRI ASCII grid: header lines 'key value' (ncols, nrows, xllcorner|xllcenter,
    yllcorner|yllcenter, cellsize, optional NODATA_value), then nrows lines of ncols numbers."""
    header: dict[str, float] = {}
    with open(path, encoding="ascii", errors="replace") as fh:
        text = fh.read()
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        parts = lines[i].split()
        if not parts:
            i += 1
            continue
        if parts[0][0].isalpha():
            key = parts[0].lower()
            if key not in ASC_KEYS or len(parts) != 2:
                raise _fail(path, layer, f"ESRI ASCII header line {i + 1} is {lines[i]!r}",
                            "header keys " + ", ".join(sorted(ASC_KEYS)))
            try:
                header[key] = float(parts[1])
            except ValueError:
                raise _fail(path, layer, f"header {parts[0]} has value {parts[1]!r}", "a number") from None
            i += 1
        else:
            break
    missing = [k for k in ("ncols", "nrows", "cellsize") if k not in header]
    if missing:
        raise _fail(path, layer, f"ESRI ASCII header lacks {', '.join(missing)}",
                    "a header with ncols, nrows, xllcorner, yllcorner, cellsize [, NODATA_value]")
    bad = [k for k, v in header.items() if not np.isfinite(v)]
    if bad:
        raise _fail(path, layer, f"header {bad[0]} is {header[bad[0]]}", "a finite number")
    for key in ("nrows", "ncols"):
        if header[key] < 1 or header[key] != int(header[key]):
            raise _fail(path, layer, f"header {key} is {header[key]:g}", "a whole number ≥ 1")
    if header["cellsize"] <= 0:
        raise _fail(path, layer, f"header cellsize is {header['cellsize']:g}", "a number > 0")
    nrows, ncols = int(header["nrows"]), int(header["ncols"])
    body = " ".join(lines[i:]).replace(",", " ")
    try:
        values = np.array(body.split(), dtype=np.float64)
    except ValueError:
        raise _fail(path, layer, "non-numeric values in the grid body", "numbers only") from None
    if values.size != nrows * ncols:
        raise _fail(path, layer, f"{values.size} values for a {nrows} x {ncols} header",
                    f"exactly nrows x ncols = {nrows * ncols} values")
    a = values.reshape(nrows, ncols)
    nodata = np.isnan(a)
    if "nodata_value" in header:
        nodata |= a == header["nodata_value"]
    x0 = header.get("xllcorner", header.get("xllcenter", 0.0) - header["cellsize"] / 2)
    y0 = header.get("yllcorner", header.get("yllcenter", 0.0) - header["cellsize"] / 2)
    bounds = (x0, y0, x0 + ncols * header["cellsize"], y0 + nrows * header["cellsize"])
    return a, nodata, None, bounds


def _read_tif(path: Path, layer: str):
    try:
        import rasterio
    except ImportError:
        raise _fail(path, layer, "a GeoTIFF, but rasterio is not installed",
                    ".npy or .asc files, or install GeoTIFF support with: pip install .[gis]") from None
    try:
        with rasterio.open(path) as src:
            if src.count < 1:
                raise _fail(path, layer, "a GeoTIFF with no bands", "a single-band GeoTIFF")
            a = src.read(1).astype(np.float64)
            nodata = np.isnan(a)
            if src.nodata is not None and not np.isnan(src.nodata):
                nodata |= a == src.nodata
            crs = src.crs.to_string() if src.crs else None
            b = src.bounds
            bounds = (b.left, b.bottom, b.right, b.top)
    except rasterio.errors.RasterioIOError as e:
        raise _fail(path, layer, f"not a readable GeoTIFF ({e})", "a single-band GeoTIFF") from None
    return a, nodata, crs, bounds


READERS = {".npy": _read_npy, ".asc": _read_asc, ".tif": _read_tif, ".tiff": _read_tif}


def _same_crs(a: str, b: str) -> bool:
    if a.strip().upper() == b.strip().upper():
        return True
    try:
        from rasterio.crs import CRS

        return CRS.from_user_input(a) == CRS.from_user_input(b)
    except Exception:       # no rasterio, or an unparsable string: compare the text only
        return False


# ---------------------------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------------------------


def out_of_range(a: np.ndarray, kind: str) -> np.ndarray:
    """Bool mask of the cells of layer ``a`` outside what its kind allows: 'fraction' 0-1,
    'nonneg' >= 0, otherwise (true/false layers) exactly 0 or 1."""
    if kind == "fraction":
        return (a < 0) | (a > 1)
    if kind == "nonneg":
        return a < 0
    return (a != 0) & (a != 1)


def load_layer(path, *, expect_shape: tuple[int, int], layer_name: str,
               bounds: tuple[float, float, float, float] | None = None,
               crs: str | None = None) -> np.ndarray:
    """Read and check one layer file; return float64 values (bool for escarpment/water/road).

    ``expect_shape``: the landscape's (rows, cols). ``crs``/``bounds``: the landscape's, if known;
    a GeoTIFF with a different CRS, or (same CRS) bounds off by more than one cell, is refused.
    """
    path = Path(path)
    if layer_name in REPLACED_LAYERS:
        raise LayerError(f"landscape.layers.{layer_name}: no longer a layer name; it was replaced by "
                         f"{REPLACED_LAYERS[layer_name]}")
    if layer_name not in LAYER_KINDS:
        raise LayerError(f"landscape.layers.{layer_name}: unknown layer; allowed: {', '.join(LAYER_KINDS)}")
    kind = LAYER_KINDS[layer_name]
    if not path.exists():
        raise _fail(path, layer_name, "the file does not exist", "an existing .npy, .asc or .tif file "
                    "(relative paths are taken from the scenario file's folder)")
    if path.is_dir():
        raise _fail(path, layer_name, "a folder", "a .npy, .asc or .tif file")
    if not path.is_file():      # a FIFO would block the read forever, /dev/zero never ends
        raise _fail(path, layer_name, "not a regular file (a pipe, device or socket)", "a .npy, .asc or .tif file")
    suffix = path.suffix.lower()
    if suffix not in READERS:
        raise _fail(path, layer_name, f"file type {suffix or '(none)'!r}", ", ".join(SUFFIXES))
    a, nodata, file_crs, file_bounds = READERS[suffix](path, layer_name)

    if a.ndim != 2:
        raise _fail(path, layer_name, f"a {a.ndim}-dimensional array of shape {a.shape}",
                    f"a 2-D grid of shape {tuple(expect_shape)} (rows, cols)")
    if a.shape != tuple(expect_shape):
        raise _fail(path, layer_name, f"shape {a.shape[0]} x {a.shape[1]} (rows x cols)",
                    f"the landscape's shape {expect_shape[0]} x {expect_shape[1]}")
    if crs and file_crs and not _same_crs(crs, file_crs):
        raise _fail(path, layer_name, f"CRS {file_crs}", f"the landscape's CRS {crs}")
    if bounds and file_bounds and file_crs and crs and suffix in (".tif", ".tiff"):
        cell = max((bounds[2] - bounds[0]) / expect_shape[1], (bounds[3] - bounds[1]) / expect_shape[0])
        off = max(abs(p - q) for p, q in zip(bounds, file_bounds))
        if off > cell:
            raise _fail(path, layer_name, "bounds (west, south, east, north) = "
                        + ", ".join(f"{v:.4f}" for v in file_bounds),
                        "the landscape's bounds " + ", ".join(f"{v:.4f}" for v in bounds)
                        + " within one cell")
    if nodata.any():
        raise _fail(path, layer_name, f"no-data (NaN or the file's nodata value) in {_where(nodata)}",
                    "a value in every cell")
    if np.isinf(a).any():
        raise _fail(path, layer_name, f"infinite values in {_where(np.isinf(a))}", ALLOWED_TEXT[kind])

    bad = out_of_range(a, kind)
    if bad.any():
        lo, hi = float(a.min()), float(a.max())
        raise _fail(path, layer_name, f"values from {lo:g} to {hi:g}, out of range in {_where(bad)}",
                    ALLOWED_TEXT[kind])
    return a.astype(bool) if kind == "bool" else a


def apply_layer_files(land, layer_files, base_dir) -> object:
    """The landscape with the layers named in ``layer_files`` (a LayerFiles) replaced by files.

    Relative paths are resolved against ``base_dir`` (the scenario file's folder). Capacity
    layers (saiga_summer, saiga_winter, gazelle, urial, hare) go into ``land.capacity`` under
    their names; competitor layers (lions, wolves, leopards) into ``land.competitors`` under
    their kinds (lion, wolf, leopard). Returns ``land`` itself when no file is given.
    """
    given = {k: v for k, v in layer_files.model_dump().items() if v is not None}
    if not given:
        return land
    base_dir = Path(base_dir)
    changes: dict = {}
    capacity = dict(land.capacity)
    competitors = dict(land.competitors)
    for layer, name in given.items():
        p = Path(name).expanduser()
        if not p.is_absolute():
            p = base_dir / p
        a = load_layer(p, expect_shape=land.shape, layer_name=layer, bounds=land.bounds, crs=land.crs)
        if layer in CAPACITY_LAYERS:
            capacity[layer] = a
        elif layer in COMPETITOR_LAYERS:
            competitors[COMPETITOR_LAYERS[layer]] = a
        else:
            changes[layer] = a
    if any(k in given for k in CAPACITY_LAYERS):
        changes["capacity"] = capacity
    if any(k in given for k in COMPETITOR_LAYERS):
        changes["competitors"] = competitors
    return land.replace(**changes)


def write_ascii_grid(path, array: np.ndarray, cell_km: float, *, xllcorner: float = 0.0,
                     yllcorner: float = 0.0, nodata: float | None = -9999.0, fmt: str = "%.10g") -> Path:
    """Write ``array`` (row 0 north) as an ESRI ASCII grid with cellsize ``cell_km``.

    NaN cells are written as ``nodata`` (header NODATA_value) when it is given.
    """
    path = Path(path)
    a = np.asarray(array, dtype=np.float64)
    if a.ndim != 2:
        raise ValueError(f"write_ascii_grid: need a 2-D array, got shape {a.shape}")
    rows, cols = a.shape
    head = [f"ncols {cols}", f"nrows {rows}", f"xllcorner {xllcorner:.10g}", f"yllcorner {yllcorner:.10g}",
            f"cellsize {cell_km:.10g}"]
    if nodata is not None:
        head.append(f"NODATA_value {nodata:.10g}")
        a = np.where(np.isnan(a), nodata, a)
    with open(path, "w", encoding="ascii") as fh:
        fh.write("\n".join(head) + "\n")
        np.savetxt(fh, a, fmt=fmt, delimiter=" ")
    return path


__all__ = ["LayerError", "load_layer", "apply_layer_files", "write_ascii_grid", "LAYER_KINDS", "CAPACITY_LAYERS",
           "COMPETITOR_LAYERS"]
