"""Figures and the page of a sensitivity study (``run_scenarios.py sensitivity``): the tornado
(also drawn by the validation check *sensitivity*), the Morris mu*–sigma plot, the PRCC and Sobol
bars, and ``sensitivity.html``, a short section a specialist can read on its own.
"""

from __future__ import annotations

import html
import math
from pathlib import Path
from typing import Sequence

import numpy as np

from ..analysis.sensitivity import OUTPUT_LABELS, OUTPUTS, OatResult, SensitivityStudy
from .figstyle import DPI, GREY, colour, figure_formats, house_style, save_png

#: Axis titles of the tornado panels per output.
TORNADO_TITLES = {"p_persist": "P(persist) at the horizon", "stoch_r": "stochastic growth rate r",
                  "N": "cheetahs at the horizon N"}


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 1e4 else f"{v:g}"


def draw_tornado(axes, oat_res: OatResult, outputs: Sequence[str], sort_by: str, horizon: int) -> list:
    """Draw one tornado panel per output on ``axes`` (sharing the y axis): for each parameter,
    sorted by its swing in ``sort_by``, the paired change from the base when it is at its low
    (lower bar) and high (upper bar) value, with 95 % error bars. Returns the rows as drawn."""
    rows = oat_res.ranked(sort_by)
    y = np.arange(len(rows))[::-1]
    labels = [f"{r.param.path}  ({_fmt(r.param.low)} / {_fmt(r.param.high)})" for r in rows]
    xlabels = {"p_persist": f"change in P(persist) at year {horizon}", "stoch_r": "change in mean r (per year)",
               "N": f"change in mean N at year {horizon} [animals]"}
    for a, o in zip(axes, outputs):
        for end, col, lab, dy in (("low", colour(0), "low value", 0.2), ("high", colour(1), "high value", -0.2)):
            m = np.array([r.diff[o][end][0] for r in rows], dtype=float)
            e = np.array([r.diff[o][end][1] for r in rows], dtype=float)
            a.barh(y + dy, np.nan_to_num(m), 0.4, color=col, label=lab, xerr=np.nan_to_num(e),
                   error_kw={"elinewidth": 0.8, "capsize": 2, "ecolor": "#555555"})
        a.axvline(0, color="black", lw=0.8)
        a.set_xlabel(xlabels.get(o, f"change in {o}"))
        a.set_title(TORNADO_TITLES.get(o, o), fontsize=11)
    axes[-1].legend(loc="best", fontsize=8)
    axes[0].set_yticks(y, labels, fontsize=8)
    if "p_persist" in outputs:
        j = list(oat_res.outputs).index("p_persist")
        ext = oat_res.Y[..., j]
        ext = ext[np.isfinite(ext)]
        if ext.size and (not ext.any() or ext.all()):
            a = axes[list(outputs).index("p_persist")]
            a.text(0.5, 0.5, f"P(persist) = {ext.mean():.0f} in every run of the base and of every variant:\n"
                   "this measure cannot move here; read the growth rate", transform=a.transAxes, ha="center",
                   va="center", fontsize=10, color="#444444", bbox={"facecolor": "white", "edgecolor": "#bbbbbb"})
    return rows


def _figure(w_px: int, h_px: int, ncols: int, sharey: bool = False):
    from matplotlib.figure import Figure
    fig = Figure(figsize=(w_px / DPI, h_px / DPI), dpi=DPI, layout="constrained")
    return fig, fig.subplots(1, ncols, squeeze=False, sharey=sharey)[0]


def lead_output(oat_res: OatResult) -> str:
    """The output the tornado is sorted by: the first of p_persist, stoch_r, N that moves."""
    return next((o for o in oat_res.outputs if any(r.swing(o) > 0 for r in oat_res.rows)), oat_res.outputs[0])


def tornado_figure(study: SensitivityStudy, out: Path) -> Path:
    """tornado.png (+ .svg): one panel per output, rows sorted by :func:`lead_output`."""
    res = study.oat
    fig, axes = _figure(2400, max(620, 200 + 40 * len(res.rows)), len(res.outputs), sharey=True)
    draw_tornado(axes, res, res.outputs, lead_output(res), study.years)
    fig.suptitle(f"{study.scenario}: one parameter at a time ({res.replicates} paired replicates per point)")
    return save_png(fig, out / "tornado.png")


