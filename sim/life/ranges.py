"""Home ranges: where a unit lives, how large its range is, and how it follows its prey.

Range size emerges from food: a range's *supply* is what its prey can yield sustainably [kg/year]
— every species' animals in the range, but no more than half its capacity there, x body mass x
edible fraction x its sustainable yield r_max / 2 (a logistic stock yields most at half its
capacity: r_max / 2 of itself a year, the maximum sustainable yield r_max K / 4; Caughley 1977)
— and no more than the unit could catch there in a year (stock density x its attack rate x search
path x 365.25 days x edible kg per kill, after kleptoparasitism), less what the other resident
units already claim in it (each its yearly need, times the share of its range that overlaps), and
a unit needs its members' yearly food. So the prey's yield is shared out among residents: where it
is all claimed, no more settle (and, as only resident females breed, no more litters are born
there). A walker settles where it stands (habitat at
least ``settle_min_habitat``, room, supply) with the smallest of 12 radii from
``home_range_radius_min_km`` to ``home_range_radius_max_km`` (geometric steps) whose supply covers
its need, each month with probability ``settle_prob_per_month``. Space: no male settles within
``male_territory_spacing_km`` of a resident male's centre; a female does not settle where
``female_overlap_max`` resident females already centre within her radius.

Ranges follow the prey: each month a resident unit whose range supplies less than
``abandon_supply_fraction`` of its need (after the saiga have migrated away, or when residents
have eaten it out), or whose leader is hungry (condition below ``track_condition``), looks for
a better range: it shifts its centre by one range radius towards the best of the eight compass
directions (the path not crossing a closed fence, the new centre on suitable habitat), or grows
the range up to the largest radius; if neither feeds it, it leaves and walks (nomadic, as Asiatic
cheetahs move 100–200 km between reserves: Farhadinia et al. 2013, 2016).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

from ..cheetahs import events
from ..cheetahs.population import WILD_BORN
from ..registry import DIRECTIONS, register
from ..world.geometry import _SQRT_PI
from .range_food import _claimed, _supply, claims_table  # noqa: F401  (re-exported)


@register("settlement", "prey_and_space")
def prey_and_space(model, habitat_ok, prey_ok, space_ok):
    """Settle where habitat is suitable, prey can sustain a home range and no same-sex resident
    excludes it (all three must hold)."""
    return habitat_ok & prey_ok & space_ok


@register("settlement", "space_only")
def space_only(model, habitat_ok, prey_ok, space_ok):
    """Settle wherever habitat and territory allow, ignoring prey (e.g. fenced, fed reserves, or
    a food source other than prey); residents then keep their ranges whatever the prey does."""
    return habitat_ok & space_ok


space_only.follows_prey = False     # read by sim.life.movement.move: ranges do not track prey


def supply_coefficients(m: Any) -> np.ndarray:
    """(2, species): row 0, the food one animal of each prey species can yield a year on a
    sustainable footing [kg/year] (body mass x edible fraction x r_max / 2); row 1, the food a
    unit could catch of it in a year at a density of one animal/km² [kg/year per animal/km²]
    (search path x attack rate per km of path x 365.25 days x edible kg per kill x (1 - kleptoparasitism))."""
    p = m.params
    sp = m.spec.prey.species()
    kg = m.prey_mass * p.edible_fraction
    return np.stack([kg * np.array([q.r_max / 2.0 for q in sp.values()]),
                     kg * (1.0 - p.kleptoparasitism) * m.prey_attack_km2 * p.search_path_km_per_day * 365.25])


def supply_inputs(m: Any) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], np.ndarray]:
    """The summed-area tables of the stock that yields and of all the animals, (species, rows+1,
    cols+1) each (:meth:`sim.prey.population.PreyPopulation.yield_table`, ``table``), with the
    indices of the prey species present anywhere on the map, as a triple, and
    :func:`supply_coefficients` (a species with no animal adds exactly 0 kg to every range's
    supply, so leaving it out changes no result and saves the compiled loops its look-ups; the
    tables are not copied). Kept until the prey change (the prey rebuild their tables then); the
    coefficients, which depend only on the model's fixed parameters, are computed once per model."""
    prey = m.prey
    ys, ts = prey.yield_table(), prey.table()
    kept = getattr(m, "_supply_inputs", None)
    if kept is not None and kept[0] is ys and kept[1] is ts:
        return kept[2], kept[3]
    coef = getattr(m, "_supply_coefficients", None)
    if coef is None:
        coef = m._supply_coefficients = supply_coefficients(m)
    tables = (ys, ts, np.flatnonzero(ts[:, -1, -1] > 0.0))
    m._supply_inputs = (ys, ts, tables, coef)
    return tables, coef


