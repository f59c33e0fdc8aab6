"""Example for a notebook (cells marked ``# %%``, as Jupyter, VS Code and Spyder read them):
run the founder-number options from Python and compare them with pandas.

    .venv/bin/python docs/examples/compare_founders.py            # a small run (~1 minute on 2 cores)

Every number comes from the same code, seeds and checks as ``run_scenarios.py run``.
"""

# %% Run the founders options: few replicates and a short horizon for a first look
import sim

res = sim.run("scenarios/founders.yaml", replicates=8, years=15, jobs=2, common_random_numbers=True)
print("run folder:", res.folder)

# %% One row per option: P(persist) with its interval, and the paired difference from the baseline
cols = ["scenario", "p_persist", "p_persist_lo", "p_persist_hi", "diff_p_persist", "diff_method", "N_mean"]
print(res.summary[cols].sort_values("p_persist", ascending=False).to_string(index=False))

# %% Year by year: mean number of cheetahs per option
table = res.by_year.pivot(index="year", columns="scenario", values="N_mean")
print(table.round(1).to_string())

# %% Every replicate: the share of runs holding both sexes in the last year
last = res.replicates[res.replicates["year"] == res.replicates["year"].max()]
print(last.groupby("scenario")["extant"].mean().sort_values(ascending=False).to_string())
