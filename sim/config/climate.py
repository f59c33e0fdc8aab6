"""Climate trends (Roadmap 1.2.4): environmental settings that change over the horizon.

``environment.trends`` lists settings whose value changes with the year, linearly between two
years or in steps; every other year keeps the setting's constant value. Settings:

* ``prey_capacity``: multiplier on every prey species' carrying capacity (1 = today), applied on
  top of the year's random capacity multiplier;
* ``harsh_winter_prob``, ``drought_prob``, ``saiga_die_off_prob``: probability per year of the
  catastrophe (drawn each January, :mod:`sim.life.environment`).

Example: saiga habitat drying to 70 % of today's capacity by year 50, and harsh winters twice
as frequent from year 20::

    environment:
      trends:
        - {setting: prey_capacity, from_year: 1, to_year: 50, to: 0.7}
        - {setting: harsh_winter_prob, steps: [[20, 0.2]]}
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .params import EnvironmentParams, Params

#: Settings a trend may change, and the value each has when no trend is given (None: the
#: environment's own key of that name).
TREND_SETTINGS = ("prey_capacity", "harsh_winter_prob", "drought_prob", "saiga_die_off_prob")


class Trend(Params):
    """One setting's value over the years: linear from its constant value in ``from_year`` to
    ``to`` in ``to_year`` (constant after), or ``steps`` of [year, value] from that year on."""

    setting: Literal["prey_capacity", "harsh_winter_prob", "drought_prob", "saiga_die_off_prob"] = Field(
        ..., description="prey_capacity: multiplier on prey K (1 = today); the others: probability per year")
    from_year: int = Field(1, ge=1, description="Linear trend: year it starts (value = the constant value)")
    to_year: int | None = Field(None, ge=1, description="Linear trend: year it reaches 'to' (constant after)")
    to: float | None = Field(None, ge=0, le=10, description="Linear trend: value reached in to_year")
    steps: list[tuple[int, float]] | None = Field(None, min_length=1, description=(
        "Stepwise trend: [year, value] pairs in increasing years; each value holds from its year on"))

    @model_validator(mode="after")
    def _check(self) -> "Trend":
        linear = self.to is not None or self.to_year is not None
        if linear == (self.steps is not None):
            raise ValueError("give either 'to' and 'to_year' (a linear trend) or 'steps' ([year, value] pairs)")
        if linear:
            if self.to is None or self.to_year is None:
                raise ValueError("a linear trend needs both 'to' and 'to_year'")
            if self.to_year <= self.from_year:
                raise ValueError(f"to_year ({self.to_year}) must come after from_year ({self.from_year})")
            values = [self.to]
        else:
            years = [y for y, _ in self.steps]
            if any(y < 1 for y in years) or years != sorted(set(years)):
                raise ValueError("steps: years must be >= 1 and strictly increasing")
            values = [v for _, v in self.steps]
        if any(v < 0 for v in values) or (self.setting != "prey_capacity" and any(v > 1 for v in values)):
            kind = "a multiplier >= 0" if self.setting == "prey_capacity" else "a probability in 0-1"
            raise ValueError(f"{self.setting}: every value must be {kind}")
        return self

    def last_year(self) -> int:
        """The last year the trend changes the value."""
        return self.to_year if self.steps is None else self.steps[-1][0]

    def value(self, year: int, constant: float) -> float:
        """The setting's value in ``year`` (1-based) when its constant value is ``constant``."""
        if self.steps is not None:
            out = constant
            for y, v in self.steps:
                if year >= y:
                    out = v
            return out
        if year <= self.from_year:
            return constant
        if year >= self.to_year:
            return self.to
        t = (year - self.from_year) / (self.to_year - self.from_year)
        return constant + t * (self.to - constant)


class Environment(EnvironmentParams):
    """Year effects, catastrophes and climate trends."""

    trends: list[Trend] = Field(default_factory=list, description=(
        "Climate trends: settings that change over the horizon (sim.config.climate)"))

    @model_validator(mode="after")
    def _one_trend_per_setting(self) -> "Environment":
        seen = [t.setting for t in self.trends]
        twice = sorted({s for s in seen if seen.count(s) > 1})
        if twice:
            raise ValueError(f"trends: one trend per setting; {', '.join(twice)} given more than once")
        return self

    def setting(self, name: str, year: int) -> float:
        """The value of a trend setting (TREND_SETTINGS) in ``year``."""
        constant = 1.0 if name == "prey_capacity" else float(getattr(self, name))
        for t in self.trends:
            if t.setting == name:
                return t.value(year, constant)
        return constant


__all__ = ["Trend", "Environment", "TREND_SETTINGS"]
