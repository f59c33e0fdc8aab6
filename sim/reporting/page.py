"""The report as one self-contained HTML page: inline CSS, figures embedded as base64 PNG, no
scripts or fonts from the network, so it opens offline and can be mailed as one file.

Every number comes from the run's files (sim.reporting.runfiles); the figures come from
sim.reporting.figureset.
"""

from __future__ import annotations

import base64
import html
import importlib.metadata
import math
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from ..numformat import fixed
from .describe import main_cause, releases_text, scenario_differences, setting_text
from .figureset import Figures
from .runfiles import FIGURE_DIR, RunFiles, horizon, num
from .selection import baseline_name

#: The model's distribution name (its version is listed under Methods).
PACKAGE = "ustyurt-cheetah"

#: The page's whole style sheet, inline.
CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
 color:#1b1b1b;max-width:1180px;margin:0 auto;padding:24px 28px 60px;line-height:1.5;background:#fff}
h1{font-size:1.9em;margin:0 0 4px}h2{font-size:1.4em;margin-top:2.2em;border-bottom:2px solid #0072B2;
 padding-bottom:4px}h3{font-size:1.1em;margin:1.4em 0 .3em}
.sub{color:#555;margin:0 0 18px}.preview{background:#fde2e2;border-left:6px solid #c0392b;padding:10px 14px;
  font-size:1.05em}.note{background:#fff4e0;border-left:4px solid #E69F00;padding:8px 12px;
 margin:10px 0}.howto{background:#eef5fb;border-left:4px solid #0072B2;padding:10px 14px}
table{border-collapse:collapse;font-size:.88em;width:100%}th,td{padding:5px 7px;text-align:left;
 vertical-align:top;border-bottom:1px solid #e3e3e3}th{background:#f2f2f2;position:sticky;top:0}
tr:nth-child(even) td{background:#fafafa}td.num{text-align:right;white-space:nowrap}
.ci{color:#666;font-size:.9em}.desc{color:#555;font-size:.9em}.fam{color:#0072B2;font-size:.85em}
.bar{height:6px;background:#e6e6e6;margin-top:3px}.bar>span{display:block;height:6px;background:#0072B2}
tr.base td{background:#fdf0e6}
.wrap{overflow-x:auto}figure{margin:18px 0 30px}figure img{width:100%;height:auto;border:1px solid #eee}
figcaption{color:#444;font-size:.92em;margin-top:4px}code{background:#f3f3f3;padding:0 3px}
details{margin:6px 0 10px}summary{cursor:pointer;font-weight:600}ul.diff{margin:4px 0 0;font-size:.9em}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px}dl.kv dt{font-weight:600}dl.kv dd{margin:0}
"""


def _e(s: Any) -> str:
    """Text escaped for HTML (quotes too: also safe in attribute values)."""
    return html.escape(str(s), quote=True)


def _interval(p: float, lo: float, hi: float, spec: str = ".2f", signed: bool = False) -> str:
    """'p [lo, hi]' (the interval in grey; ``signed``: p with its sign), 'p' without an interval,
    '—' without p."""
    if not math.isfinite(p):
        return "—"
    s = format(p, "+" + spec if signed else spec)
    if math.isfinite(lo) and math.isfinite(hi):
        return f"{s} <span class=ci>[{format(lo, spec)}, {format(hi, spec)}]</span>"
    return s


def _img(path: Path, alt: str) -> str:
    """A PNG file as an <img> with the picture inside (base64 data URI)."""
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{_e(alt)}">'


def _figure_html(figs: Figures, key: str, alt: str) -> str:
    """Figure ``key`` with its caption, or a note saying why it is missing."""
    got = figs.get(key)
    if got is None:
        why = figs.notes.get(key, "This figure could not be drawn.")
        return f'<p class=note>{_e(why)}</p>'
    path, caption = got
    return f"<figure>{_img(path, alt)}<figcaption>{_e(caption)}</figcaption></figure>"


def _date(text: str | None) -> str:
    """An ISO 8601 time of the manifest for people ('05 March 2025, 14:02 UTC'); text that is no
    ISO time is returned as it is."""
    if not text:
        return "unknown date"
    try:
        d = datetime.fromisoformat(text)
    except ValueError:
        return text
    return d.strftime("%d %B %Y, %H:%M") + (" UTC" if d.utcoffset() is not None and
                                            d.utcoffset().total_seconds() == 0 else "")


def _range_text(vals: list[float], unit: str) -> str:
    """'N unit', or 'lo–hi unit (by scenario)' when the scenarios differ."""
    vals = sorted({int(v) for v in vals if math.isfinite(v)})
    if not vals:
        return f"an unknown number of {unit}"
    return f"{vals[0]} {unit}" if len(vals) == 1 else f"{vals[0]}–{vals[-1]} {unit} (by scenario)"


def _summary_table(files: RunFiles, order: list[str], base: str | None, H: int) -> str:
    """The table of all scenarios in ``order`` (one row each, values from summary.csv)."""
    head = ["#", "Scenario", f"P(persist) at year {H} [95 % CI]", "Difference from baseline [95 % CI]",
            "P(quasi-extinction)", "Years to extinction: median (mean)", "Stochastic r (mean ± SD, per year)",
            "Deterministic r (per year, with the option's imposed mortality)",
            f"Cheetahs at year {H}: median (5–95 %)", f"Cheetahs at year {H} in surviving runs: mean ± SD",
            "Gene diversity retained", "Gene diversity at the horizon: mean ± SD (runs)", "Mean inbreeding F",
            "Main cause of loss", "Runs"]
    out = ["<div class=wrap><table><thead><tr>", *(f"<th>{_e(h)}</th>" for h in head), "</tr></thead><tbody>"]
    for i, n in enumerate(order, 1):
        r = files.row(n)
        p = num(r, "p_persist")
        bar = (f'<div class=bar><span style="width:{100 * p:.1f}%"></span></div>' if math.isfinite(p) else "")
        desc = f"<div class=desc>{_e(r.get('description'))}</div>" if r.get("description") else ""
        fam = f"<div class=fam>{_e(r.get('family'))}</div>" if r.get("family") else ""
        if n == base:
            diff = "baseline"
        elif r.get("baseline"):
            diff = (_interval(num(r, "diff_p_persist"), num(r, "diff_p_persist_lo"), num(r, "diff_p_persist_hi"),
                             signed=True)
                    + (f"<div class=desc>vs {_e(r['baseline'])}</div>" if r["baseline"] != base else ""))
        else:
            diff = "—"
        thr = num(r, "quasi_threshold")
        quasi = _interval(num(r, "p_quasi"), num(r, "p_quasi_lo"), num(r, "p_quasi_hi"))
        if math.isfinite(thr):
            quasi += f"<div class=desc>N &lt; {int(thr)}</div>"
        r_mean, r_sd = num(r, "stoch_r_mean"), num(r, "stoch_r_sd")
        rtxt = (f"{r_mean:+.3f} ± {fixed(r_sd, '.3f')}" if math.isfinite(r_mean) else "—")
        n_med = num(r, "N_q50")
        ntxt = (f"{n_med:.0f} <span class=ci>({fixed(num(r, 'N_q05'), '.0f')}–{fixed(num(r, 'N_q95'), '.0f')})</span>"
                if math.isfinite(n_med) else "—")
        te_med, te_mean = num(r, "te_median"), num(r, "te_mean")
        tetxt = (f"{te_med:.0f} <span class=ci>({te_mean:.1f})</span>" if math.isfinite(te_med) else "none died out")
        ne_mean, ne_sd = num(r, "N_extant_mean"), num(r, "N_extant_sd")
        netxt = f"{ne_mean:.0f} ± {fixed(ne_sd, '.0f')}" if math.isfinite(ne_mean) else "—"
        gd_mean, gd_sd, gd_n = num(r, "gd_final"), num(r, "gd_final_sd"), num(r, "gd_runs")
        gdtxt = (f"{gd_mean:.3f} ± {fixed(gd_sd, '.3f')}" + (f" <span class=ci>({int(gd_n)})</span>"
                                                             if math.isfinite(gd_n) else "")
                 if math.isfinite(gd_mean) else "—")
        runs = int(num(r, "n_replicates")) if math.isfinite(num(r, "n_replicates")) else 0
        failed = num(r, "n_failed")
        runs_txt = f"{runs}" + (f"<div class=desc>{int(failed)} failed</div>"
                                if math.isfinite(failed) and failed > 0 else "")
        mark = " <i>(baseline)</i>" if n == base and "baseline" not in n.lower() else ""
        cells = [str(i), f"<b>{_e(n)}</b>{mark}{fam}{desc}",
                 _interval(p, num(r, "p_persist_lo"), num(r, "p_persist_hi")) + bar, diff, quasi, tetxt, rtxt,
                 fixed(num(r, "det_r"), "+.3f"), ntxt, netxt, fixed(num(r, "gd_retained"), ".3f"), gdtxt, fixed(num(r, "mean_F"), ".3f"),
                 _e(main_cause(r)), runs_txt]
        klass = ' class=base' if n == base else ''
        out.append(f'<tr data-scenario="{_e(n)}"{klass}>' + "".join(
            f"<td{' class=num' if j in (0, 5, 6, 7, 9, 10, 11, 12, 14) else ''}>{c}</td>" for j, c in enumerate(cells))
            + "</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


#: P(persist) at the horizon from which an option is called viable in the key findings (IUCN
#: Red List criterion E and most PVAs use extinction risk below 10 % over the horizon).
VIABLE_P_PERSIST = 0.9


def key_findings(files: RunFiles, order: list[str], base: str | None, H: int) -> list[str]:
    """Plain sentences drawn from summary.csv only (best option, options that differ from the
    baseline beyond simulation noise, how options fail), for readers who stop after the first screen."""
    rows = [files.row(n) for n in order if math.isfinite(num(files.row(n), "p_persist"))
            and num(files.row(n), "n_replicates") > 0]
    released = [r for r in rows if num(r, "deaths_total_mean") > 0 or num(r, "n_extant") > 0]
    if not released:
        return ["No scenario in this run released cheetahs that lived to a census."]
    out = []
    best = released[0]                  # rows are in the report's order (sim.reporting.selection.ranked)
    p, lo, hi = num(best, "p_persist"), num(best, "p_persist_lo"), num(best, "p_persist_hi")
    viable = [r["scenario"] for r in released if num(r, "p_persist_lo") >= VIABLE_P_PERSIST]
    one = len(released) == 1
    if viable:
        who = "The option" if one else f"{len(viable)} of {len(released)} options"
        out.append(f"{who} keep{'s' * one} a population to year {H} with P(persist) "
                   f"≥ {VIABLE_P_PERSIST:g} even at the low end of its 95 % interval: {', '.join(viable)}.")
    else:
        out.append(f"{'The option is not' if one else 'No option is'} shown to be viable (P(persist) ≥ "
                   f"{VIABLE_P_PERSIST:g} at year {H} at the low end of its 95 % interval)."
                   + ("" if one else f" The best is <b>{_e(best['scenario'])}</b>")
                   + (f" <b>{_e(best['scenario'])}</b>" if one else "")
                   + f": P(persist) {p:.2f} [{lo:.2f}, {hi:.2f}].")
    if base is not None:
        better = [r for r in released if r["scenario"] != base and num(r, "diff_p_persist_lo") > 0]
        worse = [r for r in released if r["scenario"] != base and num(r, "diff_p_persist_hi") < 0]
        parts = []
        if better:
            parts.append("better: " + ", ".join(f"{_e(r['scenario'])} ({num(r, 'diff_p_persist'):+.2f})"
                                                for r in better))
        if worse:
            parts.append("worse: " + ", ".join(f"{_e(r['scenario'])} ({num(r, 'diff_p_persist'):+.2f})"
                                               for r in worse))
        out.append(f"Options that differ from the baseline <b>{_e(base)}</b> beyond simulation noise (95 % "
                   "interval of the difference excludes 0): " + ("; ".join(parts) if parts else
                   "none, at this number of runs") + ".")
    lost = [r for r in released if math.isfinite(num(r, "te_median"))]
    if lost:
        te = sorted(num(r, "te_median") for r in lost)
        out.append(f"Where populations died out, the median time to extinction ranged from {te[0]:.0f} to "
                   f"{te[-1]:.0f} years after the start.")
        if not viable:                  # persistence cannot rank the options: how long they last can
            longest = sorted(lost, key=lambda r: -num(r, "te_median"))[:3]
            out.append("Longest-lasting options (median years to extinction among runs that died out; "
                       "share of runs extinct by the horizon): " + "; ".join(
                           f"{_e(r['scenario'])} {num(r, 'te_median'):.0f} y ({num(r, 'p_extinct_ever'):.2f})"
                           for r in longest) + ".")
    causes: dict[str, int] = {}
    for r in released:
        c = main_cause(r).split(" (")[0]
        causes[c] = causes.get(c, 0) + 1
    c, k = max(causes.items(), key=lambda kv: kv[1])
    out.append(f"The main cause of loss is {_e(c)}" + ("." if one else f" in {k} of {len(released)} options."))
    return out


def _methods(files: RunFiles, order: list[str], base: str | None) -> str:
    """The Methods section: code version, seeds, replicates, software (from the manifest) and what
    each scenario assumes, as its differences from the baseline."""
    m = files.manifest
    versions = dict(m.get("versions") or {})
    git = m.get("git") or {}
    pkg = versions.pop(PACKAGE, None) or m.get("package_version")
    if pkg:
        pkg_txt = _e(pkg)
    else:
        try:
            pkg_txt = (f"{_e(importlib.metadata.version(PACKAGE))} (installed when this report was built; "
                       "the manifest does not record it)")
        except importlib.metadata.PackageNotFoundError:
            pkg_txt = "not recorded"
    commit = git.get("commit")
    commit_txt = (f"<code>{_e(commit)}</code>" + (" with uncommitted changes" if git.get("dirty") else "")
                  if commit else "not recorded (not a git checkout)")
    root = m.get("root_seed")
    root_txt = (_e(root) if root is not None else
                "none: each scenario used its own seed (listed below)")
    runs = m.get("runs") or []
    backend = ", ".join(sorted({f"{r.get('backend')} × {r.get('jobs')} workers" for r in runs})) or "not recorded"
    entries = m.get("scenarios") or []
    kv = [("Model", f"{PACKAGE} {pkg_txt}"), ("Code version (git commit)", commit_txt),
          ("Root seed", root_txt),
          ("Replicates", _e(_range_text([e.get("replicates", math.nan) for e in entries], "runs per scenario"))),
          ("Horizon", _e(_range_text([e.get("years", math.nan) for e in entries], "years"))),
          ("Run started / finished", f"{_e(_date(m.get('start_time')))} / {_e(_date(m.get('end_time')))}"),
          ("Replicates done / failed", f"{_e(m.get('replicates_done', '?'))} / {_e(m.get('replicates_failed', '?'))}"),
          ("Parallel backend", _e(backend)),
          ("Software", _e(", ".join(f"{k} {v}" for k, v in versions.items() if v)) or "not recorded"),
          ("Command", f"<code>{_e(' '.join(m.get('command_line') or []))}</code>" if m.get("command_line") else "—")]
    out = ["<dl class=kv>", *(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in kv), "</dl>"]
    out.append("<p>The model is an agent-based population viability model: cheetahs are individuals "
               "(Mesa agents) that move, hunt, breed and die month by month on a raster landscape, and "
               "saiga, goitered gazelle and urial are density fields on a coarser grid of prey cells "
               "(<code>landscape.prey_cell_km</code>, 5 km by default), each prey cell's animals spread "
               "evenly over its landscape cells when cheetahs hunt. Every parameter, "
               "its unit and its source are listed in <code>docs/parameters.md</code>; the model is "
               "described in the ODD protocol (Grimm et al. 2020) in <code>docs/ODD.md</code>, both in "
               "the model's repository at the commit above. Each run of a scenario draws its own random "
               "numbers from a seed that depends only on the root seed, the scenario's name and the run "
               "number, so any run can be repeated exactly.</p>")
    out.append("<h3>What each scenario assumes</h3>")
    ref_default = base or (entries[0]["name"] if entries else None)
    for n in order:
        e = files.entry(n)
        if e is None:
            continue
        sc = e.get("scenario", {})
        row = files.row(n)
        ref = row.get("baseline") or (ref_default if n != ref_default else None)
        src = f" — from <code>{_e(e['source'])}</code>" if e.get("source") else ""
        head = (f"{e.get('replicates', '?')} runs, {e.get('years', '?')} years, "
                f"seed {_e(e.get('root_seed', '?'))}{src}. Releases: {_e(releases_text(sc))}.")
        if sc.get("description"):
            head += f"<div class=desc>{_e(sc['description'])}</div>"
        if ref is None or files.entry(ref) is None:
            body = ("<p class=desc>Reference scenario: the others are described by how they differ from "
                    f"it. Landscape: {_e(sc.get('landscape', {}).get('preset', '?'))} preset, "
                    f"{_e(sc.get('landscape', {}).get('cell_km', '?'))} km cells (prey on "
                    f"{_e(sc.get('landscape', {}).get('prey_cell_km', '?'))} km cells); rules: "
                    f"{_e(setting_text(sc.get('rules', {})))}.</p>")
            out.append(f"<details open><summary>{_e(n)}</summary>{head}{body}</details>")
            continue
        diffs = scenario_differences(files, n, ref)
        if not diffs:
            lst = f"<p class=desc>Same settings as {_e(ref)}.</p>"
        else:
            lst = "<ul class=diff>" + "".join(f"<li><code>{_e(d)}</code></li>" for d in diffs) + "</ul>"
        many = len(diffs) > 12
        count = (f"same settings as {_e(ref)}" if not diffs else
                 f"{len(diffs)} setting{'s differ' if len(diffs) != 1 else ' differs'} from {_e(ref)}")
        out.append(f"<details{'' if many else ' open'}><summary>{_e(n)} — {count}</summary>{head}{lst}"
                   "</details>")
    fails = m.get("failures") or []
    if fails:
        out.append("<h3>Runs that failed</h3><p>These runs raised an error and are left out of every "
                   "statistic (details in <code>failures.csv</code>):</p><ul>")
        out += [f"<li>{_e(f.get('scenario'))} run {_e(f.get('replicate'))}: {_e(f.get('message'))}</li>"
                for f in fails[:30]]
        if len(fails) > 30:
            out.append(f"<li>… and {len(fails) - 30} more</li>")
        out.append("</ul>")
    return "".join(out)


def is_preview(manifest: dict) -> bool:
    """Whether the run was a ``--quick`` first look (recorded by run_batch; older folders: its
    command line)."""
    return bool(manifest.get("preview")) or "--quick" in (manifest.get("command_line") or [])


#: How the report's title names the study area, by landscape preset.
PLACES = {"ustyurt": "the Ustyurt Plateau (stylised map)", "uniform": "a uniform test landscape",
          "gis": "the study area of its GIS files"}


def _place(files: RunFiles) -> str:
    """The study area of the run's scenarios, for the title ('several landscapes' when they differ)."""
    presets = {(e.get("scenario") or {}).get("landscape", {}).get("preset", "ustyurt")
               for e in files.manifest.get("scenarios") or []} or {"ustyurt"}
    if len(presets) > 1:
        return "several landscapes"
    return PLACES.get(presets.pop(), "the study area")


def render_html(files: RunFiles, order: list[str], figs: Figures) -> str:
    """The whole report page: title, how to read it, key findings, the summary table, the figures
    and Methods; scenarios in ``order``."""
    m = files.manifest
    base = baseline_name(files)
    H = horizon(files)
    entries = m.get("scenarios") or []
    reps = _range_text([e.get("replicates", math.nan) for e in entries] or
                       [num(r, "n_replicates") for r in files.summary], "runs per scenario")
    thr = sorted({int(num(r, "quasi_threshold")) for r in files.summary if math.isfinite(num(r, "quasi_threshold"))})
    thr_txt = ", ".join(map(str, thr)) or "?"
    title = f"Cheetah reintroduction to {_place(files)}: population viability of the option{'s' * (len(order) != 1)}"
    when = _date(m.get("end_time") or m.get("start_time"))
    parts = [f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
             f"<meta name=viewport content='width=device-width,initial-scale=1'><title>{_e(title)}</title>"
             f"<style>{CSS}</style></head><body>",
             f"<h1>{_e(title)}</h1>",
             f"<p class=sub>Run <code>{_e(files.run_dir.name)}</code> · {_e(when)} · {len(order)} scenario"
             f"{'s' * (len(order) != 1)} · {_e(reps)} · {H}-year horizon"
             + (f" · baseline: <b>{_e(base)}</b>" if base else "") + "</p>"]
    if is_preview(m):
        parts.append("<p class=preview><b>PREVIEW</b> — a first look (<code>--quick</code>: few runs, short "
                     "horizon). The intervals are wide and the horizon is not the study's; do not quote these "
                     "numbers: run without <code>--quick</code> for the results.</p>")
    for note in files.notes:
        parts.append(f"<p class=note>{_e(note)}</p>")
    parts.append(
        "<div class=howto><b>How to read this report.</b> Each scenario is one release and management "
        f"option, simulated {_e(reps)} over {H} years. <b>P(persist)</b> is the share of runs in which "
        "the population still holds both sexes at the horizon (Vortex's definition of a surviving "
        "population); 1 − P(persist) is the probability of extinction. Every probability comes with a "
        "<b>95 % Wilson score interval</b>, which stays honest near 0 and 1; the difference from the "
        "baseline uses Newcombe's interval for a difference of two proportions: when it excludes 0 "
        "the option differs from the baseline beyond simulation noise. <b>Quasi-extinction</b> is the "
        f"probability that the population fell below {thr_txt} animals (all ages) after the first "
        "release. <b>Stochastic r</b> is the mean annual growth rate ln(N<sub>t+1</sub>/N<sub>t</sub>) "
        "in years without releases (SD: its year-to-year spread); <b>deterministic r</b> is that of the "
        "female life table with the mean mortality the option imposes (people, roads, harsh winters, cub "
        "predation), without density dependence, starvation or inbreeding. <b>Gene diversity retained</b> is "
        "expected heterozygosity at the horizon (runs still extant) divided by that of the founders "
        "in their first year. Results describe a stylised model landscape and assumed parameter values "
        "(see Methods): compare options with each other rather than reading any number as a forecast."
        "</div>")
    parts.append("<h2>Key findings</h2><ul class=findings>"
                 + "".join(f"<li>{t}</li>" for t in key_findings(files, order, base, H)) + "</ul>")
    parts.append("<h2>Summary of all scenarios</h2><p>Sorted by the probability of persistence at the "
                 "horizon, best first. Dashes mean the quantity is undefined (for example gene diversity "
                 "when no run kept a population).</p>")
    parts.append(_summary_table(files, order, base, H))
    sections = [
        ("Persistence over time", "persistence", "Probability of persistence by year"),
        ("Persistence at the horizon, by option", "forest", "Forest plot of persistence by scenario family"),
        ("Population size", "population", "Fan charts of the number of cheetahs"),
        ("Gene diversity", "gene_diversity", "Gene diversity over time"),
        ("Causes of death and loss", "deaths", "Deaths and emigration by cause"),
        ("The landscape", "landscape", "Map of the landscape"),
        ("Where the options act", "interventions", "Map of the options' interventions"),
        ("Where cheetahs settled", "occupancy", "Occupancy heat maps"),
        ("Prey", "prey", "Prey numbers over time"),
    ]
    for title_s, key, alt in sections:
        parts.append(f"<h2>{_e(title_s)}</h2>{_figure_html(figs, key, alt)}")
    parts.append("<h2>Methods</h2>")
    parts.append(_methods(files, order, base))
    parts.append(f"<p class=desc>Report built {_e(time.strftime('%d %B %Y, %H:%M'))} by "
                 "<code>sim.reporting.report</code> from the run's files; figures are also in "
                 f"<code>{FIGURE_DIR}/</code> beside this file.</p></body></html>")
    return "\n".join(parts)