def morris_figure(study: SensitivityStudy, out: Path, label: int = 6) -> Path:
    """morris.png (+ .svg): sigma against mu* per output; the ``label`` largest mu* named. Points
    above the line sigma = mu* act non-linearly or through interactions."""
    res = study.morris
    fig, axes = _figure(2200, 760, len(res.outputs))
    for a, o in zip(axes, res.outputs):
        ms, sd, cf = (np.asarray(res.indices[o][k], dtype=float) for k in ("mu_star", "sigma", "mu_star_conf"))
        a.errorbar(ms, sd, xerr=np.nan_to_num(cf), fmt="o", color=colour(0), ecolor="#999999", elinewidth=0.8, ms=5)
        top = max(np.nanmax(ms) if np.isfinite(ms).any() else 0, np.nanmax(sd) if np.isfinite(sd).any() else 0)
        if top > 0:
            a.plot([0, top], [0, top], ls="--", color=GREY, lw=0.8)
        for i in [n for n in np.argsort(-np.nan_to_num(ms))[:label] if np.isfinite(ms[n]) and ms[n] > 0]:
            a.annotate(res.names[i], (ms[i], sd[i]), fontsize=7, xytext=(3, 3), textcoords="offset points")
        a.set_xlabel("mu* (mean |effect| per whole range)")
        a.set_ylabel("sigma (SD of the effects)")
        a.set_title(OUTPUT_LABELS.get(o, o), fontsize=10)
    fig.suptitle(f"{study.scenario}: Morris screening ({res.trajectories} trajectories, {res.levels} levels)")
    return save_png(fig, out / "morris.png")


def bars_figure(study: SensitivityStudy, out: Path, method: str) -> Path:
    """prcc.png or sobol.png (+ .svg): PRCC (or first-order and total Sobol index) of every
    parameter per output, parameters in the order of the first output."""
    res = getattr(study, method)
    key = "prcc" if method == "prcc" else "ST"
    order = np.argsort(-np.abs(np.nan_to_num(np.asarray(res.indices[res.outputs[0]][key], dtype=float))))
    names = [res.names[i] for i in order]
    y = np.arange(len(names))[::-1]
    fig, axes = _figure(2400, max(560, 200 + 30 * len(names)), len(res.outputs), sharey=True)
    for a, o in zip(axes, res.outputs):
        ix = res.indices[o]
        if method == "prcc":
            v = np.asarray(ix["prcc"], dtype=float)[order]
            a.barh(y, np.nan_to_num(v), 0.6, color=[colour(1) if x < 0 else colour(0) for x in np.nan_to_num(v)])
            a.set_xlim(-1, 1)
            a.set_xlabel("partial rank correlation")
        else:
            for k, col, dy in (("S1", colour(0), 0.18), ("ST", colour(1), -0.18)):
                a.barh(y + dy, np.nan_to_num(np.asarray(ix[k], dtype=float)[order]), 0.36, color=col, label=k,
                       xerr=np.nan_to_num(np.asarray(ix[f"{k}_conf"], dtype=float)[order]),
                       error_kw={"elinewidth": 0.8, "ecolor": "#555555"})
            a.set_xlabel("Sobol index")
            a.legend(loc="lower right", fontsize=9)
        a.axvline(0, color="black", lw=0.8)
        a.set_title(OUTPUT_LABELS.get(o, o), fontsize=10)
    axes[0].set_yticks(y, names, fontsize=8)
    return save_png(fig, out / f"{method}.png")


def write_figures(study: SensitivityStudy, out: Path) -> list[Path]:
    """Every figure of the methods run, as PNG and SVG."""
    paths = []
    with house_style(), figure_formats(("svg",)):
        if study.oat is not None:
            paths.append(tornado_figure(study, out))
        if study.morris is not None:
            paths.append(morris_figure(study, out))
        for m in ("prcc", "sobol"):
            if getattr(study, m) is not None:
                paths.append(bars_figure(study, out, m))
    return paths


# ============================================================================ page
def _n(v: float, digits: int = 3) -> str:
    return "–" if v is None or not math.isfinite(v) else f"{v:.{digits}g}"


def _top_table(study: SensitivityStudy, method: str, measure: str) -> str:
    head = "".join(f"<th>{html.escape(OUTPUT_LABELS[o])}</th>" for o in OUTPUTS)
    cols = {o: study.top(method, o, 5) for o in OUTPUTS}
    body = "".join("<tr>" + "".join(f"<td>{html.escape(cols[o][i][0])} ({_n(cols[o][i][1])})</td>"
                                    if i < len(cols[o]) else "<td></td>" for o in OUTPUTS) + "</tr>"
                   for i in range(5))
    return f"<table><tr><th colspan=3>top 5 by {measure}</th></tr><tr>{head}</tr>{body}</table>"