def range_supply_kg_year(m: Any, rows, cols, radii_km) -> np.ndarray:
    """Food ranges can supply sustainably [kg/year] before other residents' claims (see the
    module docstring); ``radii_km`` has one row of radii per centre (rows, cols): shape
    (centres, radii)."""
    land = m.landscape
    radii_km = np.asarray(radii_km, dtype=np.float64)
    out = np.empty(radii_km.shape)
    tables, coef = supply_inputs(m)
    for i, (r, c) in enumerate(zip(np.asarray(rows).tolist(), np.asarray(cols).tolist())):
        for k, rad in enumerate(radii_km[i].tolist()):
            out[i, k] = _supply(tables, r, c, rad, land.cell_km, m.prey.factor, land.rows, land.cols, coef)
    return out


def claims(m: Any, res_rows, res_cols, res_radius_km, res_need_kg_year) -> np.ndarray:
    """:func:`claims_table` of the resident units given (range centres and radii [km], yearly
    needs [kg/year]) on the model's map. The table of the last call is kept and given again while
    the residents, ranges and needs are the same, bit for bit and in the same order (a month
    usually asks three times — ranges following prey, walkers settling, walkers hunting — and
    most months nothing changes between), so the result is exactly that of building it anew."""
    land = m.landscape
    args = (np.ascontiguousarray(res_rows, dtype=np.int64), np.ascontiguousarray(res_cols, dtype=np.int64),
            np.ascontiguousarray(res_radius_km, dtype=np.float64), np.ascontiguousarray(res_need_kg_year, dtype=np.float64))
    key = (land.rows, land.cols, land.cell_km) + tuple(a.tobytes() for a in args)
    kept = getattr(m, "_claims", None)
    if kept is not None and kept[0] == key:
        return kept[1]
    table = claims_table(land.rows, land.cols, land.cell_km, *args)
    m._claims = (key, table)
    return table


def claimed_share(m: Any, rows: np.ndarray, cols: np.ndarray, radius_km: float) -> np.ndarray:
    """Share of the supply of ranges of ``radius_km`` around (rows, cols) that resident units
    already claim (0-1): where a walker hunts inside settled ranges it finds their prey taken
    (:func:`sim.life.hunting.kills_as_food`)."""
    pop = m.cheetahs
    land = m.landscape
    units, need = m.roster()
    tables, coef = supply_inputs(m)
    return _claimed_share(np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64), float(radius_km),
                          tables, land.cell_km, m.prey.factor, land.rows, land.cols, coef,
                          claims(m, *_resident_ranges(units.leaders, pop.home_row, pop.home_col, pop.hr_radius_km,
                                                      units.total(need))))


@njit(cache=True)
def _resident_ranges(leaders, home_row, home_col, radius_km, unit_need):
    """The resident units among the month's units (``leaders``, with each unit's food need
    ``unit_need`` [kg/month]), in order: their range centres (rows, cols), radii [km] and yearly
    needs [kg/year] (the monthly need x 12)."""
    n = 0
    for k in range(leaders.size):
        if home_row[leaders[k]] >= 0:
            n += 1
    rows = np.empty(n, dtype=np.int64)
    cols = np.empty(n, dtype=np.int64)
    radius = np.empty(n)
    need = np.empty(n)
    j = 0
    for k in range(leaders.size):
        a = leaders[k]
        if home_row[a] >= 0:
            rows[j], cols[j], radius[j], need[j] = home_row[a], home_col[a], radius_km[a], unit_need[k] * 12
            j += 1
    return rows, cols, radius, need


@njit(cache=True)
def _claimed_share(rows, cols, radius_km, tables, cell_km, f, n_rows, n_cols, coef, claims):
    out = np.zeros(rows.size)
    for i in range(rows.size):
        supply = _supply(tables, rows[i], cols[i], radius_km, cell_km, f, n_rows, n_cols, coef)
        claimed = _claimed(claims, rows[i], cols[i], radius_km, cell_km, n_rows, n_cols, 0, 0, 0.0, 0.0)
        out[i] = 1.0 if supply <= 0.0 else min(1.0, claimed / supply)
    return out


