"""Command-line overrides of loaded scenarios (``--replicates``, ``--years``, ``--quick``,
``--common-random-numbers``): the scenarios re-validated with them, and notes for the user.
Shared by ``run``, the Python API (:mod:`sim.api`) and the sensitivity study."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from .errors import ScenarioError
from .messages import describe_error
from .schema import Scenario, repeat_years

#: ``--quick``: at most this many replicates and years per scenario.
QUICK_REPLICATES = 10
QUICK_YEARS = 10


def _cut_to_horizon(item, path: str, horizon: int, scenario: str, notes: list[str]):
    """``item`` (a release or an intervention: ``year``, perhaps ``repeat``) as it fits within
    ``horizon`` years: unchanged, with fewer repeats, or None (dropped), with a note for a change."""
    when = repeat_years(item.year, getattr(item, "repeat", None))
    inside = sum(y <= horizon for y in when)
    if inside == 0:
        notes.append(f"--quick: scenario {scenario!r}: dropped {path} (year {item.year}), after the "
                     f"{horizon}-year horizon")
        return None
    if inside < len(when):
        notes.append(f"--quick: scenario {scenario!r}: {path} repeats {inside} time(s) instead of {len(when)} "
                     f"within the {horizon}-year horizon")
        return item.model_copy(update={"repeat": item.repeat.model_copy(update={"times": inside})})
    return item


def apply_overrides(loaded: list[tuple[Scenario, Path]], *, replicates: int | None = None,
                    years: int | None = None, quick: bool = False, paired: bool = False
                    ) -> tuple[list[tuple[Scenario, Path]], list[str]]:
    """Scenarios with command-line overrides applied and re-validated, plus notes for the user.

    ``quick`` caps replicates at 10 and the horizon at 10 years (explicit ``replicates``/``years``
    win) and drops releases and management events (or their repeats) that would fall after the
    horizon, with a note for each. ``paired`` sets every scenario's ``common_random_numbers``.
    """
    out, notes, errors = [], [], []
    opts = " ".join(o for o in (f"--replicates {replicates}" if replicates else "",
                                f"--years {years}" if years else "", "--quick" if quick else "") if o)
    for s, f in loaded:
        update: dict = {}
        reps = replicates or (min(s.replicates, QUICK_REPLICATES) if quick else None)
        horizon = years or (min(s.years, QUICK_YEARS) if quick else None)
        if reps is not None:
            update["replicates"] = reps
        if horizon is not None:
            update["years"] = horizon
        if paired and not s.common_random_numbers:
            update["common_random_numbers"] = True
        if quick and horizon is not None:
            kept = [r for i, rel in enumerate(s.releases)
                    if (r := _cut_to_horizon(rel, f"releases[{i}]", horizon, s.name, notes)) is not None]
            if s.releases and not kept:
                notes.append(f"--quick: scenario {s.name!r} releases no cheetahs within {horizon} years")
            update["releases"] = kept
            changed = {}
            for name in dict.fromkeys(name for name, _, _ in s.management.scheduled()):
                items = getattr(s.management, name)
                cut = [e for i, ev in enumerate(items)
                       if (e := _cut_to_horizon(ev, f"management.{name}[{i}]", horizon, s.name, notes)) is not None]
                if cut != items:
                    changed[name] = cut
            if changed:
                update["management"] = s.management.model_copy(update=changed)
        if not update:
            out.append((s, f))
            continue
        data = s.model_copy(update=update).model_dump()
        try:
            out.append((Scenario.model_validate(data), f))
        except ValidationError as e:
            errors.append(ScenarioError(f, *[f"scenario {s.name!r} with {opts}: {describe_error(err, data)}"
                                             for err in e.errors(include_url=False)]))
    if errors:
        raise ScenarioError.combine(errors)
    return out, notes


__all__ = ["apply_overrides", "QUICK_REPLICATES", "QUICK_YEARS"]
