"""The compiled arithmetic of range food (:mod:`sim.life.ranges`): the prey a range's box
holds and can yield (:func:`_supply`), and the summed-area table of what resident units claim
(:func:`claims_table`, :func:`_claimed`). Kept apart from the rules that use them so that each
module stays readable; :mod:`sim.life.ranges` re-exports them."""

from __future__ import annotations

import numpy as np
from numba import njit

from ..prey.boxes import _HALF_SIDE, _box, _box_axes


@njit(cache=True)
def _supply(tables, r, c, radius_km, cell_km, f, n_rows, n_cols, coef):
    """:func:`range_supply_kg_year` of one range (compiled): per species the smaller of its
    sustainable yield and what a unit can catch of it there in a year (a unit cannot live on
    hares it cannot find), summed over the species ``tables[2]`` (``tables``: the yield and stock
    tables and the species indices, :func:`sim.life.ranges.supply_inputs`). The box's animals are those of
    :func:`sim.prey.boxes.box_totals` (the same interpolation in the same order, so the same
    numbers to the last bit), the corners' prey cells and weights found once for every species
    and both tables."""
    h = np.int64(max(0.0, np.rint(radius_km * _HALF_SIDE / cell_km)))
    r0 = min(max(r - h, 0), n_rows)
    r1 = min(max(r + h + 1, 0), n_rows)
    c0 = min(max(c - h, 0), n_cols)
    c1 = min(max(c + h + 1, 0), n_cols)
    area = max(float((r1 - r0) * (c1 - c0)) * cell_km * cell_km, 1e-9)
    axes = _box_axes(r0, r1, c0, c1, f, n_rows, n_cols, tables[0].shape[1], tables[0].shape[2])
    kg = 0.0
    species = tables[2]
    for k in range(species.size):
        s = species[k]
        y = _box(tables[0], s, axes)
        stock = _box(tables[1], s, axes)
        kg += min(y * coef[0, s], stock / area * coef[1, s])
    return kg


@njit(cache=True)
def claims_table(n_rows, n_cols, cell_km, res_rows, res_cols, res_radius, res_need):
    """Summed-area table ((n_rows + 1, n_cols + 1)) of the yearly food [kg/year] that resident units
    claim per cell: each unit's need spread evenly over its range (as a box clipped to the map).
    The claim on any box is then four look-ups (:func:`_claimed`), whatever the number of residents.

    Built from the corners of the boxes (``diff``): the density of a cell is the running sum
    along its row of ``diff`` plus the density above it, and the table entry the one above plus
    the one to the left less the one above-left plus the density, in that order. Rows above and
    columns left of every box hold 0 (only zeros are summed there), so they are not computed;
    the rows are taken four at a time, each using the one above's new numbers as they come (four
    chains of additions for the processor to overlap; the same additions)."""
    diff = np.zeros((n_rows + 1, n_cols + 1))
    first_r, first_c = n_rows, n_cols
    for j in range(res_rows.size):
        k = np.int64(max(0.0, np.rint(res_radius[j] * _HALF_SIDE / cell_km)))
        p0, p1 = max(res_rows[j] - k, 0), min(res_rows[j] + k + 1, n_rows)
        q0, q1 = max(res_cols[j] - k, 0), min(res_cols[j] + k + 1, n_cols)
        if p1 <= p0 or q1 <= q0:
            continue
        first_r, first_c = min(first_r, p0), min(first_c, q0)
        v = res_need[j] / ((p1 - p0) * (q1 - q0))
        diff[p0, q0] += v
        diff[p0, q1] -= v
        diff[p1, q0] -= v
        diff[p1, q1] += v
    sat = np.empty((n_rows + 1, n_cols + 1))
    sat[:first_r + 1, :] = 0.0
    sat[:, :first_c + 1] = 0.0
    above = np.zeros(n_cols)                  # the density of the row above
    i = first_r
    while (n_rows - i) % 4 != 0:
        _claims_row(diff[i], above, sat[i], sat[i + 1], first_c, n_cols)
        i += 1
    while i < n_rows:
        _claims_rows(diff[i], diff[i + 1], diff[i + 2], diff[i + 3], above,
                     sat[i], sat[i + 1], sat[i + 2], sat[i + 3], sat[i + 4], first_c, n_cols)
        i += 4
    return sat


@njit(cache=True)
def _claims_row(diff, above, top, out, first_c, n_cols):
    """One row of :func:`claims_table`: ``above`` becomes this row's density, ``out`` its table row."""
    run = 0.0
    left = 0.0
    for j in range(first_c, n_cols):
        run += diff[j]
        density = run + above[j]
        above[j] = density
        left = top[j + 1] + left - top[j] + density
        out[j + 1] = left


@njit(cache=True)
def _claims_rows(diff0, diff1, diff2, diff3, above, top, out0, out1, out2, out3, first_c, n_cols):
    """Four rows of :func:`claims_table` (0 to 3 downwards), column by column."""
    run0 = run1 = run2 = run3 = 0.0
    left0 = left1 = left2 = left3 = 0.0
    up_left = 0.0
    for j in range(first_c, n_cols):
        up = top[j + 1]
        run0 += diff0[j]
        density0 = run0 + above[j]
        new0 = up + left0 - up_left + density0
        out0[j + 1] = new0
        run1 += diff1[j]
        density1 = run1 + density0
        new1 = new0 + left1 - left0 + density1
        out1[j + 1] = new1
        run2 += diff2[j]
        density2 = run2 + density1
        new2 = new1 + left2 - left1 + density2
        out2[j + 1] = new2
        run3 += diff3[j]
        density3 = run3 + density2
        above[j] = density3
        new3 = new2 + left3 - left2 + density3
        out3[j + 1] = new3
        up_left = up
        left0, left1, left2, left3 = new0, new1, new2, new3


@njit(cache=True)
def _claimed(claims, r, c, radius_km, cell_km, n_rows, n_cols, own_r, own_c, own_radius, own_need):
    """Yearly food [kg] the resident units claim in the range (r, c, radius_km) (``claims``: the
    :func:`claims_table`), less the unit's own claim (own centre, radius and need; need 0 for a
    unit that holds no range): each resident's need times the share of its range that overlaps
    this one."""
    h = np.int64(max(0.0, np.rint(radius_km * _HALF_SIDE / cell_km)))
    a0, a1 = max(r - h, 0), min(r + h + 1, n_rows)
    b0, b1 = max(c - h, 0), min(c + h + 1, n_cols)
    if a1 <= a0 or b1 <= b0:
        return 0.0
    total = claims[a1, b1] - claims[a0, b1] - claims[a1, b0] + claims[a0, b0]
    if own_need > 0.0:
        k = np.int64(max(0.0, np.rint(own_radius * _HALF_SIDE / cell_km)))
        p0, p1 = max(own_r - k, 0), min(own_r + k + 1, n_rows)
        q0, q1 = max(own_c - k, 0), min(own_c + k + 1, n_cols)
        dr, dc = min(a1, p1) - max(a0, p0), min(b1, q1) - max(b0, q0)
        if dr > 0 and dc > 0:
            total -= own_need * (dr * dc) / max((p1 - p0) * (q1 - q0), 1)
    return max(total, 0.0)