def write_page(study: SensitivityStudy, out: Path, figures: list[Path]) -> Path:
    """sensitivity.html: what was varied and how, the base point, the top parameters of each
    method and the figures; methods and references in docs/sensitivity.md."""
    s = study.settings
    fig = {p.stem: p.name for p in figures}
    parts = [f"<h1>Sensitivity of scenario {html.escape(study.scenario)}</h1>",
             f"<p>{len(study.params)} parameters, each over its documented range (the <code>sens</code> range of "
             "sim/config/params.py, or ±20 % of the scenario's value for prey r_max and initial_total); horizon "
             f"{study.years} years; {s['replicates']} replicates per design point with common random numbers "
             f"(replicate <i>i</i> uses the same seed at every point: {html.escape(s['seeds'])}). Outputs: "
             "P(persist) at the horizon (share of runs with both sexes alive), the stochastic growth rate r "
             "(mean over runs of each run's mean ln(N<sub>t+1</sub>/N<sub>t</sub>), years with releases left "
             f"out) and the mean number of cheetahs N at the horizon. Model runs: {s.get('model_runs', '?'):,}. "
             "Methods and references: docs/sensitivity.md.</p>"]
    if study.oat is not None:
        b = study.oat.base
        parts += ["<h2>One at a time (tornado)</h2>",
                  f"<p>Base point: P(persist) {_n(b['p_persist'][0], 2)} (95 % CI {_n(b['p_persist'][1], 2)}–"
                  f"{_n(b['p_persist'][2], 2)}), r {_n(b['stoch_r'][0])}/yr, N {_n(b['N'][0])}. Bars: paired change "
                  "from the base with the parameter at its low or high end, 95 % intervals. With "
                  f"{study.oat.replicates} replicates a change in P(persist) below about "
                  f"{1.96 * 0.5 / math.sqrt(study.oat.replicates):.2f} cannot be told from noise. Table: "
                  "<code>oat.csv</code>.</p>", _top_table(study, "oat", "largest |change| (swing)"),
                  f"<img src='{fig['tornado']}' alt='tornado' style='max-width:100%'>"]
    if study.morris is not None:
        parts += ["<h2>Morris screening</h2>",
                  f"<p>{study.morris.trajectories} trajectories on {study.morris.levels} levels. mu*: mean absolute "
                  "elementary effect (output change per whole range of the parameter); sigma: their SD "
                  "(non-linear or interacting when sigma is near or above mu*). Table: <code>morris.csv</code>.</p>",
                  _top_table(study, "morris", "mu*"), f"<img src='{fig['morris']}' alt='Morris' style='max-width:100%'>"]
    if study.prcc is not None:
        parts += ["<h2>Latin hypercube and partial rank correlation</h2>",
                  f"<p>{study.prcc.samples} Latin-hypercube points. PRCC: monotone association of a parameter with "
                  "the output when the others are held fixed (−1 to 1); p-values in <code>prcc.csv</code>.</p>",
                  _top_table(study, "prcc", "|PRCC|"), f"<img src='{fig['prcc']}' alt='PRCC' style='max-width:100%'>"]
    if study.sobol is not None:
        parts += ["<h2>Sobol indices</h2>",
                  f"<p>{study.sobol.base_samples} x (k + 2) points. S1: share of the output's variance due to the "
                  "parameter alone; ST: with its interactions. Table: <code>sobol.csv</code>.</p>",
                  _top_table(study, "sobol", "total index ST"),
                  f"<img src='{fig['sobol']}' alt='Sobol' style='max-width:100%'>"]
    parts.append("<p>Runner noise: every output is a mean over replicates, so small indices may be noise; the "
                 "tornado's intervals show its size.</p>")
    style = ("body{font-family:sans-serif;max-width:1100px;margin:2em auto;line-height:1.4}"
             "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;"
             "font-size:90%;text-align:left}")
    page = (f"<!doctype html><html><head><meta charset='utf-8'><title>Sensitivity: {html.escape(study.scenario)}"
            f"</title><style>{style}</style></head><body>{''.join(parts)}</body></html>")
    path = out / "sensitivity.html"
    path.write_text(page, encoding="utf-8")
    return path


__all__ = ["draw_tornado", "lead_output", "write_figures", "write_page"]
