"""The cheetah population as arrays: Mesa handles read and write the rows, compaction keeps every
relation, deaths are decided then applied independently of the order of the rows."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from sim.cheetahs.population import FIELDS
from sim.life import mortality
from sim.model.model import ReintroductionModel
from tests.helpers import flat_landscape, scenario


def _model(seed: int = 0) -> ReintroductionModel:
    return ReintroductionModel(scenario(), flat_landscape(), rng=np.random.default_rng(seed))


def _family(m):
    """Two mothers with cubs (one litter of two, one of three), a coalition of three brothers and
    a lone male, in that order of rows."""
    (mum1,) = m.add_cheetahs(sex="F", age_months=60, row=3, col=4)
    cubs1 = [m.add_cheetahs(sex=s, age_months=6, row=3, col=4, mother=mum1)[0] for s in "FM"]
    (mum2,) = m.add_cheetahs(sex="F", age_months=50, row=9, col=9)
    cubs2 = [m.add_cheetahs(sex=s, age_months=14, row=9, col=9, mother=mum2)[0] for s in "MMF"]
    brothers = m.add_cheetahs(3, sex="M", age_months=30, row=20, col=20)
    m.cheetahs.coalition[[m.cheetahs.row_of(b.unique_id) for b in brothers]] = 7
    (lone,) = m.add_cheetahs(sex="M", age_months=40, row=30, col=5)
    return mum1, cubs1, mum2, cubs2, brothers, lone


def test_handle_properties_read_and_write_the_rows():
    m = _model()
    mum1, cubs1, mum2, cubs2, brothers, lone = _family(m)
    pop = m.cheetahs
    assert len(pop) == len(m.agents) == 11 and all(a.alive for a in m.handles)
    r = pop.row_of(mum2.unique_id)
    assert mum2.age == 50 and mum2.sex == "F" and (mum2.row, mum2.col) == (9, 9)
    mum2.condition = 0.25                                   # a write through the handle ...
    assert pop.condition[r] == 0.25                         # ... lands in the row
    pop.condition[r] = 0.5                                  # and a write to the row ...
    assert mum2.condition == 0.5                            # ... is what the handle reads
    assert mum2.cubs == cubs2 and all(c.mother is mum2 and c.is_cub and c.stage == "cub" for c in cubs2)
    assert brothers[1].coalition == brothers and brothers[2].leader is brothers[0] and lone.leader is lone
    brothers[1].settle(21, 22, 12.0)                        # the coalition settles together
    assert all(b.home == (21, 22) and b.hr_radius_km == 12.0 and b.stage == "resident" for b in brothers)
    assert lone.home is None and lone.stage == "transient"


def test_compaction_keeps_mothers_coalitions_and_genetic_slots():
    m = _model()
    mum1, cubs1, mum2, cubs2, brothers, lone = _family(m)
    pop = m.cheetahs
    before = {h.unique_id: (h.gslot, h.F, h.sex, h.age) for h in m.handles}
    # the first mother dies (her 6-month cubs die with her), and the coalition's leader
    m.kill(np.array([pop.row_of(mum1.unique_id), pop.row_of(brothers[0].unique_id)]), ["human", "road"])
    assert not mum1.alive and not any(c.alive for c in cubs1) and not brothers[0].alive
    assert len(pop) == 11 - 4 and len(m.agents) == 7
    # rows moved up, relations followed them
    assert mum2.cubs == cubs2 and all(c.mother is mum2 for c in cubs2)
    assert all(pop.mother[pop.row_of(c.unique_id)] == pop.row_of(mum2.unique_id) for c in cubs2)
    assert brothers[1].coalition == brothers[1:] and brothers[2].leader is brothers[1]
    assert {h.unique_id: (h.gslot, h.F, h.sex, h.age) for h in m.handles} == \
        {u: v for u, v in before.items() if u in {h.unique_id for h in m.handles}}
    assert set(m.genetics.living_slots().tolist()) == {h.gslot for h in m.handles}
    with pytest.raises(LookupError):
        mum1.condition
    # a coalition of one is none
    m.kill(np.array([pop.row_of(brothers[1].unique_id)]), ["background"])
    assert brothers[2].coalition is None and brothers[2].leader is brothers[2]


def test_orphans_die_if_young_and_go_independent_if_old_enough():
    m = _model()
    mum1, cubs1, mum2, cubs2, brothers, lone = _family(m)        # cubs of 6 and of 14 months
    assert m.params.orphan_survival_months == 12
    pop = m.cheetahs
    m.kill(np.array([pop.row_of(mum1.unique_id), pop.row_of(mum2.unique_id)]), ["human", "human"])
    assert not any(c.alive for c in cubs1)
    assert all(c.alive and not c.is_cub and c.stage == "subadult" for c in cubs2)
    assert list(m.year_deaths[[m.census_causes.index("human"), m.census_causes.index("orphaned")]]) == [2, 2]


def test_a_mother_who_loses_her_last_cub_can_conceive_again_after_the_delay():
    m = _model()
    mum1, cubs1, *_ = _family(m)
    pop = m.cheetahs
    m.kill(np.array([pop.row_of(cubs1[0].unique_id)]), ["predation"])
    assert pop.wait[pop.row_of(mum1.unique_id)] == 0                  # one cub left
    m.kill(np.array([pop.row_of(cubs1[1].unique_id)]), ["predation"])
    assert pop.wait[pop.row_of(mum1.unique_id)] == m.params.remating_delay_months


@pytest.mark.parametrize("seed", range(5))
def test_the_months_deaths_do_not_depend_on_the_order_they_are_listed_in(seed):
    """Decide, then apply: the same deaths listed in any order give the same survivors, the same
    causes (a cub whose mother dies is orphaned whatever its own cause) and the same state."""
    rng = np.random.default_rng(seed)
    results = []
    for order in range(3):
        m = _model()
        _family(m)
        _family(m)
        pop = m.cheetahs
        dead = np.sort(np.random.default_rng(seed).choice(len(pop), size=8, replace=False))
        causes = [["background", "human", "road", "predation"][k % 4] for k in range(dead.size)]
        perm = np.arange(dead.size) if order == 0 else rng.permutation(dead.size)
        mortality.apply(m, dead[perm], [causes[k] for k in perm])
        state = {name: getattr(pop, name).copy() for name in FIELDS if name != "uid"}
        results.append((sorted(h.unique_id for h in m.handles), m.year_deaths.copy(), state))
    for other in results[1:]:
        assert other[0] == results[0][0]
        assert np.array_equal(other[1], results[0][1])
        for name, a in results[0][2].items():
            assert np.array_equal(a, other[2][name]), name


def test_adding_rows_grows_the_storage_and_keeps_what_was_there():
    m = _model()
    first = m.add_cheetahs(3, sex="M", age_months=40, row=1, col=2)
    m.cheetahs.condition[:] = [0.1, 0.2, 0.3]
    more = m.add_cheetahs(200, sex="F", age_months=30, row=5, col=6)      # past the initial capacity
    assert len(m.cheetahs) == 203 and [a.condition for a in first] == [0.1, 0.2, 0.3]
    assert all(a.condition == 1.0 and a.sex == "F" for a in more)
    assert np.all(np.diff(m.cheetahs.uid) > 0)                         # rows in the order of the ids


def test_a_finished_replicate_frees_its_model():
    """run_replicate leaves nothing holding the model: its handles (in a numpy object array the
    garbage collector cannot traverse) are dropped, so a batch worker's memory stays flat."""
    import gc
    import weakref
    from types import SimpleNamespace

    from sim.config.factories import uniform_reserve
    from sim.model.model import run_replicate
    from sim.world import build_landscape

    sc = uniform_reserve("freed", years=2, size_km=40.0, gazelle=8.0, releases=[{"females": 4, "males": 4}])
    seen = []
    run_replicate(sc, 1, landscape=build_landscape(sc.landscape),
                  observers=[SimpleNamespace(on_census=lambda m, year: seen.append(weakref.ref(m)))])
    gc.collect()
    assert seen and seen[0]() is None, "the finished model is still alive"


def test_column_views_follow_births_and_compaction_and_whole_column_writes_reach_the_rows():
    """Columns are kept as views after the first read (the hot path reads them often); they must
    be dropped when rows are added, the storage grows or the dead are dropped, and assigning a
    whole column writes the population's storage, not a loose array."""
    m = _model()
    pop = m.cheetahs
    m.add_cheetahs(3, sex="F", age_months=40)
    first = pop.condition
    assert pop.condition is first and len(first) == 3                  # kept between reads
    m.add_cheetahs(70, sex="M", age_months=30)                         # grows past the first capacity
    assert len(pop.condition) == 73 and len(pop.male) == 73
    pop.condition = 0.5                                                # a whole-column write ...
    assert np.all(pop.condition == 0.5)
    pop.alive[[0, 5]] = False
    pop.compact()
    assert len(pop.condition) == 71 and np.all(pop.condition == 0.5)   # ... reached the storage
    assert not pop.male[0] and not pop.male[1] and pop.male[2]         # old rows 1, 2 (F) and 3 (M)
    twin = copy.deepcopy(pop)                                           # a copy keeps no view apart from its storage
    twin.condition[0] = 0.25
    twin._forget_views()
    assert twin.condition[0] == 0.25 and pop.condition[0] == 0.5
