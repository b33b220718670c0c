"""Inserting bulk periods into a side of a stack (structures.bulk_insertion).

A perfect diamond (001) crystal split at a plane: inserting n periods into the side above
gives exactly the crystal n lattice constants longer (the same set of positions), the
virtual plane positions match the moved atoms' planes, and the copies repeat atoms of
the middle period.
"""

from __future__ import annotations

import numpy as np
import pytest
from ase.build import bulk

from structures.bulk_insertion import (
    insert_bulk_periods,
    inserted_plane_positions,
    period_start,
)

A_SI = 5.431


def planes_of(z, gap=0.5):
    order = np.argsort(z, kind="stable")
    return np.split(order, np.nonzero(np.diff(z[order]) > gap)[0] + 1)


def sorted_rows(x):
    x = np.round(x, 6)
    return x[np.lexsort(x.T[::-1])]


@pytest.mark.parametrize("outward", [1, -1])
def test_inserting_periods_gives_the_longer_crystal(outward):
    short = bulk("Si", "diamond", a=A_SI, cubic=True).repeat((1, 1, 6)).positions
    long = bulk("Si", "diamond", a=A_SI, cubic=True).repeat((1, 1, 8)).positions
    planes = planes_of(short[:, 2])
    # the side: planes 4.. (above the split) outwards, or planes ..19 downwards
    side = planes[4:] if outward == 1 else planes[:20][::-1]
    x, source = insert_bulk_periods(short, side, period=4, n_periods=2)
    assert len(x) == len(long) and len(source) == len(x) - len(short)
    if outward == -1:  # the crystal grew downwards: compare from its new bottom
        x = x + np.array([0.0, 0.0, 2 * A_SI])
    np.testing.assert_allclose(sorted_rows(x), sorted_rows(long), atol=1e-6)
    start = period_start(len(side), 4)
    np.testing.assert_array_equal(np.unique(source),
                                  np.sort(np.concatenate(side[start:start + 4])))
    # the virtual planes are the planes of the moved atoms, from the interface outwards
    zc = [short[p, 2].mean() for p in side]
    virtual = inserted_plane_positions(zc, 4, 2)
    real = np.array([x[p, 2].mean() for p in planes_of(x[:, 2])])
    real = real[real > short[side[0], 2].mean() - 1e-6] if outward == 1 else \
        real[real < short[side[0], 2].mean() + 2 * A_SI + 1e-6][::-1] - 2 * A_SI
    np.testing.assert_allclose(virtual, real, atol=1e-9)


def test_no_insertion_and_bad_requests():
    x = bulk("Si", "diamond", a=A_SI, cubic=True).repeat((1, 1, 2)).positions
    planes = planes_of(x[:, 2])
    same, source = insert_bulk_periods(x, planes, period=4, n_periods=0)
    np.testing.assert_array_equal(same, x)
    assert source.size == 0
    with pytest.raises(ValueError, match="n_periods"):
        insert_bulk_periods(x, planes, period=4, n_periods=-1)
    with pytest.raises(ValueError, match="cannot show a bulk period"):
        period_start(4, 4)