# ------------------------------------------------------------------------------------ following prey
def follow_prey(m: Any, leaders: np.ndarray, need_kg_year: np.ndarray) -> None:
    """Resident units (``leaders``; ``need_kg_year``: their yearly food needs) whose range no
    longer feeds them shift it, grow it, or leave it (see the module docstring)."""
    p = m.params
    pop = m.cheetahs
    land = m.landscape
    geo = m.walk_geometry
    tables, coef = supply_inputs(m)
    res_rows, res_cols, res_radius = pop.home_row[leaders], pop.home_col[leaders], pop.hr_radius_km[leaders]
    action, row, col, radius = _follow(
        leaders, pop.home_row, pop.home_col, pop.hr_radius_km, pop.condition, need_kg_year,
        claims(m, res_rows, res_cols, res_radius, need_kg_year), tables,
        land.cell_km, m.prey.factor, land.rows, land.cols, coef, m.hr_radii_km,
        p.abandon_supply_fraction, p.track_condition, land.habitat, p.settle_min_habitat, geo.east, geo.south,
        _DR, _DC, res_rows, res_cols, pop.male[leaders],
        p.male_territory_spacing_km ** 2, land.cell_area_km2)
    moved = action == 1
    if moved.any():
        settle(m, leaders[moved], row[moved], col[moved], radius[moved])
    if (action == 2).any():
        events.leave_range(pop, leaders[action == 2])


_NO_CLAIMS = np.zeros((1, 1))      # the claims table where food does not come from prey (not read)
_DR = DIRECTIONS[:, 0].copy()
_DC = DIRECTIONS[:, 1].copy()


@njit(cache=True)
def _follow(leaders, home_row, home_col, radius_km, condition, need, claims, sat, cell_km, f, n_rows, n_cols,
            kg_per_animal, radii, abandon_fraction, track_condition, habitat, min_habitat, east, south, dr, dc,
            res_rows, res_cols, res_male, spacing2_km2, cell_area_km2):
    """Per resident unit: 0 stay, 1 move or grow (new centre and radius), 2 leave. A range's
    supply is what its prey yield less what the other residents whose ranges overlap it claim
    (their claims as at the start of the month). A male unit does not shift to within the
    territory spacing of another resident male's centre; units are taken in turn and a shifted
    centre counts for the spacing of those after it."""
    n = leaders.size
    action = np.zeros(n, dtype=np.int64)
    new_row = np.empty(n, dtype=np.int64)
    new_col = np.empty(n, dtype=np.int64)
    new_radius = np.empty(n)
    for i in range(n):
        a = leaders[i]
        r, c, rad = home_row[a], home_col[a], radius_km[a]
        new_row[i], new_col[i], new_radius[i] = r, c, rad
        here = (_supply(sat, r, c, rad, cell_km, f, n_rows, n_cols, kg_per_animal)
                - _claimed(claims, r, c, rad, cell_km, n_rows, n_cols, r, c, rad, need[i]))
        if here >= abandon_fraction * need[i] and condition[a] >= track_condition:
            continue
        # shift by one range radius towards the richest open direction
        k = max(1, np.int64(np.rint(rad / cell_km)))
        best, best_r, best_c = here, -1, -1
        for d in range(8):
            tr, tc = r + dr[d] * k, c + dc[d] * k
            if not (0 <= tr < n_rows and 0 <= tc < n_cols) or habitat[tr, tc] < min_habitat:
                continue
            if not _line_open(east, south, r, c, dr[d], dc[d], k):
                continue
            if res_male[i] and _male_near(tr, tc, i, res_rows, res_cols, res_male, spacing2_km2, cell_area_km2):
                continue
            s = (_supply(sat, tr, tc, rad, cell_km, f, n_rows, n_cols, kg_per_animal)
                 - _claimed(claims, tr, tc, rad, cell_km, n_rows, n_cols, r, c, rad, need[i]))
            if s > best:
                best, best_r, best_c = s, tr, tc
        if best_r >= 0 and best >= need[i]:
            action[i] = 1
            new_row[i], new_col[i] = best_r, best_c
            res_rows[i], res_cols[i] = best_r, best_c
            continue
        # grow the range where it is
        for j in range(radii.size):
            if radii[j] > rad and (_supply(sat, r, c, radii[j], cell_km, f, n_rows, n_cols, kg_per_animal)
                                   - _claimed(claims, r, c, radii[j], cell_km, n_rows, n_cols, r, c, rad, need[i])
                                   ) >= need[i]:
                action[i] = 1
                new_radius[i] = radii[j]
                break
        if action[i] == 0:
            action[i] = 2
    return action, new_row, new_col, new_radius


