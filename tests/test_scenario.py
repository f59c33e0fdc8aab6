"""Scenario files: loading, extends, sweeps, and error messages users can act on."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import numpy as np
import pytest

from sim.model.checks import check_against_landscape, check_all, check_rules
from sim.config.errors import ScenarioError
from sim.config.loading import deep_merge, load_scenarios
from sim.config.sweep import parse_key_path


# A small valid scenario on the uniform preset (10 x 10 cells of 2.5 km).
GOOD = """\
name: small
years: 10
replicates: 2
landscape: {preset: uniform, width_km: 25, height_km: 25, cell_km: 2.5}
prey: {saiga: {initial_total: 0}, urial: {initial_total: 0}}
releases:
  - {cell: [2, 2], females: 2, males: 2}
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def messages(exc: ScenarioError) -> str:
    return str(exc)


# ----------------------------------------------------------------------------------- bad inputs
# (case id, YAML text of bad.yaml, fragments the message must contain, needs the landscape)
BAD_INPUTS = [
    ("top-level typo", GOOD + "relases: []\n",
     ["bad.yaml", "relases", "unknown key", "did you mean 'releases'?"], False),
    ("nested typo", GOOD.replace("females: 2", "femails: 2"),
     ["bad.yaml", "releases[0].femails", "did you mean 'females'?"], False),
    ("typo with words swapped", GOOD + "cheetah: {adult_female_survivl: 0.9}\n",
     ["cheetah.adult_female_survivl", "did you mean 'adult_survival_female'?"], False),
    ("negative count", GOOD.replace("males: 2}", "males: -3}"),
     ["bad.yaml", "releases[0].males", "got -3", "must be ≥ 0", "0 ≤ males ≤ 500"], False),
    ("probability above 1", GOOD + "cheetah: {conception_prob_per_month: 1.3}\n",
     ["bad.yaml", "cheetah.conception_prob_per_month", "got 1.3", "must be ≤ 1"], False),
    ("string for years", GOOD.replace("years: 10", "years: ten"),
     ["bad.yaml", "years", "got 'ten'", "must be a whole number", "1 ≤ years ≤ 200"], False),
    ("unknown source", GOOD.replace("males: 2}", "males: 2, source: zoo}"),
     ["bad.yaml", "releases[0].source", "got 'zoo'", "one of: wild, captive"], False),
    ("source typo suggests", GOOD.replace("males: 2}", "males: 2, source: captiv}"),
     ["releases[0].source", "did you mean 'captive'?"], False),
    ("release after the horizon", GOOD.replace("years: 10", "years: 5").replace("{cell", "{year: 8, cell"),
     ["bad.yaml", "releases[0]", "year 8", "falls after the horizon", "years: 5"], False),
    ("repeats after the horizon", GOOD.replace("males: 2}", "males: 2, repeat: {every_years: 4, times: 4}}"),
     ["bad.yaml", "releases[0]", "year 13", "counting its repeats", "after the horizon"], False),
    ("management event after the horizon", GOOD + "management: {anti_poaching: [{year: 12, strength: 0.5}]}\n",
     ["bad.yaml", "management.anti_poaching[0]", "year 12", "falls after the horizon (years: 10)",
      "raise years to at least 12"], False),
    ("repeated prey translocation after the horizon",
     GOOD + "management: {prey_translocations: [{year: 4, species: gazelle, number: 10, cell: [1, 1], "
            "repeat: {every_years: 3, times: 4}}]}\n",
     ["management.prey_translocations[0]", "year 13 (counting its repeats)", "falls after the horizon"], False),
    ("true for a count", GOOD.replace("females: 2", "females: true"),
     ["bad.yaml", "releases[0].females", "got true", "must be a number"], False),
    ("quoted number", GOOD.replace("males: 2}", "males: 2, age_months: '12'}"),
     ["bad.yaml", "releases[0].age_months", "got '12'", "must be a number, not text"], False),
    ("description of a megabyte", GOOD + "description: " + "x" * 1_000_000 + "\n",
     ["bad.yaml", "description", "must be at most 2000 characters long"], False),
    ("nesting 600 levels deep", "name: x\nyears: " + "[" * 600 + "]" * 600 + "\n",
     ["bad.yaml", "nested too deeply"], False),
    ("alias inside itself", "name: x\nyears: &a [*a]\n",
     ["bad.yaml", "refers to the list or mapping that holds it"], False),
    ("alias bomb", "name: x\nx0: &x0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
     + "".join(f"x{i}: &x{i} [{', '.join([f'*x{i - 1}'] * 10)}]\n" for i in range(1, 9)) + "years: *x8\n",
     ["bad.yaml", "more than 100,000 values once YAML aliases"], False),
    ("NUL byte in extends", GOOD + 'extends: "a\\0b.yaml"\n', ["bad.yaml", "extends", "not a usable path"], False),
    ("extends path too long", GOOD + "extends: " + "a" * 5000 + ".yaml\n",
     ["bad.yaml", "extends", "not a usable path (File name too long)"], False),
    ("cell of three numbers", GOOD.replace("[2, 2]", "[2, 2, 2]"),
     ["releases[0].cell", "exactly 2 items [row, col]"], False),
    ("yaml syntax error", "name: x\nyears: [1, 2\nreplicates: 3\n",
     ["bad.yaml", "YAML syntax error", "line"], False),
    ("tab indentation", "name: x\nlandscape:\n\tpreset: uniform\n",
     ["bad.yaml", "YAML syntax error", "tabs"], False),
    ("empty file", "\n", ["bad.yaml", "empty"], False),
    ("release site that does not exist", GOOD.replace("cell: [2, 2]", "site: nowhere"),
     ["bad.yaml", "releases[0].site", "no site named 'nowhere'"], True),
    ("release cell outside the grid", GOOD.replace("[2, 2]", "[2, 40]"),
     ["bad.yaml", "releases[0].cell", "outside the grid", "cols 0-9"], True),
    ("fence that does not exist", GOOD + "management: {fence_gaps: [{year: 2, fence: border}]}\n",
     ["bad.yaml", "management.fence_gaps[0].fence", "no fence named 'border'"], True),
    ("prey without capacity", GOOD.replace("urial: {initial_total: 0}", "urial: {initial_total: 50}"),
     ["bad.yaml", "prey.urial.initial_total", "got 50", "no urial capacity", "landscape.urial_density"], True),
    ("replaced key competitor_density", GOOD.replace("cell_km: 2.5}", "cell_km: 2.5, competitor_density: 0.02}"),
     ["bad.yaml", "landscape.competitor_density", "no longer a key", "lion_density", "wolf_density",
      "leopard_density"], False),
    ("replaced layer competitors", GOOD.replace("cell_km: 2.5}", "cell_km: 2.5, layers: {competitors: w.npy}}"),
     ["bad.yaml", "landscape.layers.competitors", "no longer a key", "lions", "wolves", "leopards"], False),
    ("NaN in a list of numbers", GOOD + "cheetah: {litter_size_probs: [.nan, 1]}\n",
     ["bad.yaml", "cheetah.litter_size_probs[0]", "got nan", "must be a finite number"], False),
    ("infinite density", GOOD.replace("cell_km: 2.5}", "cell_km: 2.5, gazelle_density: .inf}"),
     ["bad.yaml", "landscape.gazelle_density", "got inf", "must be a finite number"], False),
    ("NaN plugin parameter", GOOD + "plugin_params: {x: .nan}\n",
     ["bad.yaml", "plugin_params.x", "must be a finite number"], False),
    ("name of dots only", GOOD.replace("name: small", "name: '..'"),
     ["bad.yaml", "name", "got '..'", "must not consist of dots only"], False),
    ("key given twice", GOOD + "years: 12\n",
     ["bad.yaml", "line 8", "key 'years' given twice (first at line 2)"], False),
    ("key given twice in a flow mapping", GOOD.replace("males: 2}", "males: 2, females: 3}"),
     ["bad.yaml", "key 'females' given twice"], False),
    ("map too large to build", GOOD.replace("width_km: 25, height_km: 25", "width_km: 5000, height_km: 5000"),
     ["bad.yaml", "landscape.cell_km", "4,000,000 cells", "at most 1,500,000 cells", "cell_km ≥ 4.08 km"], True),
    ("cells too fine for the ustyurt map", GOOD.replace("preset: uniform, width_km: 25, height_km: 25, cell_km: 2.5",
                                                        "cell_km: 0.11"),
     ["bad.yaml", "landscape.cell_km", "22,074,525 cells", "cell_km ≥ 0.42 km"], True),
    ("corridor through an unknown site", GOOD + "management: {corridors: [{through: [centre, nowhere]}]}\n",
     ["bad.yaml", "management.corridors[0]", "no site named 'nowhere'", "sites: "], True),
    ("corridor with both a line and a polygon",
     GOOD + "management: {corridors: [{through: [centre, north], polygon: [[1, 1], [1, 3], [3, 3]]}]}\n",
     ["bad.yaml", "management.corridors[0]", "give exactly one of 'through'"], False),
    ("road line off the map", GOOD + "management: {roads: [{name: rail, through: [[0, 0], [50, 0]]}]}\n",
     ["bad.yaml", "management.roads[0]", "cell [50, 0] lies off the map"], True),
    ("patrol without strength", GOOD + "management: {patrols: [{site: centre}]}\n",
     ["bad.yaml", "management.patrols[0].strength", "required key missing"], False),
    ("gaps in a fence built later", GOOD + "management: {fence_gaps: [{year: 1, fence: east, at: [{cell: [3, 3]}]}], "
     "new_fences: [{year: 2, name: east, through: [[0, 5], [9, 5]]}]}\n",
     ["bad.yaml", "management.fence_gaps[0].fence", "no fence named 'east'"], True),
    ("climate trend of a probability above 1",
     GOOD + "environment: {trends: [{setting: harsh_winter_prob, steps: [[5, 2.0]]}]}\n",
     ["bad.yaml", "environment.trends[0]", "probability in 0-1"], False),
    ("climate trend of an unknown setting", GOOD + "environment: {trends: [{setting: rain, to: 1, to_year: 5}]}\n",
     ["bad.yaml", "environment.trends[0].setting", "prey_capacity", "drought_prob"], False),
    ("uniform-only key under ustyurt", GOOD.replace("preset: uniform, width_km: 25, height_km: 25, cell_km: 2.5",
                                                    "preset: ustyurt, gazelle_density: 2"),
     ["bad.yaml", "landscape: gazelle_density only shape the uniform preset", "capacity_multiplier"], False),
    ("ceiling under prey_limited", GOOD + "ceiling: 40\n",
     ["bad.yaml", "ceiling: rules.density 'prey_limited' does not use a ceiling"], False),
    ("walk_persistence under habitat_walk", GOOD + "cheetah: {walk_persistence: 0.9}\nrules: {movement: habitat_walk}\n",
     ["bad.yaml", "cheetah.walk_persistence", "only correlated_walk"], False),
    ("escarpment layer", GOOD.replace("cell_km: 2.5}", "cell_km: 2.5, layers: {escarpment: e.npy}}"),
     ["bad.yaml", "landscape.layers.escarpment would only redraw the map", "landscape.layers.urial"], False),
    ("mate_search_km under anywhere", GOOD + "cheetah: {mate_search_km: 30}\nrules: {mate_finding: anywhere}\n",
     ["bad.yaml", "cheetah.mate_search_km", "'anywhere' finds a mate at any distance"], False),
    ("migratory hare without seasonal layers (found by tests/test_fuzz.py: the run failed)",
     GOOD.replace("urial: {initial_total: 0}}", "urial: {initial_total: 0}, hare: {migratory: true}}"),
     ["bad.yaml", "prey.hare.migratory: got true", "no capacity layer hare_winter, hare_summer",
      "set prey.hare.migratory: false"], True),
    ("resident saiga without a year-round layer",
     GOOD.replace("saiga: {initial_total: 0}", "saiga: {initial_total: 0, migratory: false}"),
     ["bad.yaml", "prey.saiga.migratory: got false", "no capacity layer saiga", "set prey.saiga.migratory: true"],
     True),
    ("unknown rule", GOOD + "rules: {movement: habitat_wlak}\n",
     ["bad.yaml", "rules.movement", "'habitat_wlak'", "habitat_walk", "did you mean 'habitat_walk'?"], False),
]


