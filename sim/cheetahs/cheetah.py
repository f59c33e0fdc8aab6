"""The cheetah: one Mesa agent per animal, with its state and the events of its life.

Phases that are cheaper over all animals at once (walking, hunting, hazards, mate search) are run
by :class:`sim.model.ReintroductionModel`, which gathers arrays, draws all random numbers for the
month in one call per phase and then calls the methods here to change each animal's state. Each
method is one event of the life cycle (MODEL.md §3): ``settle``, ``leave_range``, ``conceive``,
``give_birth``, ``become_independent``, ``die``. The energetics rules that the model applies to all
animals at once are the functions :func:`food_need_kg_per_month` and :func:`condition_after_eating`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import mesa
import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from ..model.model import ReintroductionModel

DAYS_PER_MONTH = 365.25 / 12


class Cheetah(mesa.Agent):
    """A cheetah. Positions are grid cells (row, col); ages in months; body condition 0-1.

    ``origin``: ``wild_born`` (born in the landscape), ``wild`` (released, wild-caught) or
    ``captive`` (released, captive-bred). A cub (dependent on ``mother``) has ``mother`` set and
    sits in her cell; ``coalition`` is a list shared by brothers that stay together.
    """

    model: "ReintroductionModel"

    def __init__(self, model: "ReintroductionModel", sex: str, age: int, row: int, col: int, *,
                 origin: str = "wild_born", mother: "Cheetah | None" = None,
                 father_id: int | None = None, gslot: int = -1, F: float = 0.0,
                 litter: int = -1, method: str = "hard", boma_months: int = 0) -> None:
        super().__init__(model)
        self.sex = sex
        self.age = age
        self.row, self.col = row, col
        self.origin = origin
        self.mother = mother
        self.mother_id = mother.unique_id if mother is not None else None
        self.father_id = father_id
        self.gslot = gslot
        self.F = F
        self.litter = litter
        self.method = method
        self.boma_months = boma_months
        self.months_free = 0 if origin != "wild_born" else 10_000   # months since release (from boma)
        self.condition = 1.0
        self.home: tuple[int, int] | None = None
        self.hr_radius_km = 0.0
        self.road_in_range = False
        self.heading = -1
        self.cubs: list[Cheetah] = []
        self.pregnant = 0                 # months of gestation left (0 = not pregnant)
        self.sire: Cheetah | None = None
        self.sire_slot = -1
        self.wait = 0                     # months before she can conceive again
        self.coalition: list[Cheetah] | None = None
        self.alive = True

    # ------------------------------------------------------------------ state
    @property
    def is_cub(self) -> bool:
        return self.mother is not None

    @property
    def in_boma(self) -> bool:
        return self.boma_months > 0

    @property
    def resident(self) -> bool:
        return self.home is not None

    @property
    def stage(self) -> str:
        """cub, subadult (independent, younger than adult age, not settled), resident, transient."""
        if self.is_cub:
            return "cub"
        if self.home is not None:
            return "resident"
        return "subadult" if self.age < self.model.params.adult_months else "transient"

    @property
    def released(self) -> bool:
        return self.origin != "wild_born"

    @property
    def leader(self) -> "Cheetah":
        """The member of the coalition who decides where it goes (self if solitary)."""
        return self.coalition[0] if self.coalition else self

    # ------------------------------------------------------------------ events
    def settle(self, row: int, col: int, radius_km: float) -> None:
        """Take a home range centred on (row, col) of radius radius_km (with coalition mates)."""
        road_in = self.model.road_within(row, col, radius_km)
        for a in (self.coalition or [self]):
            a.home = (row, col)
            a.row, a.col = row, col
            a.hr_radius_km = radius_km
            a.road_in_range = road_in

    def leave_range(self) -> None:
        """Abandon the home range (starving residents go looking for a better place)."""
        for a in (self.coalition or [self]):
            a.home = None
            a.hr_radius_km = 0.0
            a.road_in_range = False

    def conceive(self, sire: "Cheetah | None") -> None:
        self.pregnant = self.model.params.gestation_months
        self.sire = sire
        self.sire_slot = sire.gslot if sire is not None else -1
        if sire is not None:
            self.model.hold_slot(sire.gslot)

    def give_birth(self) -> list["Cheetah"]:
        """Produce a litter in her cell; cubs inherit alleles and F from the parents."""
        m = self.model
        p = m.params
        n = m.litter_size()
        sexes = m.rng.random(n) < p.sex_ratio_at_birth
        if self.sire_slot >= 0:
            slots = m.genetics.litter(self.gslot, self.sire_slot, n)
            m.release_slot(self.sire_slot)
        else:                               # an unrelated immigrant sire (mate_finding: always)
            phantom = m.genetics.founder()
            slots = m.genetics.litter(self.gslot, phantom, n)
            m.genetics.remove(phantom)
        for s in slots:
            m.hold_slot(s, new=True)
        litter_id = m.next_litter_id()
        father_id = self.sire.unique_id if self.sire is not None else None
        cubs = [Cheetah(m, "M" if male else "F", 0, self.row, self.col, mother=self,
                        father_id=father_id, gslot=s, F=m.genetics.F(s), litter=litter_id)
                for male, s in zip(sexes, slots)]
        self.cubs = cubs
        self.pregnant = 0
        self.sire = None
        self.sire_slot = -1
        m.year_births += n
        m.year_breeders.add(self.unique_id)
        return cubs

    def become_independent(self) -> None:
        """Leave the mother: a subadult walking in search of a home range."""
        mother = self.mother
        self.mother = None
        self.home = None
        self.heading = -1
        if mother is not None and self in mother.cubs:
            mother.cubs.remove(self)

    def lose_cub(self, cub: "Cheetah") -> None:
        if cub in self.cubs:
            self.cubs.remove(cub)
            if not self.cubs:
                self.wait = self.model.params.remating_delay_months

    def die(self, cause: str) -> None:
        """Record the death, release the genes' slot, and settle what depends on this animal:
        young cubs of a dead mother die with her (older ones become independent)."""
        if not self.alive:
            return
        self.alive = False
        m = self.model
        m.record_death(cause)
        if self.mother is not None:
            self.mother.lose_cub(self)
            self.mother = None
        if self.coalition is not None:
            self.coalition.remove(self)
            if len(self.coalition) == 1:
                self.coalition[0].coalition = None
            self.coalition = None
        for cub in list(self.cubs):
            if cub.age >= m.params.orphan_survival_months:
                cub.become_independent()
            else:
                cub.die("orphaned")
        self.cubs = []
        if self.sire_slot >= 0:
            m.release_slot(self.sire_slot)
            self.sire_slot = -1
        m.release_slot(self.gslot)
        self.remove()


def food_need_kg_per_month(p, age, is_cub, n_cubs, youngest_cub_age):
    """Food an animal needs a month [kg]; arrays (one entry per animal) or scalars.

    An adult or independent animal: ``food_kg_per_day`` x days a month (about 4 kg/day). A
    dependent cub: nothing before ``cub_weaning_months``, then from 30 % of an adult's need at
    weaning rising linearly to an adult's at ``independence_months``. A mother whose cubs
    (``n_cubs``, youngest ``youngest_cub_age`` months; inf if none) are not yet weaned: an adult's
    need x (1 + ``lactation_extra_need`` x n_cubs / 3). ``p``: :class:`sim.params.CheetahParams`."""
    base = p.food_kg_per_day * DAYS_PER_MONTH
    age = np.asarray(age, dtype=float)
    wean = p.cub_weaning_months
    frac = np.minimum(1.0, 0.3 + 0.7 * (age - wean) / max(p.independence_months - wean, 1e-9))
    cub = np.where(age < wean, 0.0, base * frac)
    n_cubs = np.asarray(n_cubs, dtype=float)
    nursing = (n_cubs > 0) & (np.asarray(youngest_cub_age, dtype=float) < wean)
    grown = np.where(nursing, base * (1.0 + p.lactation_extra_need * n_cubs / 3.0), base)
    return np.where(is_cub, cub, grown)


def condition_after_eating(p, condition, eaten_kg, need_kg):
    """Body condition (0-1; 1 = full reserve) after a month's meals: it rises or falls by
    (eaten - need) / reserve, the reserve being ``reserve_days`` x ``food_kg_per_day`` kg.
    Arrays or scalars."""
    reserve_max = p.reserve_days * p.food_kg_per_day
    return np.minimum(np.maximum(np.asarray(condition, dtype=float) + (eaten_kg - need_kg) / reserve_max, 0.0), 1.0)


def months_to_hazard(annual_survival: float) -> float:
    """Constant monthly hazard giving the annual survival (per month)."""
    return -math.log(max(annual_survival, 1e-12)) / 12.0


#: Monthly mortality draws a cub faces before its first birthday: it is born after the month's
#: mortality phase and aged once before its first draw, so it is drawn at ages 1..11 months.
FIRST_YEAR_DRAWS = 11


def release_hazard_scale(survival: float, tau_months: float) -> float:
    """Post-release hazard at release, h0 [per month], such that the draws at months_free = 0..11
    with hazard h0 exp(-t / tau_months) give exactly ``survival`` over the first free year."""
    weights = sum(math.exp(-t / tau_months) for t in range(12))
    return -math.log(survival) / weights


def cub_background_hazard(p) -> float:
    """Monthly background hazard of a dependent cub such that, over the monthly mortality draws
    a cub faces before independence (born after the month's mortality phase, independent at the
    ageing of age ceil(independence_months) - 1 → ceil), survival is ``cub_survival_base``."""
    draws = max(1, math.ceil(p.independence_months) - 1)
    return -math.log(p.cub_survival_base) / draws
