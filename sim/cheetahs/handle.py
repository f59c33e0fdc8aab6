"""The Mesa agent of a cheetah: a thin handle whose properties read and write its row.

The population's state lives in :class:`sim.cheetahs.population.Cheetahs` (one row per animal);
``Cheetah`` makes each animal a ``mesa.Agent`` of the model, so Mesa's ``model.agents``,
``AgentSet`` queries and visualisation see the animals, and tests, notebooks and events can talk
about one animal (``a.condition``, ``a.home``, ``a.cubs``). The monthly processes never loop over
handles: they work on the arrays.

A handle finds its row by its ``unique_id`` (rows are in the order of the ids), so compaction of
the arrays never has to update the handles. A dead animal's handle is removed from the model;
reading its state raises ``LookupError``.
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np

from .population import ORIGINS


class Cheetah(mesa.Agent):
    """One cheetah (see the module docstring). Positions are grid cells (row, col); ages in
    months; body condition 0-1."""

    model: Any

    @property
    def _i(self) -> int:
        pop = self.model.cheetahs
        i = pop.row_of(self.unique_id)
        if i < 0 or not pop.alive[i]:
            raise LookupError(f"cheetah {self.unique_id} is not alive in the model")
        return i

    def _get(self, name: str):
        return getattr(self.model.cheetahs, name)[self._i]

    def _set(self, name: str, value) -> None:
        getattr(self.model.cheetahs, name)[self._i] = value

    # ------------------------------------------------------------------ identity
    @property
    def alive(self) -> bool:
        i = self.model.cheetahs.row_of(self.unique_id)
        return i >= 0 and bool(self.model.cheetahs.alive[i])

    @property
    def sex(self) -> str:
        return "M" if self._get("male") else "F"

    @property
    def origin(self) -> str:
        return ORIGINS[int(self._get("origin"))]

    @property
    def released(self) -> bool:
        return self.origin != "wild_born"

    @property
    def method(self) -> str:
        return "soft" if self._get("soft") else "hard"

    @property
    def age(self) -> int:
        """Age [months]."""
        pop = self.model.cheetahs
        return int(pop.clock - pop.birth[self._i])

    @property
    def gslot(self) -> int:
        return int(self._get("gslot"))

    @property
    def F(self) -> float:
        return float(self._get("F"))

    @property
    def litter(self) -> int:
        return int(self._get("litter"))

    @property
    def mother_id(self) -> int | None:
        v = int(self._get("mother_uid"))
        return None if v < 0 else v

    @property
    def father_id(self) -> int | None:
        v = int(self._get("father_uid"))
        return None if v < 0 else v

    # ------------------------------------------------------------------ state
    @property
    def row(self) -> int:
        return int(self._get("row"))

    @property
    def col(self) -> int:
        return int(self._get("col"))

    @property
    def condition(self) -> float:
        """Body condition 0-1 (1 = full reserve)."""
        return float(self._get("condition"))

    @condition.setter
    def condition(self, value: float) -> None:
        self._set("condition", value)

    @property
    def home(self) -> tuple[int, int] | None:
        """Home-range centre (row, col), or None for a non-resident."""
        i, pop = self._i, self.model.cheetahs
        return None if pop.home_row[i] < 0 else (int(pop.home_row[i]), int(pop.home_col[i]))

    @property
    def hr_radius_km(self) -> float:
        return float(self._get("hr_radius_km"))

    @property
    def boma_months(self) -> int:
        return int(self._get("boma_months"))

    @property
    def in_boma(self) -> bool:
        return self.boma_months > 0

    @property
    def months_free(self) -> int:
        return int(self._get("months_free"))

    @property
    def pregnant(self) -> int:
        """Months of gestation left (0: not pregnant)."""
        return int(self._get("pregnant"))

    @property
    def is_cub(self) -> bool:
        return int(self._get("mother")) >= 0

    @property
    def resident(self) -> bool:
        return self.home is not None

    @property
    def stage(self) -> str:
        """cub, subadult (independent, younger than adult_months, not settled), resident, transient."""
        if self.is_cub:
            return "cub"
        if self.home is not None:
            return "resident"
        return "subadult" if self.age < self.model.params.adult_months else "transient"

    # ------------------------------------------------------------------ relations
    def _handle(self, row: int) -> "Cheetah":
        return self.model.cheetahs.handles[row]

    @property
    def mother(self) -> "Cheetah | None":
        m = int(self._get("mother"))
        return None if m < 0 else self._handle(m)

    @property
    def cubs(self) -> list["Cheetah"]:
        """Dependent cubs, eldest row first."""
        pop = self.model.cheetahs
        return [self._handle(r) for r in np.flatnonzero((pop.mother == self._i) & pop.alive).tolist()]

    @property
    def coalition(self) -> list["Cheetah"] | None:
        """Coalition members (leader first), or None for an animal alone."""
        pop = self.model.cheetahs
        c = int(pop.coalition[self._i])
        if c < 0:
            return None
        return [self._handle(r) for r in np.flatnonzero((pop.coalition == c) & pop.alive).tolist()]

    @property
    def leader(self) -> "Cheetah":
        """The member of the coalition who decides where it goes (itself if alone)."""
        co = self.coalition
        return co[0] if co else self

    # ------------------------------------------------------------------ events
    def settle(self, row: int, col: int, radius_km: float) -> None:
        """Take a home range centred on (row, col) of radius ``radius_km`` (with coalition mates)."""
        self.model.settle_units(np.array([self.leader._i]), np.array([row]), np.array([col]),
                                np.array([float(radius_km)]))

    def leave_range(self) -> None:
        self.model.leave_ranges(np.array([self.leader._i]))

    def die(self, cause: str) -> None:
        """Die now of ``cause`` (with everything that follows: see
        :func:`sim.cheetahs.events.apply_deaths`)."""
        self.model.kill(np.array([self._i]), [cause])
