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
