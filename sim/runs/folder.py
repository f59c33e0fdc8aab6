"""The run folder on disk: manifest.json, the chunk files, and writing files atomically.

Layout of a batch's output folder (the data files built from the chunks: sim.runs.outputs)::

    <out>/manifest.json                          what was run, with which code and seeds
    <out>/chunks/<scenario>/<first>-<last>.npz   census arrays of those replicates
    <out>/chunks/SHA256SUMS                      a checksum line per chunk file, appended as each
                                                 is written (``sha256sum -c SHA256SUMS`` format)

A chunk file holds, for replicates ``first..last`` of one scenario, one (replicates × years)
float64 array per census column (``c__<column>``), ``ok`` (False for a replicate that failed),
the summed ``occupancy`` map if the runner returned one, and ``failures`` (JSON list).

Every file is written through a temp file beside it and ``os.replace`` (:func:`atomic_write`), so
a file that exists is complete; a killed writer leaves only ``.<name>.tmp-<pid>`` files, which
:func:`remove_stale_temps` deletes before a resume.

Chunk files are byte-for-byte reproducible (zip members carry a fixed date), so the same replicates
give the same file and the same checksum whether a batch ran once or was interrupted and resumed.
The checksums (SHA256SUMS, and a copy in manifest.json's ``chunk_sha256`` each time a run ends)
let a resume tell a chunk altered after it was written — by a disk fault or by hand — from a good
one and run it again (:func:`quarantine_bad_chunks`).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import json
import os
import re
import shutil
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from ..model.results import CENSUS_COLUMNS
from .seeds import chunk_plan

MANIFEST = "manifest.json"
LOCK = ".lock"
CHECKSUMS = "SHA256SUMS"                      # in <out>/chunks/
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


# ============================================================================ the folder itself

#: Errors of the file system that are the machine's state, not a bug: a message, no traceback.
FILESYSTEM_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM,
                               errno.ENAMETOOLONG, errno.ENOTDIR, errno.EISDIR, errno.EFBIG, errno.EIO})


NOT_EMPTY = "the folder exists and is not empty; choose another folder"


class OutFolderError(ValueError):
    """An output folder that cannot be used (a file, under a file, read-only, not empty...)."""


def out_dir_problem(out_dir: Path, option: str = "--out") -> str | None:
    """Why ``out_dir`` cannot become a new output folder, without creating anything, or None:
    a NUL byte or an over-long name, a file of that name, a file where a parent folder should be,
    a folder that already holds output, or a parent folder this process cannot write into
    (a read-only file system included)."""
    text = str(out_dir)
    if "\0" in text:
        return f"{option} {text!r}: a path may not contain a NUL byte"
    out_dir = Path(out_dir)
    if any(len(part.encode()) > 255 for part in out_dir.parts):
        return f"{option} {text}: a folder name is longer than 255 bytes"
    if out_dir.exists() and not out_dir.is_dir():
        return f"{option} {text}: this is a file, not a folder; choose a folder"
    if holds_output(out_dir):
        return f"{option} {text}: {NOT_EMPTY}"
    parent = out_dir.absolute()
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        return f"{option} {text}: {parent} is a file, so no folder can be made under it"
    if not os.access(parent, os.W_OK | os.X_OK):
        why = "is on a read-only file system" if _read_only(parent) else "is not writable by you"
        return f"{option} {text}: {parent} {why}; choose a folder you can write to"
    return None


def _read_only(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):            # pragma: no cover - statvfs is POSIX
        return False


def make_out_dir(out_dir: Path, option: str = "--out") -> None:
    """Create the output folder (and its parents); OutFolderError with the reason instead of an
    OSError traceback (read-only, no space, permission, a file in the way)."""
    problem = out_dir_problem(out_dir, option) if not Path(out_dir).is_dir() else None
    if problem:
        raise OutFolderError(problem)
    try:
        Path(out_dir).mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutFolderError(f"{option} {out_dir}: the folder cannot be made ({e.strerror or e})") from None


def filesystem_message(e: OSError) -> str | None:
    """A one-line message for an OSError that is the file system's state (full disk, read-only,
    permission, a name too long...), naming the file; None for other errors."""
    if e.errno not in FILESYSTEM_ERRNOS:
        return None
    where = f" {e.filename}" if e.filename else ""
    if e.errno == errno.ENAMETOOLONG:
        return f"{e.filename or 'a path'}: a name in this path is too long for the file system"
    hint = {errno.ENOSPC: "; free some space", errno.EDQUOT: "; your disk quota is used up",
            errno.EROFS: "; the file system is read-only"}.get(e.errno, "")
    verb = "cannot write" if e.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG) else "cannot use"
    return f"{verb}{where}: {e.strerror or e}{hint}"


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
    except OSError as e:               # name the file being written, not its temp file
        if e.errno is None and _nearly_full(path.parent):     # numpy: 'N requested and M written'
            raise OSError(errno.ENOSPC, f"No space left on device ({e})", str(path)) from None
        if e.errno is None:
            raise
        raise type(e)(e.errno, e.strerror, str(path)) from None
    finally:
        if tmp.exists():
            tmp.unlink()


def _nearly_full(folder: Path) -> bool:
    """Whether the file system of ``folder`` has less than 1 MiB free (a short write's cause)."""
    try:
        return shutil.disk_usage(folder).free < 1 << 20
    except OSError:
        return False


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
    """Store a finished chunk (the dict of :func:`sim.runs.worker.run_chunk`), atomically, and
    append its checksum to chunks/SHA256SUMS."""
    arrays = {_COLUMN_KEY.format(c): a for c, a in chunk["census"].items()}
    arrays["ok"] = chunk["ok"]
    if chunk["occupancy"] is not None:
        arrays["occupancy"] = chunk["occupancy"]
    arrays["failures"] = np.array(json.dumps(chunk["failures"]))
    path = chunk_path(out_dir, chunk["scenario"], chunk["first"], chunk["last"])
    data = _npz_bytes(arrays)
    atomic_write(path, lambda f: f.write(data))
    _append_checksum(Path(out_dir), path, hashlib.sha256(data).hexdigest())


_ZIP_DATE = (1980, 1, 1, 0, 0, 0)             # the earliest a zip member may carry


def _npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """``arrays`` as the bytes of a compressed .npz (what np.savez_compressed writes, read by
    np.load) whose members carry a fixed date instead of the time of writing, so equal arrays
    give equal bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        for name, a in arrays.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            with zf.open(info, "w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.asanyarray(a), allow_pickle=False)
    return buf.getvalue()


def _append_checksum(out_dir: Path, path: Path, digest: str) -> None:
    """Add ``digest  <scenario>/<file>`` to chunks/SHA256SUMS, flushed to disk. A line cut short
    by a kill is ignored when read; a later line for the same file (a chunk run again) wins."""
    sums = out_dir / "chunks" / CHECKSUMS
    line = f"{digest}  {path.relative_to(out_dir / 'chunks').as_posix()}\n"
    with open(sums, "ab+") as f:
        if f.tell() > 0:                    # after a line a kill cut short, start a new one
            f.seek(-1, os.SEEK_END)
            if f.read(1) != b"\n":
                line = "\n" + line
        f.write(line.encode("utf-8"))
        f.flush()
        os.fsync(f.fileno())


def read_checksums(out_dir: Path, manifest: dict | None = None) -> dict[str, str]:
    """``{"<scenario>/<first>-<last>.npz": sha256 hex}`` of the chunks written so far: the
    manifest's copy (``chunk_sha256``) updated by chunks/SHA256SUMS (malformed lines skipped)."""
    out = dict((manifest or {}).get("chunk_sha256") or {})
    sums = Path(out_dir) / "chunks" / CHECKSUMS
    try:
        lines = sums.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    for line in lines:
        digest, sep, name = line.partition("  ")
        if sep and re.fullmatch(r"[0-9a-f]{64}", digest) and name.endswith(".npz"):
            out[name] = digest
    return dict(sorted(out.items()))


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_chunk(path: Path) -> dict:
    """A chunk file as ``{"census": {column: array}, "ok", "occupancy" (or None), "failures"}``."""
    with np.load(path, allow_pickle=False) as z:
        census = {c: z[_COLUMN_KEY.format(c)] for c in CENSUS_COLUMNS}
        return {"census": census, "ok": z["ok"],
                "occupancy": z["occupancy"] if "occupancy" in z.files else None,
                "failures": json.loads(str(z["failures"]))}


def quarantine_bad_chunks(out_dir: Path, manifest: dict) -> list[str]:
    """Move aside every chunk file of the manifest's plan that a resume must not trust, so that
    it runs again, keeping the bad file for inspection; returns a note per file.

    A chunk whose checksum differs from the one recorded when it was written (a disk fault, an
    edit) becomes ``<name>.altered``; one that cannot be read (truncated, empty, garbage: e.g. a
    disk that filled up) ``<name>.unreadable``. A readable chunk with no recorded checksum (the
    batch was killed between writing it and recording its checksum) gets its checksum now."""
    out_dir = Path(out_dir)
    notes, recorded = [], read_checksums(out_dir, manifest)
    for entry in manifest["scenarios"]:
        for first, last in chunk_plan(entry["replicates"], manifest["chunk_size"]):
            path = chunk_path(out_dir, entry["name"], first, last)
            if not path.exists():
                continue
            name = path.relative_to(out_dir / "chunks").as_posix()
            try:
                read_chunk(path)
            except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as e:
                bad = path.with_name(path.name + ".unreadable")
                path.replace(bad)
                notes.append(f"{path} could not be read ({type(e).__name__}); moved to {bad.name} and "
                             "run again")
                continue
            digest = _sha256(path)
            if name in recorded and recorded[name] != digest:
                bad = path.with_name(path.name + ".altered")
                path.replace(bad)
                notes.append(f"{path} differs from the checksum recorded when it was written; moved to "
                             f"{bad.name} and run again")
                continue
            if name not in recorded:
                _append_checksum(out_dir, path, digest)
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
