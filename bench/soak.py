"""Kill soak (``make soak``): a batch interrupted again and again ends with the same files.

1. Runs a small batch (uniform preset, 3 scenarios, 26 replicates each: 9 chunks of at most 10
   replicates with ``--jobs 2``) uninterrupted into folder A.
2. Runs the same batch into folder B with ``run_scenarios.py run`` and then ``run --resume B``,
   each in its own process group, and interrupts each attempt at a random time with one of:
   SIGKILL of the whole process group (the batch and its workers; ``--kills`` of them, default
   20), SIGINT to the group (Ctrl-C in a terminal), SIGTERM to the main process (``kill PID``,
   a scheduler), SIGKILL of one worker process (found with psutil; the system killing it when
   memory ran out). Then ``--resume`` until the batch completes.
3. Compares every output file of A and B byte for byte, except (each justified where it is
   compared): ``.lock`` (which process last held the folder), ``manifest.json`` (run history and
   times: compared key by key without them; its ``chunk_sha256`` must match), ``chunks/SHA256SUMS``
   (a line per chunk written, in the order chunks finished, and again for a chunk run twice:
   compared as the final checksum of each chunk), ``report.html`` (prints the run's start/end time,
   its attempts' backends and command line, and when it was built: compared with those masked) and
   ``*.unreadable`` / ``*.altered`` (chunks a resume quarantined; only in B, listed). Chunk ``.npz``
   files are compared byte for byte (their zip members carry a fixed date).

Prints the counts (interruptions of each kind and their exit statuses, resumes, files compared,
differences) and exits 1 on any difference, on a hang (an attempt that does not stop within
``--hang-seconds`` of its signal), on workers left running after SIGINT/SIGTERM, or on a
traceback in the output of a signal that the command line handles. Seeded: ``--seed`` fixes the
order of the interruptions and their times (the times a process takes still vary).

    python bench/soak.py --seed 1            # ~5-10 minutes on 2 cores
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from sim.runs.folder import read_checksums  # noqa: E402  (the project, by path, as CLI below)

CLI = [sys.executable, str(ROOT / "run_scenarios.py")]

SCENARIO = """\
name: soak_{name}
years: 15
replicates: 26
seed: {seed}
landscape: {{preset: uniform, width_km: 50, height_km: 50, cell_km: 2.5, fenced: true, gazelle_density: 3}}
prey: {{saiga: {{initial_total: 0}}, urial: {{initial_total: 0}}}}
releases:
  - {{cell: [10, 10], females: {n}, males: {n}}}
