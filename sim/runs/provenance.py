"""Which code produced a result: the git commit of the checkout and the versions of the packages.

:func:`git_state` is the project's one way to ask git; the batch manifest, the validation report
and the benchmark record its answer. It never raises: outside a git checkout, or without git,
the commit is unknown (None) and :attr:`GitState.unknown_because` says why.
"""

from __future__ import annotations

import importlib.metadata
import platform
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

#: The repository that holds this package (sim/runs/provenance.py -> the folder above sim/).
REPO = Path(__file__).resolve().parents[2]

#: Packages whose versions a batch records (plus dask and distributed on the dask backend).
_BATCH_PACKAGES = ("numpy", "scipy", "mesa", "networkx", "matplotlib", "pyyaml", "joblib", "pydantic", "tqdm",
                   "psutil", "numba", "llvmlite", "rasterio", "pyogrio", "pandas")


@dataclass(frozen=True)
class GitState:
    """The checkout's commit and whether tracked files differ from it.

    ``commit``: hex commit id (full, or abbreviated as asked), None when unknown.
    ``dirty``: True if tracked files (or untracked ones, when asked) differ from the commit;
    None when git could not tell. ``unknown_because``: why the commit is unknown
    ('not a git checkout' or 'git not available'), else None."""

    commit: str | None
    dirty: bool | None
    unknown_because: str | None = None

    def as_record(self) -> dict[str, object]:
        """``{"commit": ..., "dirty": ...}``, as the batch manifest stores it."""
        return {"commit": self.commit, "dirty": self.dirty}

    def describe(self) -> str:
        """One phrase for a report: '<commit>', '<commit> with uncommitted changes', or
        'unknown (<why>)'."""
        if self.commit is None:
            return f"unknown ({self.unknown_because})"
        return self.commit + (" with uncommitted changes" if self.dirty else "")


def git_state(repo: Path = REPO, *, abbrev: int | Literal["auto"] | None = None,
              untracked: bool = False, exclude: Sequence[str] = ()) -> GitState:
    """Ask git for the commit checked out in ``repo`` and whether the work tree differs from it.

    ``abbrev``: None for the full 40-hex commit, a number of hex digits (``--short=N``), or
    'auto' for git's own abbreviation (``--short``, usually 7 digits). ``untracked``: count
    untracked files as changes (git's default listing; otherwise ``--untracked-files=no``).
    ``exclude``: paths (relative to ``repo``) whose changes do not count, e.g. files the caller
    is about to regenerate. Each git call may take up to 10 s (30 s for the status of a large tree).
    """
    short = [] if abbrev is None else ["--short"] if abbrev == "auto" else [f"--short={int(abbrev)}"]
    status = ["git", "status", "--porcelain"] + ([] if untracked else ["--untracked-files=no"])
    if exclude:
        status += ["--", ".", *(f":(exclude){p}" for p in exclude)]
    try:
        head = subprocess.run(["git", "rev-parse", *short, "HEAD"], cwd=repo, capture_output=True,
                              text=True, timeout=10)
        if head.returncode != 0 or not head.stdout.strip():
            return GitState(None, None, "not a git checkout")
        changes = subprocess.run(status, cwd=repo, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return GitState(None, None, "git not available")
    return GitState(head.stdout.strip(),
                    bool(changes.stdout.strip()) if changes.returncode == 0 else None)


def own_version() -> str:
    """This package's version (installed metadata; the source tree's pyproject.toml when run
    from a checkout that is not installed)."""
    try:
        return importlib.metadata.version("ustyurt-cheetah")
    except importlib.metadata.PackageNotFoundError:
        import re

        text = (REPO / "pyproject.toml").read_text(encoding="utf-8") if (REPO / "pyproject.toml").is_file() else ""
        m = re.search(r'^version\s*=\s*"([^"]+)"', text, flags=re.M)
        return m.group(1) if m else "unknown"


def package_versions(backend: str) -> dict[str, str | None]:
    """Python's version and the installed versions of the packages a batch runs on (None for
    one that is not installed); with ``backend='dask'`` also dask's and distributed's."""
    names = list(_BATCH_PACKAGES) + (["dask", "distributed"] if backend == "dask" else [])
    out: dict[str, str | None] = {"python": platform.python_version(), "ustyurt-cheetah": own_version()}
    for n in names:
        try:
            out[n] = importlib.metadata.version(n)
        except importlib.metadata.PackageNotFoundError:
            out[n] = None
    return out
