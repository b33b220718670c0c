"""Periodic-z closure of a bonded interface (structures.periodic)."""

from __future__ import annotations

import numpy as np
import pytest

from structures.checks import min_interatomic_distance
from structures.energy_model import NamedPotential
from structures.interface import build_bonded_interface
from structures.periodic import make_periodic_stack, periodic_gap_A, periodic_z_bounds

LJ_SIDES = ({"element": "Ar", "lattice": "fcc", "mass_amu": 39.948},
            {"element": "Kr", "lattice": "fcc", "mass_amu": 159.792})


@pytest.fixture(scope="module")
def built():
    return build_bonded_interface(side_a=LJ_SIDES[0], side_b=LJ_SIDES[1],
                                  model=NamedPotential("lj_argon"), length_a_A=21.0,
                                  length_b_A=21.0, max_lateral_A=11.0, max_strain=0.001,
                                  lattice_constants={"Ar": 5.26, "Kr": 5.26}, separation_A=2.63)


def test_periodic_stack_has_two_equal_interfaces(built):
    atoms, info = built
    periodic, pinfo = make_periodic_stack(atoms, info, separation_A=info["separation_A"])
    assert periodic.pbc.all() and not atoms.pbc[2]
    assert len(periodic) == len(atoms)
    assert periodic_gap_A(periodic) == pytest.approx(info["separation_A"], abs=1e-9)
    z = periodic.positions[:, 2]
    on_b = periodic.arrays["side"] == 1
    assert z[on_b].min() - z[~on_b].max() == pytest.approx(info["separation_A"], abs=1e-9)
    assert 0 < z.min() and z.max() < periodic.cell[2, 2]
    # closing the cell creates no overlap: nearest neighbours as in the bulk/first interface
    assert min_interatomic_distance(periodic) == pytest.approx(info["min_distance_A"], rel=1e-6)
    assert pinfo["n_interfaces"] == 2
    assert pinfo["interface_area_total_A2"] == pytest.approx(2 * info["area_A2"])
    assert pinfo["z_interfaces_A"][1] == pytest.approx(periodic.cell[2, 2])
    assert pinfo["z_range_a_A"][0] == pytest.approx(z[~on_b].min())
    assert pinfo["cell_A"][2] == pytest.approx(periodic.cell[2, 2])
    assert info.get("periodic_z") is None  # input untouched


def test_other_gap_and_errors(built):
    atoms, info = built
    periodic, _ = make_periodic_stack(atoms, info, separation_A=3.5)
    assert periodic_gap_A(periodic) == pytest.approx(3.5)
    assert np.allclose(periodic.cell[:2], atoms.cell[:2])
    with pytest.raises(ValueError, match="positive"):
        periodic_z_bounds(0.0, 10.0, 0.0)
    bare = atoms.copy()
    del bare.arrays["side"]
    with pytest.raises(ValueError, match="side"):
        make_periodic_stack(bare, info, separation_A=2.0)
