"""Zero-stress relaxation (T = 0) of a bulk crystal, cell and positions, with LAMMPS.

:func:`relax_crystal` takes a 3-D periodic crystal from :mod:`structures.lattices`
(:func:`~structures.lattices.bulk_crystal` or :func:`~structures.lattices.read_crystal`),
relaxes its cell and internal positions to zero stress with a registry potential and
returns it in the same representation: same atoms in the same order, the same lattice
vectors (a primitive cell stays primitive) expressed in the input's Cartesian frame.

The box degrees of freedom keep the symmetry of the lattice named in
``info["lattice"]``:

============================== =========================================================
lattice                        ``fix box/relax``
============================== =========================================================
fcc, bcc, diamond, zincblende, ``iso 0.0``: one scale factor (cubic: the stress of a
rocksalt                       cubic crystal is isotropic, any cell keeps its shape)
hcp, wurtzite                  ``x 0.0 y 0.0 z 0.0 couple xy``: a and c independently,
                               the basal plane scaled isotropically (120° kept)
file (structure file)          ``tri 0.0``: all six cell components
============================== =========================================================

Method.  The cell is rotated into LAMMPS' convention (a along x, b in the xy plane: the
lower-triangular cell with the same metric), its tilts are reduced (``U``, an integer
unimodular change of lattice basis; strongly tilted boxes relax poorly) and it is
written as a triclinic data file with :func:`ase.io.write`.  Box relaxations alternate
with fixed-box minimisations (the box energy of ``fix box/relax`` is relative to its
reference box, a final fixed-box minimisation removes the residual forces) until every
stress component is below ``pressure_tol_GPa``.  With ``L_old``, ``L_new`` the LAMMPS
cells (rows) before and after and ``C_old`` the input cell, the relaxed cell in the input
frame is ``C_new = inv(U) @ L_new @ inv(L_old) @ U @ C_old`` (the LAMMPS cell rotated
back, in the input's basis) and the positions are the relaxed fractional coordinates
times ``C_new``, each shifted by the lattice translation that keeps it next to its input
position.

Units: Å, eV, amu, GPa (LAMMPS ``metal`` units give pressures in bar).
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import numpy as np
from ase import Atoms
from ase.calculators.lammps.coordinatetransform import calc_reduced_cell
from ase.io import write

from engine.energy import as_potential
from engine.runtime import new_lammps
from potentials import Potential, pair_commands
from structures.lattices import CUBIC_LATTICES, HEXAGONAL_LATTICES

__all__ = ["BAR_TO_GPA", "box_relax_style", "relax_crystal"]

#: LAMMPS metal pressure unit (bar) in GPa.
BAR_TO_GPA = 1e-4
#: Relative size (of the box lengths) below which a tilt counts as zero.
_TILT_TOL = 1e-8


def box_relax_style(lattice: str) -> str:
    """The ``fix box/relax`` arguments (target 0 bar) that keep ``lattice``'s symmetry.

    ``iso 0.0`` for the cubic lattices, ``x 0.0 y 0.0 z 0.0 couple xy`` for hcp and
    wurtzite, ``tri 0.0`` for any other crystal (``"file"``).
    """
    if lattice in CUBIC_LATTICES:
        return "iso 0.0"
    if lattice in HEXAGONAL_LATTICES:
        return "x 0.0 y 0.0 z 0.0 couple xy"
    return "tri 0.0"


def _lammps_frame_cell(cell: np.ndarray) -> np.ndarray:
    """The lower-triangular cell (rows, positive diagonal) with the metric of ``cell``.

    a along x, b in the xy plane: LAMMPS' triclinic convention (lx, ly, lz on the
    diagonal, xy, xz, yz below it).  ``cell @ R`` with ``R`` orthogonal (a rotation, or a
    rotation times a reflection for a left-handed cell).
    """
    return np.linalg.cholesky(cell @ cell.T)


def _reduced_basis(frame_cell: np.ndarray) -> np.ndarray:
    """Integer unimodular ``U`` such that ``U @ frame_cell`` has small tilts.

    The same lattice with ``|xy| <= lx/2``, ``|xz| <= lx/2``, ``|yz| <= ly/2``
    (:func:`ase.calculators.lammps.coordinatetransform.calc_reduced_cell`): LAMMPS
    relaxes strongly tilted boxes poorly, and warns about them.
    """
    reduced = calc_reduced_cell(frame_cell, (True, True, True))
    return np.rint(reduced @ np.linalg.inv(frame_cell))


def _box_cell(lmp) -> tuple[np.ndarray, np.ndarray]:
    """(boxlo, cell rows) of the current LAMMPS box (Å)."""
    boxlo, boxhi, xy, yz, xz = lmp.extract_box()[:5]
    lx, ly, lz = np.subtract(boxhi, boxlo)
    return np.asarray(boxlo, dtype=float), np.array([[lx, 0.0, 0.0], [xy, ly, 0.0],
                                                     [xz, yz, lz]])


def _positions(lmp, natoms: int) -> np.ndarray:
    """Positions (Å, LAMMPS frame) in atom-id order."""
    return np.ctypeslib.as_array(lmp.gather_atoms("x", 1, 3)).reshape(natoms, 3).copy()


def _stress_GPa(lmp) -> dict[str, float]:
    """Pressure and the six stress-tensor components (GPa, LAMMPS sign: p > 0 compresses)."""
    return {key: float(lmp.get_thermo(key)) * BAR_TO_GPA
            for key in ("press", "pxx", "pyy", "pzz", "pxy", "pxz", "pyz")}


def _check_inputs(crystal: Atoms, potential: Potential, specorder: list[str]) -> None:
    """ValueError for a crystal that is not 3-D periodic or uses unmodelled elements."""
    if len(crystal) == 0:
        raise ValueError("relax_crystal needs a crystal with atoms, got an empty Atoms")
    if not all(crystal.pbc):
        raise ValueError(f"relax_crystal needs a bulk crystal periodic in 3-D, got "
                         f"pbc={crystal.pbc.tolist()}")
    if crystal.cell.rank != 3 or abs(crystal.cell.volume) < 1e-6:
        raise ValueError("relax_crystal needs a crystal with three lattice vectors (a 3-D "
                         f"cell), got cell {np.asarray(crystal.cell).tolist()}")
    missing = [s for s in dict.fromkeys(crystal.get_chemical_symbols()) if s not in specorder]
    if missing:
        raise ValueError(f"specorder {specorder} lacks the elements {missing} of the crystal")
    for element in specorder:
        if element not in potential.elements:
            raise ValueError(f"potential '{potential.name}' does not model element "
                             f"'{element}' (it models {list(potential.elements)}): choose "
                             "another potential or element")


def _wurtzite_u(atoms: Atoms, conventional: np.ndarray) -> float:
    """Wurtzite internal parameter u (fraction of c) of the relaxed positions.

    The cation-anion bond along c: for the first cation, the shortest c-axis distance
    (fraction of c) to an anion in the same column of the hexagonal cell.
    """
    symbols = atoms.get_chemical_symbols()
    species = list(dict.fromkeys(symbols))
    frac = atoms.positions @ np.linalg.inv(conventional)
    cation = frac[symbols.index(species[0])]
    best = None
    for anion in frac[np.array(symbols) == species[-1]]:
        inplane = anion[:2] - cation[:2]
        if np.abs(inplane - np.round(inplane)).max() > 1e-3:
            continue
        dz = (anion[2] - cation[2]) % 1.0
        dz = min(dz, 1.0 - dz)
        best = dz if best is None else min(best, dz)
    return float("nan") if best is None else float(best)


def relax_crystal(crystal: Atoms, *, potential: str | Potential,
                  specorder: list[str] | None = None, ftol_eV_A: float = 1e-6,
                  max_iterations: int = 5000, pressure_tol_GPa: float = 0.01,
                  max_cycles: int = 10, vmax: float = 0.001) -> tuple[Atoms, dict]:
    """Relax a bulk crystal (cell and positions) to zero stress at T = 0.

    Parameters
    ----------
    crystal
        3-D periodic crystal with ``info["lattice"]`` (a name of
        :data:`structures.lattices.LATTICE_NAMES` or ``"file"``; missing: ``"file"``) and
        optionally ``info["conventional_cell_A"]`` (3 x 3 rows, Å).
    potential
        Registry name of the potential (``potentials/registry.yaml``), or an entry.
    specorder
        Element of each LAMMPS atom type, in type order; default: the crystal's distinct
        symbols in order of first appearance.
    ftol_eV_A
        Force tolerance (eV/Å) of every LAMMPS ``minimize``.
    max_iterations
        Iteration cap of every ``minimize`` (evaluations: ten times as many).
    pressure_tol_GPa
        Target: every stress component below this (GPa) after a cycle.
    max_cycles
        Largest number of (box relaxation, fixed-box minimisation) cycles.
    vmax
        Largest relative volume (``iso``) or length change per ``box/relax`` iteration.

    Returns
    -------
    (ase.Atoms, dict)
        The relaxed copy of ``crystal`` (same atoms, order, masses and cell basis, in the
        input's Cartesian frame; ``info`` kept with ``"conventional_cell_A"`` deformed like
        the cell) and a JSON-serialisable record: ``lattice``, ``a_A`` (length of the first
        conventional vector, Å), ``c_A`` (hcp/wurtzite, Å), ``u`` (wurtzite), ``cell_A``,
        ``conventional_cell_A`` (rows, Å), ``volume_per_atom_A3``, ``energy_per_atom_eV``,
        ``pressure_GPa`` (residual), ``stress_GPa`` (components), ``converged``,
        ``cycles``, ``box_relax`` (the ``fix box/relax`` arguments), ``potential``,
        ``specorder``, ``natoms``.  A :class:`RuntimeWarning` tells when the stress stays
        above ``pressure_tol_GPa`` after ``max_cycles`` (``converged`` is then false).

    Raises
    ------
    ValueError
        For a crystal that is not 3-D periodic, an element the potential does not model,
        or a hexagonal crystal whose third cell vector is not perpendicular to the first
        two.
    RuntimeError
        When LAMMPS fails (the message names the crystal and the potential).
    """
    if max_cycles < 1:
        raise ValueError(f"max_cycles must be at least 1, got {max_cycles}")
    entry = as_potential(potential)
    symbols = crystal.get_chemical_symbols()
    specorder = list(dict.fromkeys(symbols)) if specorder is None else list(specorder)
    _check_inputs(crystal, entry, specorder)
    lattice = str(crystal.info.get("lattice", "file"))
    style = box_relax_style(lattice)
    cell_old = np.array(crystal.cell, dtype=float)
    conventional_old = np.array(crystal.info.get("conventional_cell_A", cell_old), dtype=float)

    frame_cell = _lammps_frame_cell(cell_old)
    rotation = np.linalg.solve(cell_old, frame_cell)  # cell_old @ rotation = frame_cell
    if lattice in HEXAGONAL_LATTICES and np.abs(frame_cell[2, :2]).max() > _TILT_TOL * np.abs(
            frame_cell).max():
        raise ValueError(f"lattice '{lattice}': the third cell vector (c) must be "
                         "perpendicular to the first two (a1, a2) for the hexagonal box "
                         f"relaxation; got cell {cell_old.tolist()}")
    basis = _reduced_basis(frame_cell)  # LAMMPS cell = basis @ frame_cell
    rotated = Atoms(symbols, positions=crystal.positions @ rotation, cell=basis @ frame_cell,
                    pbc=True, masses=crystal.get_masses())
    natoms = len(crystal)
    minimize = f"minimize 0.0 {ftol_eV_A!r} {max_iterations} {10 * max_iterations}"
    scale = "" if style.startswith("tri") else " scalexy yes scalexz yes scaleyz yes"
    history = []
    lmp = new_lammps()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "crystal.data"
            write(data, rotated, format="lammps-data", specorder=specorder, masses=True,
                  units="metal", atom_style="atomic", force_skew=True)
            lmp.commands_list(["units metal", "atom_style atomic",
                               "atom_modify map array sort 0 0.0", "boundary p p p",
                               f"read_data {data}"])
        lmp.commands_list(pair_commands(entry, specorder))
        lmp.commands_list(["neighbor 1.0 bin", "neigh_modify every 1 delay 0 check yes",
                           "thermo_style custom step pe press pxx pyy pzz pxy pxz pyz",
                           "min_style cg"])
        _, lammps_old = _box_cell(lmp)
        stress = {}
        for _ in range(max_cycles):
            lmp.commands_list([f"fix crystal_relax all box/relax {style} vmax {vmax!r}{scale}",
                               minimize, "unfix crystal_relax", minimize, "run 0 post no"])
            stress = _stress_GPa(lmp)
            history.append(stress["press"])
            if max(abs(v) for k, v in stress.items() if k != "press") < pressure_tol_GPa:
                break
        energy = float(lmp.get_thermo("pe"))
        boxlo, lammps_new = _box_cell(lmp)
        x_lammps = _positions(lmp, natoms)
    except Exception as err:
        raise RuntimeError(f"LAMMPS failed to relax the {lattice} crystal "
                           f"({crystal.get_chemical_formula()}) with potential "
                           f"'{entry.name}': {err}") from err
    finally:
        lmp.close()

    # the LAMMPS lattice basis in the input frame, deformed like the LAMMPS cell; then
    # the input's basis
    reduced_new = lammps_new @ np.linalg.solve(lammps_old, basis @ cell_old)
    cell_new = np.linalg.solve(basis, reduced_new)
    frac_in = crystal.positions @ np.linalg.inv(cell_old)
    frac = (x_lammps - boxlo) @ np.linalg.solve(lammps_new, reduced_new) @ np.linalg.inv(
        cell_new)
    frac += np.round(frac_in - frac)  # the lattice translation nearest each input position
    conventional_new = conventional_old @ np.linalg.solve(cell_old, cell_new)
    relaxed = crystal.copy()
    relaxed.set_cell(cell_new, scale_atoms=False)
    relaxed.positions = frac @ cell_new
    relaxed.info = dict(crystal.info)
    relaxed.info["conventional_cell_A"] = conventional_new.tolist()

    record = {
        "lattice": lattice,
        "a_A": float(np.linalg.norm(conventional_new[0])),
    }
    if lattice in HEXAGONAL_LATTICES:
        record["c_A"] = float(np.linalg.norm(conventional_new[2]))
    if lattice == "wurtzite":
        record["u"] = _wurtzite_u(relaxed, conventional_new)
    converged = max(abs(v) for k, v in stress.items() if k != "press") < pressure_tol_GPa
    if not converged:
        warnings.warn(f"relax_crystal: the {lattice} crystal ({crystal.get_chemical_formula()}, "
                      f"potential '{entry.name}') keeps stress components up to "
                      f"{max(abs(v) for v in stress.values()):.3g} GPa after {max_cycles} "
                      f"cycles (target {pressure_tol_GPa} GPa)", RuntimeWarning, stacklevel=2)
    record |= {
        "cell_A": cell_new.tolist(),
        "conventional_cell_A": conventional_new.tolist(),
        "volume_per_atom_A3": float(abs(np.linalg.det(cell_new)) / natoms),
        "energy_per_atom_eV": energy / natoms,
        "pressure_GPa": stress["press"],
        "stress_GPa": {k: v for k, v in stress.items() if k != "press"},
        "converged": bool(converged),
        "cycles": len(history),
        "box_relax": style,
        "potential": entry.name,
        "specorder": specorder,
        "natoms": natoms,
    }
    return relaxed, record
