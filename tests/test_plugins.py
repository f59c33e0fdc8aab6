"""Rules researchers swap without editing the model: a plugin hazard and a plugin food source,
each one registered function in a file of their own plus its parameter, change the outcomes as
they should; rule kinds have documented signatures."""

from __future__ import annotations

import textwrap

import numpy as np

from sim import registry
from sim.config.factories import uniform_reserve
from sim.model.model import run_replicate
from sim.world import build_landscape

PLUGIN = textwrap.dedent('''
    import numpy as np
    from sim.registry import register

    @register("hazard", "test_snakebite")
    def snakebite(ctx, animals):
        """Adults bitten by snakes: a monthly hazard from the scenario's plugin_params."""
        return np.where(animals.is_cub, 0.0, ctx.plugin_params.get("snakebite_per_month", 0.0))

    @register("food_source", "test_carrion")
    def carrion(ctx, leaders, need_kg, want_kg):
        """Every unit finds carrion worth a share of its need [kg] (plugin_params)."""
        return np.minimum(want_kg, ctx.plugin_params.get("carrion_share", 0.0) * need_kg)
''')


def _reserve(**kw):
    return uniform_reserve("plugin_test", years=6, size_km=80.0, gazelle=kw.pop("gazelle", 4.0),
                           releases=[{"females": 6, "males": 6}], **kw)


def _runs(sc, seeds=range(4)):
    land = build_landscape(sc.landscape)
    return [run_replicate(sc, s, landscape=land) for s in seeds]


def test_a_plugin_hazard_adds_deaths_counted_as_other(tmp_path):
    path = tmp_path / "my_rules.py"
    path.write_text(PLUGIN)
    registry.load_plugin(path)
    hazards = registry.get("hazard", "background")          # built-ins stay
    assert callable(hazards)
    base = _reserve()
    with_snakes = _reserve(rules={"hazards": [*base.rules.hazards, "test_snakebite"]},
                           plugin_params={"snakebite_per_month": 0.05})
    a, b = _runs(base), _runs(with_snakes)
    other_a = sum(r.census["deaths_other"].sum() for r in a)
    other_b = sum(r.census["deaths_other"].sum() for r in b)
    assert other_a == 0 and other_b > 10
    assert sum(r.extra["deaths_by_plugin_cause"]["test_snakebite"] for r in b) == other_b
    assert sum(r.census["N"][-1] for r in b) < sum(r.census["N"][-1] for r in a)
    # its parameter set to zero, the hazard changes nothing: the same numbers as without it
    zero = _reserve(rules={"hazards": [*base.rules.hazards, "test_snakebite"]},
                    plugin_params={"snakebite_per_month": 0.0})
    assert all(np.array_equal(x.census["N"], y.census["N"]) for x, y in zip(_runs(zero), a))


def test_a_plugin_food_source_feeds_cheetahs_where_prey_is_too_scarce(tmp_path):
    path = tmp_path / "my_rules.py"
    path.write_text(PLUGIN)
    registry.load_plugin(path)
    scarce = _reserve(gazelle=0.05)
    # where food does not come from prey, cheetahs settle by space alone (ranges sized by prey
    # would never be found here, and only resident females breed)
    fed = _reserve(gazelle=0.05, rules={"food_sources": ["ungulate_kills", "test_carrion"],
                                        "settlement": "space_only"},
                   plugin_params={"carrion_share": 1.0})
    a, b = _runs(scarce), _runs(fed)
    starved_a = sum(r.census["deaths_starvation"].sum() for r in a)
    starved_b = sum(r.census["deaths_starvation"].sum() for r in b)
    assert starved_a > 5 and starved_b == 0
    assert all(r.census["N"][-1] == 0 for r in a) and all(r.census["N"][-1] > 12 for r in b)
    assert all(r.census["mean_condition"][0] > 0.9 for r in b)


def test_every_rule_kind_has_a_protocol_and_its_built_in_rules_are_registered():
    import sim.life  # noqa: F401  (registers the built-in rules)

    for kind, proto in registry.KINDS.items():
        assert getattr(proto, "_is_protocol", False) and "__call__" in vars(proto), kind
        assert registry.available(kind), f"no built-in {kind} rule"
        assert all(registry.is_builtin(kind, n) for n in registry.available(kind)
                   if not n.startswith(("test", "_test", "batch_test")))
        assert kind == "density" or proto.__doc__, f"the {kind} signature is not documented"
