"""docs/parameters.md and docs/scenarios.md are generated from the code and must be current;
every parameter default carries a unit and a source or an 'assumption' note."""

from pathlib import Path

from pydantic import BaseModel

from sim.reporting import docs
from sim.config.params import CheetahParams, EnvironmentParams, ManagementBaseline, PreyParams

ROOT = Path(__file__).resolve().parents[1]


def test_parameter_and_scenario_docs_are_current():
    assert (ROOT / "docs/parameters.md").read_text(encoding="utf-8") == docs.render(), \
        "docs/parameters.md is stale: run `python -m sim.reporting.docs`"
    assert (ROOT / "docs/scenarios.md").read_text(encoding="utf-8") == docs.render_scenarios(), \
        "docs/scenarios.md is stale: run `python -m sim.reporting.docs`"
    from sim.reporting.outputs_doc import render_outputs

    assert (ROOT / "docs/outputs.md").read_text(encoding="utf-8") == render_outputs(), \
        "docs/outputs.md is stale: run `python -m sim.reporting.docs`"


def test_every_column_of_every_output_is_documented(tmp_path):
    import csv
    import gzip

    from sim.config.factories import uniform_reserve
    from sim.reporting.outputs_doc import documented
    from sim.runs.batch import run_batch

    base = uniform_reserve("base", years=3, size_km=30, gazelle=1.0, releases=[{"females": 3, "males": 3}],
                           replicates=2)
    other = base.model_copy(update={"name": "other", "baseline": "base"})
    run_batch([base, other], tmp_path / "out", jobs=1, progress=False)
    text = (ROOT / "docs/outputs.md").read_text(encoding="utf-8")
    for kind, opener, name in (("summary", open, "summary.csv"), ("by_year", open, "by_year.csv"),
                               ("replicates", gzip.open, "replicates.csv.gz")):
        with opener(tmp_path / "out" / name, "rt", newline="", encoding="utf-8") as f:
            header = next(csv.reader(f))
        missing = [c for c in header if not c.startswith("swept.")
                   and (c not in documented(kind) or f"`{c}`" not in text)]
        assert not missing, f"{name}: columns not in docs/outputs.md: {missing}"


def _fields(model: type[BaseModel], prefix=""):
    for name, f in model.model_fields.items():
        yield prefix + name, f


def test_every_parameter_has_unit_and_source():
    groups = [("cheetah.", CheetahParams), ("environment.", EnvironmentParams),
              ("management.", ManagementBaseline)]
    groups += [(f"prey.{n}.", type(sp)) for n, sp in PreyParams().species().items()]
    missing = []
    for prefix, model in groups:
        for key, f in _fields(model, prefix):
            extra = f.json_schema_extra or {}
            if not extra.get("unit") or not str(extra.get("source", "")).strip():
                missing.append(key)
    assert not missing, f"parameters without unit or source: {missing}"


def test_a_sweep_is_its_own_family_and_its_keys_are_columns_of_csv_and_parquet(tmp_path):
    import csv
    import textwrap

    import pyarrow.parquet as pq

    from sim.config.loading import load_scenarios
    from sim.runs.batch import run_batch

    (tmp_path / "base.yaml").write_text(textwrap.dedent("""\
        abstract: true
        name: base
        family: baseline
        years: 2
        replicates: 2
        landscape: {preset: uniform, width_km: 25, height_km: 25, cell_km: 2.5}
        prey: {saiga: {initial_total: 0}, urial: {initial_total: 0}}
        releases: [{cell: [5, 5], females: 2, males: 2}]
        """), encoding="utf-8")
    (tmp_path / "sw.yaml").write_text("extends: base.yaml\nname: sw\nsweep: {releases.0.females: [2, 4]}\n",
                                      encoding="utf-8")
    loaded = load_scenarios([tmp_path / "sw.yaml"])
    assert {s.family for s, _ in loaded} == {"sw"}                    # not the base's 'baseline'
    run_batch([s for s, _ in loaded], tmp_path / "out", jobs=1, progress=False)
    rows = list(csv.DictReader(open(tmp_path / "out" / "summary.csv", encoding="utf-8")))
    assert [r["swept.releases[0].females"] for r in rows] == ["2", "4"]
    for name in ("summary", "by_year", "replicates"):
        t = pq.read_table(tmp_path / "out" / f"{name}.parquet")
        assert "swept.releases[0].females" in t.column_names and t.num_rows > 0
    t = pq.read_table(tmp_path / "out" / "replicates.parquet")
    col = t.column(t.column_names.index("swept.releases[0].females"))
    assert sorted(set(col.to_pylist())) == [2.0, 4.0]
    assert pq.read_table(tmp_path / "out" / "summary.parquet").column_names.count("swept.releases[0].females") == 1
