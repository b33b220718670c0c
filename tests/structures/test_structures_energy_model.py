"""The builders take their energies from the model they are handed (no LAMMPS needed).

A pure-Python model (ASE's Lennard-Jones calculator with the parameters of the registry's
``lj_argon``: ε = 0.01032 eV, σ = 3.405 Å, cut at 2.5σ and shifted) relaxes the fcc
lattice and finds the interface separation through the same protocol that
:class:`engine.lammps_model.LammpsModel` implements with LAMMPS.
"""

from __future__ import annotations

import numpy as np
import pytest
from ase.calculators.lj import LennardJones

from potentials import PotentialError
from structures import NamedPotential, build_bonded_interface, relax_cubic_lattice

SIGMA_A, EPSILON_EV, CUTOFF_A = 3.405, 0.01032, 2.5 * 3.405
AR = {"element": "Ar", "lattice": "fcc", "mass_amu": 39.948}
KR = {"element": "Kr", "lattice": "fcc", "mass_amu": 2 * 39.948}

#: fcc LJ cut at 2.5σ and shifted: a = 1.549603σ (the hand value of
#: tests/structures/test_structures_lammps.py::lj_fcc_by_hand: shells 1-5 inside the cut-off).
A_OVER_SIGMA = 1.549603


class AseCalculator:
    """An :class:`structures.energy_model.EnergyCalculator` on ASE's Lennard-Jones."""

    def __init__(self, atoms):
        self.atoms = atoms.copy()
        self.atoms.calc = LennardJones(sigma=SIGMA_A, epsilon=EPSILON_EV, rc=CUTOFF_A)

    def set_box(self, lengths_A) -> None:
        self.atoms.set_cell(np.diag(np.asarray(lengths_A, float)), scale_atoms=True)

    def energy(self, positions_A=None) -> float:
        if positions_A is not None:
            self.atoms.positions = positions_A
        return float(self.atoms.get_potential_energy())

    def close(self) -> None:
        self.atoms.calc = None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class AseLennardJones:
    """An :class:`structures.energy_model.EnergyModel` without LAMMPS (no minimiser)."""

    name = "lj_argon"

    def calculator(self, atoms, *, specorder):
        return AseCalculator(atoms)

    def minimise(self, atoms, *, specorder, **settings):
        raise NotImplementedError


def test_relaxed_lattice_comes_from_the_model():
    bulk = relax_cubic_lattice("Ar", "fcc", model=AseLennardJones(), specorder=["Ar", "Kr"])
    assert bulk.lattice_constant_A / SIGMA_A == pytest.approx(A_OVER_SIGMA, abs=1e-5)
    assert bulk.cohesive_energy_eV > 0


def test_separation_comes_from_the_model():
    # ASE rescales the cell from each element's own guess, so the two relaxed lattice
    # constants may differ in the last bits (LAMMPS gives identical ones): allow 1e-9 strain
    atoms, info = build_bonded_interface(side_a=AR, side_b=KR, model=AseLennardJones(),
                                         length_a_A=16.0, length_b_A=16.0, max_lateral_A=12.0,
                                         max_strain=1e-9)
    a = info["lattice_constant_a_A"]
    assert info["potential"] == "lj_argon" and info["separation_method"] == "energy_minimised"
    assert info["separation_A"] == pytest.approx(a / 2, rel=0.02)
    assert len(atoms) == info["n_atoms"]


def test_named_potential_names_the_potential_and_refuses_energies():
    model = NamedPotential("lj_argon")
    assert model.name == "lj_argon"
    with pytest.raises(RuntimeError, match="computes no energies"):
        build_bonded_interface(side_a=AR, side_b=KR, model=model, length_a_A=11.0,
                               length_b_A=11.0, max_lateral_A=6.0, max_strain=0.0,
                               lattice_constants={"Ar": 5.28, "Kr": 5.28})
    with pytest.raises(PotentialError):
        NamedPotential("no_such_potential")