@njit(cache=True)
def _male_near(r, c, skip, res_rows, res_cols, res_male, spacing2_km2, cell_area_km2):
    """Whether a resident male other than unit ``skip`` is centred within the spacing of (r, c)."""
    for j in range(res_rows.size):
        if j != skip and res_male[j]:
            dr, dc = r - res_rows[j], c - res_cols[j]
            if (dr * dr + dc * dc) * cell_area_km2 < spacing2_km2:
                return True
    return False


@njit(cache=True)
def _line_open(east, south, r, c, dr, dc, k):
    """Whether k unit steps (dr, dc) from (r, c) cross no closed fence edge (a diagonal step is
    open if either L-shaped path is; see :func:`sim.life.movement._blocked`)."""
    for _ in range(k):
        if dr == 0:
            blocked = east[r, c if dc > 0 else c - 1]
        elif dc == 0:
            blocked = south[r if dr > 0 else r - 1, c]
        else:
            p1 = east[r, c if dc > 0 else c - 1] or south[r if dr > 0 else r - 1, c + dc]
            p2 = south[r if dr > 0 else r - 1, c] or east[r + dr, c if dc > 0 else c - 1]
            blocked = p1 and p2
        if blocked:
            return False
        r += dr
        c += dc
    return True


# ------------------------------------------------------------------------------------ settling
def settle_walkers(m: Any, walkers: np.ndarray, residents: np.ndarray, need_kg_year: np.ndarray,
                   resident_need_kg_year: np.ndarray) -> None:
    """Walking units (``walkers``: their leaders) may settle where they stand (see the module
    docstring), each with probability ``settle_prob_per_month`` where the settlement rule allows.
    Animals released less than a month ago do not settle. ``residents``: leaders of the resident
    units whose space and prey count (``resident_need_kg_year``: what each claims a year)."""
    pop = m.cheetahs
    p = m.params
    land = m.landscape
    prey = m.prey
    keep = _may_settle(walkers, pop.origin, pop.months_free, WILD_BORN)
    walkers, need_kg_year = walkers[keep], need_kg_year[keep]
    if walkers.size == 0:
        return
    res_rows, res_cols = _centres(residents, pop.home_row, pop.home_col, pop.row, pop.col)
    tables, coef = supply_inputs(m)
    habitat_ok, prey_ok, radius, room = _settling(
        walkers, pop.row, pop.col, pop.male, need_kg_year, land.habitat, p.settle_min_habitat, m.hr_radii_km,
        m.density.uses_prey, tables, land.cell_km, prey.factor, land.rows, land.cols, coef,
        claims(m, res_rows, res_cols, pop.hr_radius_km[residents], resident_need_kg_year) if m.density.uses_prey
        else _NO_CLAIMS, res_rows, res_cols, pop.male[residents], land.cell_area_km2, p.male_territory_spacing_km ** 2, p.female_overlap_max,
        p.male_settle_near_female_km ** 2)
    ok = np.asarray(m.settle_rule(m, habitat_ok, prey_ok, room), dtype=bool)
    go = np.flatnonzero(ok & (m.rng.random(walkers.size) < p.settle_prob_per_month))
    if go.size > 1:
        go = m.rng.permutation(go)
        go = go[_room_among(walkers[go], pop.row, pop.col, pop.male, radius[go], land.cell_area_km2,
                            p.male_territory_spacing_km ** 2, p.female_overlap_max)]
    if go.size:
        settlers = walkers[go]
        settle(m, settlers, pop.row[settlers], pop.col[settlers], radius[go])


@njit(cache=True)
def _may_settle(walkers, origin, months_free, wild_born):
    """Per walker: not released less than a month ago (wild-born, or free for a month or more)."""
    keep = np.empty(walkers.size, dtype=np.bool_)
    for k in range(walkers.size):
        a = walkers[k]
        keep[k] = not (origin[a] != wild_born and months_free[a] < 1)
    return keep


