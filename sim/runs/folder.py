"""The run folder on disk: manifest.json, the chunk files, and writing files atomically.

Layout of a batch's output folder (the data files built from the chunks: sim.runs.outputs)::

    <out>/manifest.json                          what was run, with which code and seeds
    <out>/chunks/<scenario>/<first>-<last>.npz   census arrays of those replicates

A chunk file holds, for replicates ``first..last`` of one scenario, one (replicates × years)
float64 array per census column (``c__<column>``), ``ok`` (False for a replicate that failed),
the summed ``occupancy`` map if the runner returned one, and ``failures`` (JSON list).

Every file is written through a temp file beside it and ``os.replace`` (:func:`atomic_write`), so
a file that exists is complete; a killed writer leaves only ``.<name>.tmp-<pid>`` files, which
:func:`remove_stale_temps` deletes before a resume.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from ..model.results import CENSUS_COLUMNS
from .seeds import chunk_plan

MANIFEST = "manifest.json"
LOCK = ".lock"
#: Version of this folder layout, recorded in manifest.json; a resume refuses other versions.
FORMAT_VERSION = 1

_TEMP_NAME = re.compile(r"\..+\.tmp-\d+")     # temp files of atomic_write: .<name>.tmp-<pid>
_COLUMN_KEY = "c__{}"                         # a census column's array in a chunk file


class ManifestError(ValueError):
    """A folder to resume has no usable manifest.json."""


class FolderBusy(ManifestError):
    """Another process is running (or resuming) the batch in this folder."""


@contextlib.contextmanager
def folder_lock(out_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on the run folder while a batch writes to it (``fcntl.flock`` on
    ``out_dir/.lock``, released by the system if the process dies), so that two resumes of one
    folder cannot run the same chunks twice or delete each other's temp files. FolderBusy names
    the process that holds it. Where ``fcntl`` does not exist (Windows) no lock is taken."""
    try:
        import fcntl
    except ImportError:                         # pragma: no cover - not on POSIX
        yield
        return
    path = Path(out_dir) / LOCK
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "another process"
            raise FolderBusy(f"{out_dir}: the batch in this folder is being run by {holder}; wait for it "
                             "to end (or stop it) before resuming") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"process {os.getpid()} on {os.uname().nodename}".encode(), 0)
        yield
    finally:
        os.close(fd)                            # closing the descriptor releases the lock


def holds_output(out_dir: Path) -> bool:
    """Whether ``out_dir`` exists and holds anything a new batch must not overwrite: a file, or a
    folder with any entry besides the lock file and :func:`atomic_write` temp files. A batch
    killed in the moment between taking the lock and writing manifest.json leaves only those;
    its folder could then be neither resumed (no manifest) nor started again (not empty)."""
    out_dir = Path(out_dir)
    if not out_dir.exists():
        return False
    if not out_dir.is_dir():
        return True
    return any(p.name != LOCK and not (_TEMP_NAME.fullmatch(p.name) and p.is_file()) for p in out_dir.iterdir())


# ============================================================================ writing files