"""
SCENARIOS = {"a": (4, 11), "b": (6, 12), "c": (8, 13)}        # name: (founders of each sex, seed)

#: Manifest keys that record this folder's history rather than its results: the attempts (with
#: their times, jobs, exit status), when the batch started and ended, and the command line.
MANIFEST_HISTORY = ("runs", "start_time", "end_time", "command_line")
#: What report.html prints about the run's history, masked before comparing (see page.py).
REPORT_HISTORY = [
    (re.compile(r"<dt>Run started / finished</dt><dd>.*?</dd>"), "<dt>Run started / finished</dt><dd>*</dd>"),
    (re.compile(r"<dt>Parallel backend</dt><dd>.*?</dd>"), "<dt>Parallel backend</dt><dd>*</dd>"),
    (re.compile(r"<dt>Command</dt><dd>.*?</dd>"), "<dt>Command</dt><dd>*</dd>"),
    (re.compile(r"Report built .*? by"), "Report built * by"),
    (re.compile(r"Run <code>[^<]*</code>"), "Run <code>*</code>"),         # the run folder's own name
    (re.compile(r"\d{2} [A-Z][a-z]+ \d{4}, \d{2}:\d{2}( UTC)?"), "<date>"),
]


def write_scenarios(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, (n, seed) in SCENARIOS.items():
        p = folder / f"soak_{name}.yaml"
        p.write_text(SCENARIO.format(name=name, n=n, seed=seed))
        out.append(p)
    return out


def start(args: list[str], cwd: Path, log: Path) -> subprocess.Popen:
    """The command line in its own process group (so the group can be signalled like a terminal's)."""
    fh = open(log, "ab")
    fh.write(f"\n$ {' '.join(args)}\n".encode())
    fh.flush()
    return subprocess.Popen([*CLI, *args], cwd=cwd, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"})


def workers_of(proc: subprocess.Popen) -> list[psutil.Process]:
    """The loky worker processes of a running batch (not loky's resource tracker)."""
    try:
        kids = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    out = []
    for k in kids:
        try:
            cmd = " ".join(k.cmdline())
        except psutil.Error:
            continue
        if "loky" in cmd and "resource_tracker" not in cmd:
            out.append(k)
    return out


def group_alive(pgid: int) -> list[int]:
    """Pids still in process group ``pgid``."""
    out = []
    for p in psutil.process_iter(["pid"]):
        try:
            if os.getpgid(p.pid) == pgid:
                out.append(p.pid)
        except (ProcessLookupError, PermissionError, psutil.Error):
            pass
    return out


def kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def chunks_done(out: Path) -> int:
    return len(list(out.glob("chunks/*/*.npz")))


def interrupt(proc: subprocess.Popen, kind: str, delay: float, hang_seconds: float,
              after_chunk: Path | None = None) -> dict:
    """Deliver ``kind`` to the running attempt after ``delay`` seconds (counted from the next
    chunk file written in ``after_chunk``, if given); wait for it to end. Returns what happened:
    delivered or not, exit status, hang, workers left running."""
    pgid = proc.pid                                     # start_new_session: the leader's pid
    rec = {"kind": kind, "delay": round(delay, 2), "delivered": False, "hang": False, "left": []}
    if after_chunk is not None:
        n, give_up = chunks_done(after_chunk), time.monotonic() + 600
        while chunks_done(after_chunk) == n and proc.poll() is None and time.monotonic() < give_up:
            time.sleep(0.05)
    t_end = time.monotonic() + delay
    target_worker = None
    while time.monotonic() < t_end and proc.poll() is None:
        time.sleep(0.05)
    if kind == "kill_worker" and proc.poll() is None:  # wait (a little longer) for a worker to exist
        wait_until = time.monotonic() + 30
        while proc.poll() is None and time.monotonic() < wait_until:
            ws = workers_of(proc)
            if ws:
                target_worker = ws[0]
                break
            time.sleep(0.1)
    if proc.poll() is None:
        try:
            if kind == "killpg":
                os.killpg(pgid, signal.SIGKILL)
            elif kind == "sigint":
                os.killpg(pgid, signal.SIGINT)         # Ctrl-C: the terminal signals the whole group
            elif kind == "sigterm":
                os.kill(proc.pid, signal.SIGTERM)      # kill PID: the main process only
            elif kind == "kill_worker" and target_worker is not None:
                target_worker.send_signal(signal.SIGKILL)
            rec["delivered"] = kind != "kill_worker" or target_worker is not None
        except (ProcessLookupError, psutil.NoSuchProcess):
            pass
    try:
        proc.wait(timeout=hang_seconds)
    except subprocess.TimeoutExpired:
        rec["hang"] = True
        kill_group(pgid)
        proc.wait()
    rec["status"] = proc.returncode
    if kind in ("sigint", "sigterm", "kill_worker") and rec["delivered"]:
        deadline = time.monotonic() + 10               # workers get a moment to notice and exit
        while time.monotonic() < deadline and group_alive(pgid):
            time.sleep(0.2)
        rec["left"] = group_alive(pgid)
    kill_group(pgid)                                    # nothing of this attempt survives it
    return rec


def compare(a: Path, b: Path) -> tuple[int, list[str], list[str]]:
    """(files compared, differences, files only in B that are expected there)."""
    diffs, notes, compared = [], [], 0
    files_a = {p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file()}
    files_b = {p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file()}
    for rel in sorted(files_b - files_a):
        if rel.endswith((".unreadable", ".altered")):
            notes.append(f"{rel}: a chunk the resume could not read or trust, kept aside and run again")
        else:
            diffs.append(f"{rel}: only in the interrupted run")
    for rel in sorted(files_a - files_b):
        diffs.append(f"{rel}: missing from the interrupted run")
    for rel in sorted(files_a & files_b):
        pa, pb = a / rel, b / rel
        if rel == ".lock":          # 'process PID on HOST' of the last holder: differs by design
            continue
        compared += 1
        if rel == "manifest.json":
            ma, mb = (json.loads(p.read_text()) for p in (pa, pb))
            for k in MANIFEST_HISTORY:
                ma.pop(k, None), mb.pop(k, None)
            if ma != mb:
                keys = sorted(k for k in set(ma) | set(mb) if ma.get(k) != mb.get(k))
                diffs.append(f"{rel}: differs outside the run history in {keys}")
        elif rel == "chunks/SHA256SUMS":
            if read_checksums(a) != read_checksums(b):
                diffs.append(f"{rel}: the final checksums of the chunks differ")
        elif rel == "report.html":
            ta, tb = pa.read_text(encoding="utf-8"), pb.read_text(encoding="utf-8")
            for pat, rep in REPORT_HISTORY:
                ta, tb = pat.sub(rep, ta), pat.sub(rep, tb)
            if ta != tb:
                diffs.append(f"{rel}: differs outside the run's times, backends and command line")
        elif pa.read_bytes() != pb.read_bytes():
            diffs.append(f"{rel}: bytes differ")
    return compared, diffs, notes


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=1, help="order and times of the interruptions")
    ap.add_argument("--kills", type=int, default=20, help="SIGKILLs of the process group (default 20)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--hang-seconds", type=float, default=180,
                    help="an attempt still running this long after its signal counts as a hang")
    ap.add_argument("--workdir", type=Path, help="keep the folders here (default: a temp folder, deleted)")
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="soak-"))
    if args.workdir:
        shutil.rmtree(work / "A", ignore_errors=True), shutil.rmtree(work / "B", ignore_errors=True)
    files = [str(p) for p in write_scenarios(work / "scenarios")]
    log = work / "soak.log"
    common = ["--jobs", str(args.jobs)]
    try:
        t0, started_at = time.monotonic(), time.time()
        proc = start(["run", *files, "--out", "A", "--seed", "7", *common], work, log)
        if proc.wait() != 0:
            print(f"the uninterrupted run failed (exit {proc.returncode}); see {log}", file=sys.stderr)
            return 1
        clean = time.monotonic() - t0
        total_chunks = chunks_done(work / "A")
        # How long an attempt takes to its first chunk file (start-up: imports, workers, compiled
        # code from numba's cache; then one chunk): timed signals fall within about that long.
        first_chunk = min(p.stat().st_mtime for p in (work / "A").glob("chunks/*/*.npz")) - started_at
        print(f"uninterrupted run: {clean:.0f} s ({total_chunks} chunks, the first after {first_chunk:.0f} s)",
              flush=True)

        events = ["killpg"] * args.kills + ["sigint", "sigterm", "kill_worker"]
        rng.shuffle(events)
        # a worker exists only while chunks are missing: kill one within the first three attempts
        events.remove("kill_worker")
        events.insert(rng.randint(0, 2), "kill_worker")
        records, resumes = [], 0
        b = work / "B"
        shrink, i = 1.0, 0
        while events:
            kind = events.pop(0)
            i += 1
            first = not (b / "manifest.json").exists()
            cmd = ["run", *files, "--out", "B", "--seed", "7", *common] if first else ["run", "--resume", "B", *common]
            if not first:
                resumes += 1
            before = chunks_done(b)
            offset = log.stat().st_size if log.exists() else 0
            # Most signals come at a random time in the attempt (from its start-up, imports and
            # workers, to a little after its first chunk would be written), 30 % at a random time within 3 s after the
            # attempt's first new chunk file, so that the batch also makes progress between
            # interruptions (on a busy machine an attempt may need longer than the timed delays to
            # finish a chunk). Once every chunk exists, attempts rewrite the data files and the
            # report, and the signals land there.
            progress = before < total_chunks and kind != "kill_worker" and rng.random() < 0.3
            delay = rng.uniform(0.0, 3.0) if progress else rng.uniform(0.5, max(1.0, 1.2 * first_chunk * shrink))
            rec = interrupt(start(cmd, work, log), kind, delay, args.hang_seconds,
                            after_chunk=b if progress else None)
            rec.update(attempt=i, resume=not first, chunks=(before, chunks_done(b)),
                       complete=_complete(b), after_chunk=progress)
            with open(log, "rb") as fh:
                fh.seek(offset)
                said = fh.read().decode(errors="replace")
            # A traceback is a bug when the command line ended by itself (exit 0, 1, 2, 130, 143);
            # not when a signal ended Python before its handlers were set (-2, -15) or killed it (-9).
            rec["traceback"] = "Traceback" in said and rec["status"] is not None and rec["status"] >= 0
            records.append(rec)
            print(f"  {i:2d} {'resume' if not first else 'run   '} {kind:11s} "
                  f"{'after a new chunk +' if progress else 'after'} {delay:4.1f} s: "
                  f"{'delivered' if rec['delivered'] else 'finished first'}, exit {rec['status']}, "
                  f"chunks {before} -> {rec['chunks'][1]}" + (", batch complete" if rec["complete"] else "")
                  + (" HANG" if rec["hang"] else "") + (f" LEFT RUNNING {rec['left']}" if rec["left"] else "")
                  + (" TRACEBACK" if rec["traceback"] else ""),
                  flush=True)
            if kind == "kill_worker" and not rec["delivered"] and rec["chunks"][1] == total_chunks:
                print("  (no worker to kill: every chunk was done; this kind is left out)", flush=True)
            elif not rec["delivered"]:      # the attempt ended first: try this signal again, sooner
                events.insert(0, kind)
                shrink *= 0.5
                if i > 4 * (args.kills + 3):
                    print("too many attempts ended before their signal", file=sys.stderr)
                    return 1
        # Finished means an attempt that ended by itself with exit 0: the manifest says
        # 'complete' once the data files are written, before the report is built.
        while not (records[-1]["status"] == 0 and _complete(b)):
            resumes += 1
            proc = start(["run", "--resume", "B", *common], work, log)
            proc.wait()
            records.append({"kind": "none", "delivered": False, "status": proc.returncode, "hang": False,
                            "left": [], "traceback": False, "chunks": (0, 0)})
            print(f"  final resume: exit {proc.returncode}", flush=True)
            if resumes > i + 5:
                print("the batch does not complete", file=sys.stderr)
                return 1

        compared, diffs, notes = compare(work / "A", b)
        delivered = Counter(r["kind"] for r in records if r["delivered"])
        statuses = Counter((r["kind"], r["status"]) for r in records if r["delivered"])
        hangs = [r for r in records if r["hang"]]
        left = [r for r in records if r["left"]]
        tracebacks = [r for r in records if r["traceback"]]
        text = log.read_text(errors="replace")
        retried = sum(not r["delivered"] for r in records if r["kind"] != "none")
        print(f"\ninterruptions delivered: {dict(delivered)} (attempts {len(records)}; "
              f"{retried} ended before their signal and the signal was tried again)")
        print(f"  while chunks were missing: {sum(1 for r in records if r['delivered'] and r['chunks'][1] < total_chunks)}"
              f"; while rewriting the outputs of a complete set of chunks: "
              f"{sum(1 for r in records if r['delivered'] and r['chunks'][1] == total_chunks)}")
        print(f"exit statuses: " + ", ".join(f"{k} {s}: {n}" for (k, s), n in sorted(statuses.items(), key=str)))
        print(f"resumes: {resumes}; quarantined chunks: {len(notes)}; hangs: {len(hangs)}; "
              f"workers left running: {len(left)}; tracebacks after a handled signal: {len(tracebacks)} "
              f"(in the whole log: {text.count('Traceback')})")
        print(f"files compared: {compared}; differences: {len(diffs)}")
        for d in diffs:
            print(f"  DIFF {d}")
        for n in notes:
            print(f"  note {n}")
        short = [k for k in ("killpg", "sigint", "sigterm", "kill_worker")
                 if delivered[k] < (args.kills if k == "killpg" else 1)]
        if short:
            print(f"note: fewer interruptions landed than planned for {short} (attempts finished first)")
        return 1 if diffs or hangs or left or tracebacks else 0
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


def _complete(out: Path) -> bool:
    try:
        return json.loads((out / "manifest.json").read_text())["status"] == "complete"
    except (OSError, ValueError, KeyError):
        return False


if __name__ == "__main__":
    raise SystemExit(main())