@njit(cache=True)
def _centres(rows, home_row, home_col, row, col):
    """(row, col) of the animals ``rows``: the home-range centre of residents, else the current
    cell (:meth:`sim.cheetahs.population.Cheetahs.positions`, compiled)."""
    r = np.empty(rows.size, dtype=np.int64)
    c = np.empty(rows.size, dtype=np.int64)
    for k in range(rows.size):
        a = rows[k]
        if home_row[a] >= 0:
            r[k], c[k] = home_row[a], home_col[a]
        else:
            r[k], c[k] = row[a], col[a]
    return r, c


@njit(cache=True)
def _room_among(leaders, row, col, is_male, radius, cell_area_km2, spacing2_km2, overlap_max):
    """Walkers settling in the same month (``leaders``, with the population's ``row``, ``col``
    and ``is_male``), taken in the given (random) order: each keeps its place if the ones kept
    before it leave room as residents would (:func:`_space_ok`)."""
    rows, cols, male = row[leaders], col[leaders], is_male[leaders]
    keep = np.zeros(rows.size, dtype=np.bool_)
    for i in range(rows.size):
        ok = True
        crowd = 0
        for j in range(i):
            if not keep[j] or male[j] != male[i]:
                continue
            dr, dc = rows[i] - rows[j], cols[i] - cols[j]
            d2 = (dr * dr + dc * dc) * cell_area_km2
            if male[i]:
                if d2 < spacing2_km2:
                    ok = False
                    break
            elif d2 < radius[i] ** 2:
                crowd += 1
        keep[i] = ok and (male[i] or crowd < overlap_max)
    return keep


@njit(cache=True)
def _settling(walkers, row, col, male, need_kg_year, habitat, min_habitat, radii_km, uses_prey, sat, cell_km, f,
              n_rows, n_cols, kg_per_animal, claims, res_rows, res_cols, res_male, cell_area_km2,
              spacing2_km2, overlap_max, near_female2_km2):
    """The three settlement tests of each walker at its cell (see the module docstring) and the
    radius it would take: the smallest of ``radii_km`` whose supply, less what the residents
    whose ranges overlap it claim, covers its unit's need (the largest if none does; the smallest if food
    does not come from prey)."""
    n = walkers.size
    habitat_ok = np.empty(n, dtype=np.bool_)
    prey_ok = np.empty(n, dtype=np.bool_)
    radius = np.empty(n)
    rows = np.empty(n, dtype=np.int64)
    cols = np.empty(n, dtype=np.int64)
    for i in range(n):
        a = walkers[i]
        rows[i], cols[i] = row[a], col[a]
        habitat_ok[i] = habitat[row[a], col[a]] >= min_habitat
        if not uses_prey:
            prey_ok[i] = True
            radius[i] = radii_km[0]
            continue
        prey_ok[i] = False
        radius[i] = radii_km[radii_km.size - 1]
        for k in range(radii_km.size):
            if (_supply(sat, row[a], col[a], radii_km[k], cell_km, f, n_rows, n_cols, kg_per_animal)
                    - _claimed(claims, row[a], col[a], radii_km[k], cell_km, n_rows, n_cols, 0, 0, 0.0, 0.0)
                    ) >= need_kg_year[i]:
                prey_ok[i] = True
                radius[i] = radii_km[k]
                break
    room = _space_ok(rows, cols, male[walkers], radius, res_rows, res_cols, res_male, cell_area_km2, spacing2_km2,
                     overlap_max, near_female2_km2)
    return habitat_ok, prey_ok, radius, room


def settle(m: Any, leaders: np.ndarray, rows: np.ndarray, cols: np.ndarray, radius_km: np.ndarray) -> None:
    """Units led by ``leaders`` take home ranges centred on (rows, cols) of ``radius_km``
    (noting each range's road exposure, :func:`road_exposure`, for the road hazard)."""
    events.settle(m.cheetahs, np.asarray(leaders), np.asarray(rows), np.asarray(cols),
                  np.asarray(radius_km, dtype=float), road_exposure(m, rows, cols, radius_km))