def atomic_write(path: Path, write: Callable[[io.BufferedWriter], None]) -> None:
    """Write through ``write(fileobj)`` into a temp file beside ``path``, then os.replace: readers
    never see a half-written file, and a file that exists is complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.tmp-{os.getpid()}"
    try:
        with open(tmp, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_text(path: Path, text: str) -> None:
    """``text`` as UTF-8 into ``path``, atomically."""
    atomic_write(path, lambda f: f.write(text.encode("utf-8")))


def write_json(path: Path, obj: dict) -> None:
    """``obj`` as indented JSON (NaN refused) into ``path``, atomically."""
    write_text(path, json.dumps(obj, indent=2, allow_nan=False) + "\n")


def remove_stale_temps(out_dir: Path) -> None:
    """Delete the temp files (``.<name>.tmp-<pid>``, see :func:`atomic_write`) that a killed
    writer left in the run folder, occupancy/ or chunks/<scenario>/. A temp file is never a
    complete output; files not matching the pattern are left alone."""
    for folder in (out_dir, out_dir / "occupancy", *(out_dir / "chunks").glob("*/")):
        for path in folder.glob(".*.tmp-*"):
            if _TEMP_NAME.fullmatch(path.name) and path.is_file():
                path.unlink()


# ============================================================================ manifest

def read_manifest(out_dir: Path) -> dict:
    """The manifest.json of a run folder; ManifestError if it is absent, unreadable or of
    another :data:`FORMAT_VERSION`."""
    path = Path(out_dir) / MANIFEST
    if not path.is_file():
        raise ManifestError(f"{out_dir}: no {MANIFEST}; is this the output folder of a batch run?")
    try:
        m = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise ManifestError(f"{path}: cannot be read ({e})") from None
    if m.get("format_version") != FORMAT_VERSION:
        raise ManifestError(f"{path}: format_version {m.get('format_version')!r}, "
                            f"this code reads {FORMAT_VERSION}")
    return m


# ============================================================================ chunk files

def chunk_path(out_dir: Path, scenario: str, first: int, last: int) -> Path:
    """Where the chunk of replicates ``first..last`` of ``scenario`` is stored."""
    return Path(out_dir) / "chunks" / scenario / f"{first}-{last}.npz"


def write_chunk(out_dir: Path, chunk: dict) -> None:
    """Store a finished chunk (the dict of :func:`sim.runs.worker.run_chunk`), atomically."""
    arrays = {_COLUMN_KEY.format(c): a for c, a in chunk["census"].items()}
    arrays["ok"] = chunk["ok"]
    if chunk["occupancy"] is not None:
        arrays["occupancy"] = chunk["occupancy"]
    arrays["failures"] = np.array(json.dumps(chunk["failures"]))
    path = chunk_path(out_dir, chunk["scenario"], chunk["first"], chunk["last"])
    atomic_write(path, lambda f: np.savez_compressed(f, **arrays))


def read_chunk(path: Path) -> dict:
    """A chunk file as ``{"census": {column: array}, "ok", "occupancy" (or None), "failures"}``."""
    with np.load(path, allow_pickle=False) as z:
        census = {c: z[_COLUMN_KEY.format(c)] for c in CENSUS_COLUMNS}
        return {"census": census, "ok": z["ok"],
                "occupancy": z["occupancy"] if "occupancy" in z.files else None,
                "failures": json.loads(str(z["failures"]))}


def quarantine_unreadable_chunks(out_dir: Path, entries: list[dict], chunk_size: int) -> list[str]:
    """Rename every chunk file of the plan that cannot be read (truncated, empty, garbage: e.g. a
    disk that filled up) to ``<name>.unreadable`` so that a resume runs it again, keeping the bad
    file for inspection; returns a note per file."""
    notes = []
    for entry in entries:
        for first, last in chunk_plan(entry["replicates"], chunk_size):
            path = chunk_path(out_dir, entry["name"], first, last)
            if not path.exists():
                continue
            try:
                read_chunk(path)
            except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as e:
                bad = path.with_name(path.name + ".unreadable")
                path.replace(bad)
                notes.append(f"{path} could not be read ({type(e).__name__}); moved to {bad.name} and "
                             "run again")
    return notes


def chunk_files(out_dir: Path, entry: dict, chunk_size: int) -> list[tuple[int, Path]]:
    """(first replicate, path) of every chunk file of a scenario (its manifest ``entry``);
    FileNotFoundError if one is missing."""
    out = []
    for first, last in chunk_plan(entry["replicates"], chunk_size):
        path = chunk_path(out_dir, entry["name"], first, last)
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing; the batch has not finished (resume it)")
        out.append((first, path))
    return out


class ChunkCensus(Mapping):
    """The census table of one scenario (column -> successful replicates × years, float64) read
    from its chunk files on each access, one column at a time, and never cached.

    sim.analysis.stats reads a few columns at a time, so aggregating a scenario holds a few
    (replicates × years) columns in memory rather than all of them: memory does not grow with
    columns × replicates × years. A quantile needs one whole column, which is the largest array.
    """

    def __init__(self, paths: list[Path], years: int):
        self._paths, self._years = paths, years

    def __getitem__(self, column: str) -> np.ndarray:
        if column not in CENSUS_COLUMNS:
            raise KeyError(column)
        parts = []
        for path in self._paths:
            with np.load(path, allow_pickle=False) as z:
                parts.append(z[_COLUMN_KEY.format(column)][z["ok"]])
        return np.concatenate(parts, axis=0) if parts else np.zeros((0, self._years))

    def __iter__(self) -> Iterator[str]:
        return iter(CENSUS_COLUMNS)

    def __len__(self) -> int:
        return len(CENSUS_COLUMNS)