@pytest.mark.parametrize("text, fragments, landscape", [c[1:] for c in BAD_INPUTS],
                         ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_gives_a_message_naming_file_key_and_allowed_values(tmp_path, text, fragments, landscape):
    bad = write(tmp_path, "bad.yaml", text)
    with pytest.raises(ScenarioError) as info:
        check_all(load_scenarios([bad]), landscape=landscape)
    for fragment in fragments:
        assert fragment in messages(info.value), f"{fragment!r} not in:\n{info.value}"


def test_raster_of_the_wrong_shape_names_the_file_and_layer(tmp_path):
    np.save(tmp_path / "hab.npy", np.full((3, 4), 0.5))
    bad = write(tmp_path, "bad.yaml", GOOD.replace(
        "cell_km: 2.5}", "cell_km: 2.5, layers: {habitat: hab.npy}}"))
    loaded = load_scenarios([bad])
    with pytest.raises(ScenarioError) as info:
        check_all(loaded)
    msg = str(info.value)
    assert "bad.yaml" in msg and "landscape" in msg and "hab" in msg
    assert "(3, 4)" in msg or "3 x 4" in msg or "3x4" in msg or "3 × 4" in msg, msg


def test_release_site_error_lists_the_valid_sites(tmp_path):
    from sim.world.build import build_landscape
    from sim.config.schema import LandscapeSpec

    land = build_landscape(LandscapeSpec(preset="uniform", width_km=25, height_km=25))
    bad = write(tmp_path, "bad.yaml", GOOD.replace("cell: [2, 2]", "site: nowhere"))
    (scenario, _), = load_scenarios([bad])
    with pytest.raises(ScenarioError) as info:
        check_against_landscape(scenario, land, bad)
    for site in land.sites:
        assert site in str(info.value)


def test_a_prey_grid_too_coarse_for_the_fences_is_a_clear_error_naming_the_key(tmp_path):
    from sim.world.landscape import SOUTH, Fence
    from tests.helpers import flat_landscape

    land = flat_landscape(20, 20)
    edges = np.array([(SOUTH, r, c) for r in (9, 10) for c in range(20)], dtype=np.int64)   # a 1-row strip
    land = land.replace(fences=(Fence("strip", edges, np.zeros(len(edges), bool)),))
    bad = write(tmp_path, "bad.yaml", GOOD.replace("cell_km: 2.5}", "cell_km: 2.5, prey_cell_km: 10}"))
    (scenario, _), = load_scenarios([bad])
    with pytest.raises(ScenarioError) as info:
        check_against_landscape(scenario, land, bad)
    msg = messages(info.value)
    assert "bad.yaml" in msg and "landscape.prey_cell_km" in msg and "regions" in msg, msg


def test_valid_scenario_passes_the_landscape_checks(tmp_path):
    good = write(tmp_path, "good.yaml", GOOD)
    check_all(load_scenarios([good]))


def test_extends_cycle_is_refused_with_the_chain(tmp_path):
    write(tmp_path, "other.yaml", "extends: bad.yaml\nyears: 3\n")
    bad = write(tmp_path, "bad.yaml", "extends: other.yaml\nname: x\n")
    with pytest.raises(ScenarioError) as info:
        load_scenarios([bad])
    assert "bad.yaml" in str(info.value)
    assert "cycle: bad.yaml → other.yaml → bad.yaml" in str(info.value)


def test_all_problems_of_a_file_are_reported_together(tmp_path):
    bad = write(tmp_path, "bad.yaml", GOOD.replace("years: 10", "years: 0").replace("femal", "femail"))
    with pytest.raises(ScenarioError) as info:
        load_scenarios([bad])
    msg = str(info.value)
    assert "2 problems" in msg
    assert "years: got 0, must be ≥ 1" in msg and "releases[0].femailes" in msg


def test_problems_in_several_files_are_all_reported(tmp_path):
    a = write(tmp_path, "a.yaml", GOOD.replace("years: 10", "years: -1"))
    b = write(tmp_path, "b.yaml", GOOD.replace("name: small", "name: other").replace("replicates: 2", "replicates: 0"))
    with pytest.raises(ScenarioError) as info:
        load_scenarios([a, b])
    assert "a.yaml: years" in str(info.value) and "b.yaml: replicates" in str(info.value)


def test_unknown_key_without_a_close_match_lists_the_allowed_keys(tmp_path):
    bad = write(tmp_path, "bad.yaml", GOOD.replace("females: 2", "zzz: 2"))
    with pytest.raises(ScenarioError) as info:
        load_scenarios([bad])
    assert "releases[0].zzz" in str(info.value)
    assert "keys allowed in releases[0]:" in str(info.value) and "females" in str(info.value)


def test_a_bad_value_inherited_from_a_base_says_where_it_was_set(tmp_path):
    write(tmp_path, "base.yaml", "abstract: true\ncheetah: {mate_search_km: -5}\n")
    child = write(tmp_path, "child.yaml", "extends: base.yaml\n" + GOOD)
    with pytest.raises(ScenarioError) as info:
        load_scenarios([child])
    assert "child.yaml" in str(info.value)
    assert "cheetah.mate_search_km: got -5" in str(info.value) and "(set in base.yaml)" in str(info.value)


def test_an_endless_extends_chain_is_refused_with_its_ends(tmp_path):
    write(tmp_path, "c0.yaml", "abstract: true\nyears: 10\n")
    for i in range(1, 61):
        write(tmp_path, f"c{i}.yaml", f"abstract: true\nextends: c{i - 1}.yaml\n")
    top = write(tmp_path, "top.yaml", GOOD + "extends: c60.yaml\n")
    with pytest.raises(ScenarioError) as info:
        load_scenarios([top])
    assert "a chain of more than 50 base files (top.yaml → ..." in str(info.value)


def test_an_abstract_base_is_checked_for_unknown_keys_types_and_ranges_but_not_completeness(tmp_path):
    ok = write(tmp_path, "ok.yaml", "abstract: true\nyears: 5\nreleases: [{year: 8, cell: [1, 1], females: 1}]\n")
    assert load_scenarios([ok]) == []           # incomplete and release after its years: the children decide
    bad = write(tmp_path, "bad.yaml", "abstract: true\nyears: ten\nrelases: []\ncheetah: {conception_prob_per_month: 1.5}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenarios([bad])
    text = str(info.value)
    for fragment in ("bad.yaml", "years: got 'ten'", "unknown key 'relases'", "conception_prob_per_month: got 1.5"):
        assert fragment in text, text


def test_missing_file_or_base_is_a_scenario_error(tmp_path):
    with pytest.raises(ScenarioError, match="no such file or folder"):
        load_scenarios([tmp_path / "nope.yaml"])
    child = write(tmp_path, "child.yaml", "extends: common/base.yaml\n" + GOOD)
    with pytest.raises(ScenarioError, match=r"child.yaml: extends: base file 'common/base.yaml' not found"):
        load_scenarios([child])


def test_duplicate_scenario_names_are_refused(tmp_path):
    a = write(tmp_path, "a.yaml", GOOD)
    b = write(tmp_path, "b.yaml", GOOD)
    with pytest.raises(ScenarioError, match="'small' is used twice"):
        load_scenarios([a, b])


# ----------------------------------------------------------------------------------- extends
def test_yaml_merge_keys_may_be_overridden_without_a_duplicate_key_error(tmp_path):
    releases = ("releases:\n"
                "  - &first {cell: [2, 2], females: 2, males: 2}\n"
                "  - <<: *first\n"
                "    females: 5\n")
    f = write(tmp_path, "merge.yaml", GOOD.replace("releases:\n  - {cell: [2, 2], females: 2, males: 2}\n", releases))
    (s, _), = load_scenarios([f])
    assert [r.females for r in s.releases] == [2, 5] and s.releases[1].cell == (2, 2)


def test_extends_deep_merges_mappings_and_replaces_lists(tmp_path):
    write(tmp_path, "common/base.yaml", """\
        abstract: true
        years: 30
        landscape: {preset: uniform, width_km: 50, height_km: 40}
        cheetah: {mate_search_km: 40, coalition_prob: 0.3}
        releases:
          - {cell: [1, 1], females: 3, males: 3}
          - {cell: [2, 2], females: 1, males: 1, year: 5}
        """)
    child = write(tmp_path, "child.yaml", """\
        extends: common/base.yaml
        landscape: {height_km: 20}
        cheetah: {coalition_prob: 0.9}
        releases:
          - {cell: [3, 3], females: 6, males: 4}
        """)
    (s, f), = load_scenarios([child])
    assert f == child
    assert s.name == "child"                       # a single-scenario file without a name: its stem
    assert s.years == 30                            # inherited scalar
    assert (s.landscape.preset, s.landscape.width_km, s.landscape.height_km) == ("uniform", 50, 20)
    assert (s.cheetah.mate_search_km, s.cheetah.coalition_prob) == (40, 0.9)
    assert [(r.cell, r.females) for r in s.releases] == [((3, 3), 6)]   # list replaced, not merged


def test_extends_chains_through_several_bases_and_abstract_is_not_inherited(tmp_path):
    write(tmp_path, "a.yaml", "abstract: true\nyears: 12\nreplicates: 7\n")
    write(tmp_path, "b.yaml", "extends: a.yaml\nname: middle\nyears: 15\n")
    loaded = load_scenarios([tmp_path])
    names = {s.name: s for s, _ in loaded}
    assert list(names) == ["middle"]                # a.yaml is abstract, b.yaml is not
    assert (names["middle"].years, names["middle"].replicates) == (15, 7)


def test_deep_merge_does_not_modify_its_inputs():
    base = {"a": {"b": 1, "c": [1, 2]}, "d": 1}
    over = {"a": {"b": 2}, "e": {"f": 1}}
    out = deep_merge(base, over)
    assert out == {"a": {"b": 2, "c": [1, 2]}, "d": 1, "e": {"f": 1}}
    out["a"]["c"].append(3)
    assert base == {"a": {"b": 1, "c": [1, 2]}, "d": 1}


# ----------------------------------------------------------------------------------- files and folders
def test_a_file_may_hold_a_list_of_scenarios(tmp_path):
    f = write(tmp_path, "many.yaml", """\
        - {name: first, years: 5}
        - {name: second, years: 6, abstract: false}
        - {name: only_a_base, abstract: true}
        """)
    loaded = load_scenarios([f])
    assert [(s.name, s.years) for s, _ in loaded] == [("first", 5), ("second", 6)]
    assert all(path == f for _, path in loaded)


def test_every_scenario_in_a_list_needs_a_name(tmp_path):
    f = write(tmp_path, "many.yaml", "- {name: first}\n- {years: 6}\n")
    with pytest.raises(ScenarioError, match=r"scenario 2: name: required key missing"):
        load_scenarios([f])


def test_a_folder_loads_yaml_and_yml_files_sorted_skipping_underscore_names(tmp_path):
    write(tmp_path, "b.yaml", "name: bee\n")
    write(tmp_path, "a.yml", "name: ay\n")
    write(tmp_path, "_draft.yaml", "name: [broken\n")
    write(tmp_path, "notes.txt", "not a scenario")
    assert [s.name for s, _ in load_scenarios([tmp_path])] == ["ay", "bee"]


# ----------------------------------------------------------------------------------- sweeps
def test_sweep_of_one_key_makes_one_scenario_per_value(tmp_path):
    f = write(tmp_path, "founders.yaml", GOOD.replace("name: small", "name: founders\nbaseline: ref")
              + "sweep: {releases.0.females: [4, 6, 8]}\n")
    loaded = load_scenarios([f])
    assert [s.name for s, _ in loaded] == ["founders__females=4", "founders__females=6", "founders__females=8"]
    assert [s.releases[0].females for s, _ in loaded] == [4, 6, 8]
    assert {s.family for s, _ in loaded} == {"founders"}
    assert {s.baseline for s, _ in loaded} == {"ref"}
    assert {s.releases[0].males for s, _ in loaded} == {2}        # the rest is untouched


def test_sweep_of_two_keys_is_the_full_factorial(tmp_path):
    f = write(tmp_path, "grid.yaml", GOOD.replace("name: small", "name: grid\nfamily: fam") + """\
sweep:
  releases[0].females: [2, 4, 6]
  cheetah.mate_search_km: [30, 90]
""")
    loaded = load_scenarios([f])
    got = {(s.releases[0].females, s.cheetah.mate_search_km) for s, _ in loaded}
    assert got == {(a, b) for a in (2, 4, 6) for b in (30.0, 90.0)}
    assert len(loaded) == 6
    assert "grid__females=4__mate_search_km=90" in {s.name for s, _ in loaded}
    assert {s.family for s, _ in loaded} == {"fam"}               # a given family is kept


def test_sweep_with_a_bad_path_or_value_is_reported(tmp_path):
    f = write(tmp_path, "bad.yaml", GOOD + "sweep: {releases.3.females: [1, 2]}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenarios([f])
    assert "bad.yaml" in str(info.value) and "sweep: releases.3.females" in str(info.value)
    assert "index 3 does not exist" in str(info.value)

    f = write(tmp_path, "bad.yaml", GOOD + "sweep: {cheetah.conception_prob_per_month: [0.5, 1.3]}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenarios([f])
    assert "cheetah.conception_prob_per_month: got 1.3, must be ≤ 1" in str(info.value)
    assert "(value set by sweep)" in str(info.value)

    f = write(tmp_path, "bad.yaml", GOOD + "sweep: {cheetah.conception_prob_per_mnth: [0.5]}\n")
    with pytest.raises(ScenarioError, match="did you mean 'conception_prob_per_month'"):
        load_scenarios([f])

    f = write(tmp_path, "bad.yaml", GOOD + "sweep: {years: 12}\n")
    with pytest.raises(ScenarioError, match=r"sweep: years: got 12, must be a non-empty list"):
        load_scenarios([f])


def test_a_sweep_of_more_than_the_limit_is_refused_before_expanding(tmp_path):
    from sim.limits import Limits
    values = list(range(1, 101))
    f = write(tmp_path, "huge.yaml", GOOD + f"sweep: {{releases.0.females: {values}, releases.0.males: {values}, "
                                            f"years: {values}}}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenarios([f])
    text = str(info.value)
    assert "huge.yaml" in text and "100 x 100 x 100 values make 1,000,000 scenarios" in text
    assert f"at most {Limits().sweep:,} per sweep" in text and "10,000" in text


def test_key_paths_accept_dots_and_brackets():
    assert parse_key_path("releases.0.females") == ["releases", 0, "females"]
    assert parse_key_path("releases[0].females") == ["releases", 0, "females"]
    with pytest.raises(ValueError):
        parse_key_path("releases..females")


# ----------------------------------------------------------------------------------- rules
def test_rule_names_are_checked_against_the_registry(tmp_path):
    from sim import registry as rules

    f = write(tmp_path, "r.yaml", GOOD + "rules: {density: cieling}\n")
    (s, _), = load_scenarios([f])
    with pytest.raises(ScenarioError) as info:
        check_rules(s, f)
    assert "rules.density" in str(info.value) and "did you mean 'ceiling'?" in str(info.value)
    for name in rules.available("density"):
        assert name in str(info.value)


def test_a_name_taken_from_the_file_name_says_so_when_invalid(tmp_path):
    f = write(tmp_path, "my scenario.yaml", GOOD.replace("name: small\n", ""))
    with pytest.raises(ScenarioError) as info:
        load_scenarios([f])
    assert "name: got 'my scenario'" in str(info.value) and "taken from the file name" in str(info.value)


def test_a_landscape_problem_shared_by_a_sweep_is_reported_once(tmp_path):
    f = write(tmp_path, "bad.yaml", GOOD.replace("cell: [2, 2]", "site: centr")
              + "sweep: {releases.0.males: [1, 2, 3, 4, 5]}\n")
    with pytest.raises(ScenarioError) as info:
        check_all(load_scenarios([f]))
    msg = str(info.value)
    assert msg.count("no site named 'centr'") == 1
    assert "scenarios 'small__males=1', 'small__males=2', 'small__males=3' and 2 more" in msg
    assert "did you mean 'centre'?" in msg


def test_readme_states_the_number_of_shipped_scenarios():
    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    stated = re.search(r"runs the (\d+) scenarios of `scenarios/`", readme)
    assert stated is not None
    assert int(stated.group(1)) == len(load_scenarios([root / "scenarios"]))