def road_exposure(m: Any, rows, cols, radius_km) -> np.ndarray:
    """Road exposure of home ranges centred on (rows, cols) of ``radius_km``: 0 where no road
    cell lies in the range's box, else the mean crossing risk of its road cells (1 for an
    unmitigated road; :attr:`sim.world.landscape.Landscape.road_risk`)."""
    land = m.landscape
    return _road_exposure(np.ascontiguousarray(rows, dtype=np.int64).reshape(-1),
                          np.ascontiguousarray(cols, dtype=np.int64).reshape(-1),
                          np.ascontiguousarray(radius_km, dtype=np.float64).reshape(-1), land.cell_km, land.rows,
                          land.cols, m.road_table, m.road_risk_table)


@njit(cache=True)
def _road_exposure(rows, cols, radius_km, cell_km, n_rows, n_cols, road_table, risk_table):
    """:func:`road_exposure`, compiled: the boxes of :func:`sim.world.geometry.half_box` and
    :func:`~sim.world.geometry.boxes`, their road cells and summed risk as
    :func:`~sim.world.geometry.box_sums` takes them from the summed-area tables (the same
    operations in the same order, so the same numbers to the last bit)."""
    out = np.zeros(rows.size)
    for i in range(rows.size):
        h = np.int64(max(0.0, np.rint(radius_km[i] * _SQRT_PI / 2.0 / cell_km)))
        r0 = min(max(rows[i] - h, 0), n_rows)
        r1 = min(max(rows[i] + h + 1, 0), n_rows)
        c0 = min(max(cols[i] - h, 0), n_cols)
        c1 = min(max(cols[i] + h + 1, 0), n_cols)
        count = road_table[r1, c1] - road_table[r0, c1] - road_table[r1, c0] + road_table[r0, c0]
        if count > 0:
            risk = risk_table[r1, c1] - risk_table[r0, c1] - risk_table[r1, c0] + risk_table[r0, c0]
            if not (risk >= 0.0 or risk != risk):           # np.maximum(risk, 0): keeps -0.0 and NaN
                risk = 0.0
            out[i] = risk / count
    return out


def refresh_road_exposure(m: Any) -> None:
    """Recompute the road exposure of every resident (after a road was built or mitigated)."""
    pop = m.cheetahs
    res = np.flatnonzero(pop.alive & (pop.home_row >= 0))
    if res.size:
        pop.road_risk_in_range[res] = road_exposure(m, pop.home_row[res], pop.home_col[res], pop.hr_radius_km[res])


def space_ok(m: Any, walkers: np.ndarray, rows, cols, radius, residents: np.ndarray) -> np.ndarray:
    """Walkers whose same-sex residents (``residents``: leaders of resident units) leave room at
    their cell (see the module docstring)."""
    p = m.params
    pop = m.cheetahs
    rr, rc = pop.positions(residents)
    return _space_ok(np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64), pop.male[walkers],
                     np.asarray(radius, dtype=np.float64), rr, rc, pop.male[residents],
                     m.landscape.cell_area_km2, p.male_territory_spacing_km ** 2, p.female_overlap_max,
                     p.male_settle_near_female_km ** 2)


@njit(cache=True)
def _space_ok(rows, cols, male, radius, res_rows, res_cols, res_male, cell_area_km2, spacing2_km2, overlap_max,
              near_female2_km2):
    """Per walker: a male, no resident male centred within the spacing and, while any female is
    resident, one centred within ``near_female2_km2`` (squared distance; 0: no such test); a
    female, fewer than ``overlap_max`` resident females centred within her radius (distances
    between cell centres; with no resident female anywhere, any female may settle)."""
    ok = np.ones(rows.size, dtype=np.bool_)
    any_female = False
    for j in range(res_rows.size):
        any_female |= not res_male[j]
    for i in range(rows.size):
        crowd = 0
        near_female = not (male[i] and any_female and near_female2_km2 > 0)
        for j in range(res_rows.size):
            dr, dc = rows[i] - res_rows[j], cols[i] - res_cols[j]
            d2 = (dr * dr + dc * dc) * cell_area_km2
            if res_male[j] != male[i]:
                if male[i] and d2 <= near_female2_km2:
                    near_female = True
                continue
            if male[i]:
                if d2 < spacing2_km2:
                    ok[i] = False
                    break
            elif d2 < radius[i] ** 2:
                crowd += 1
        if not near_female or (not male[i] and any_female and crowd >= overlap_max):
            ok[i] = False
    return ok
