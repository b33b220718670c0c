"""Registry search and adhesion energetics of bonded interfaces (issue 18, first parts).

Pure tests (no LAMMPS): the search cell of equivalent translations, the grid and
refinement logic and the ranking with ties, with a toy energy model whose energy depends
only on the gap and on the in-plane offset of side B; the formulas of the energetics; the
config option.  LAMMPS tests (``lammps``): a homo-"interface" (Lennard-Jones fcc on both
sides, lj_argon, Ar/Kr labels of one potential) finds the perfect-crystal registry with
γ_int ≈ 0 and W_ad ≈ 2 γ_surface, translations equivalent by the cell's symmetry give
equal energies, and the search is deterministic.
"""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest

from structures.adhesion import (
    AdhesionReference,
    interface_energy_J_m2,
    surface_energy_J_m2,
    work_of_adhesion_J_m2,
)
from structures.coincidence import find_coincidence
from structures.energy_model import Minimised
from structures.grain_boundary import EV_PER_A2_IN_J_PER_M2
from structures.interface import short_stack_cells, stack_sides
from structures.registry import (
    RegistryCandidate,
    rank_candidates,
    search_registry,
    translation_lattice,
)

AR = {"element": "Ar", "lattice": "fcc", "mass_amu": 39.948}
KR = {"element": "Kr", "lattice": "fcc", "mass_amu": 83.798}
SI = {"element": "Si", "lattice": "diamond"}
CU = {"element": "Cu", "lattice": "fcc"}
A_LJ = 5.2764  # fcc lj_argon lattice constant (Å), close enough for the pure tests
#: 2 x 2 conventional fcc cells (10.55 Å): the short stack holds 32 + 32 atoms
LJ_MATCH = find_coincidence(A_LJ, A_LJ, max_lateral_A=11.0, min_lateral_A=10.0,
                            max_strain=0.0, allow_rotated=False)


# --- the search cell: translations equivalent up to a rigid shift ------------------------

def _stack(side_a, side_b, constants, match, translation_A=None):
    return stack_sides(side_a, side_b, lattice_constants_A=constants, match=match,
                       n_z=short_stack_cells(constants), separation_A=2.0,
                       translation_A=translation_A)


@pytest.mark.parametrize("sides, constants, window, rotated, edge", [
    ((SI, CU), (5.431, 3.615), (10.0, 12.0), False, Fraction(1, 12)),  # 2 Si on 3 Cu
    ((AR, KR), (A_LJ, A_LJ), (10.0, 11.0), False, Fraction(1, 4)),     # a/2 (1, ±1)
    ((AR, KR), (A_LJ, A_LJ), (7.0, 8.0), True, Fraction(1, 2)),        # a/√2 rotated cells
])
def test_translation_lattice_is_generated_by_both_sides(sides, constants, window, rotated, edge):
    match = find_coincidence(*constants, min_lateral_A=window[0], max_lateral_A=window[1],
                             max_strain=0.01, allow_rotated=rotated)
    assert match.rotated_45 == rotated
    u, v = translation_lattice(_stack(*sides, constants, match))
    if rotated:  # x along [110]: the fcc (001) lattice is square in the rotated cell
        assert (u, v) == ((edge, 0), (0, edge))
    else:
        assert (u, v) == ((edge, edge), (-edge, edge))


def test_a_translation_by_a_cell_edge_gives_the_same_stack_shifted():
    """Si/Cu: side B moved by an edge of the reduced cell is the unshifted stack moved
    rigidly (by an Si lattice vector): the same interface."""
    constants = (5.431, 3.615)
    match = find_coincidence(*constants, min_lateral_A=10.0, max_lateral_A=12.0,
                             max_strain=0.01)
    reference = _stack(SI, CU, constants, match)
    lateral = reference.cell.lengths()[:2]
    for edge in translation_lattice(reference):
        shift = np.array([float(f) for f in edge]) * lateral
        moved = _stack(SI, CU, constants, match, translation_A=tuple(shift))
        assert not np.allclose(moved.positions, reference.positions)
        # find the rigid shift: some lattice vector of A maps A onto itself and B onto B
        found = False
        for s in moved.positions[moved.arrays["side"] == 1][:, :2] - reference.positions[
                reference.arrays["side"] == 1][0, :2]:
            shifted = reference.positions.copy()
            shifted[:, :2] = np.mod(shifted[:, :2] + s, lateral)
            if all(_same_sites(shifted[reference.arrays["side"] == k],
                               moved.positions[moved.arrays["side"] == k], lateral)
                   for k in (0, 1)):
                found = True
                break
        assert found, f"translation {shift} is not equivalent to none"


def _same_sites(a, b, lateral) -> bool:
    d = a[:, None, :] - b[None, :, :]
    d[..., :2] -= lateral * np.round(d[..., :2] / lateral)
    return bool(np.all(np.linalg.norm(d, axis=2).min(axis=1) < 1e-6))


# --- the grid, the refinement and the ranking with a toy energy model --------------------

class ToyCalculator:
    """Energy = (gap - 2 Å)² + landscape(offset of B's first atom, in lateral fractions)."""

    def __init__(self, atoms, landscape):
        self.atoms, self.landscape = atoms.copy(), landscape

    def energy(self, positions_A=None) -> float:
        positions = self.atoms.positions if positions_A is None else positions_A
        on_b = self.atoms.arrays["side"] == 1
        gap = positions[on_b, 2].min() - positions[~on_b, 2].max()
        lateral = self.atoms.cell.lengths()[:2]
        first_b = np.flatnonzero(on_b)[0]
        offset = np.mod((positions[first_b, :2] - positions[0, :2]) / lateral, 1.0)
        return float((gap - 2.0) ** 2 + self.landscape(*offset))

    def set_box(self, lengths_A) -> None:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class ToyModel:
    """An energy model without LAMMPS; ``minimise`` leaves the atoms where they are."""

    name = "lj_argon"

    def __init__(self, landscape):
        self.landscape, self.settings = landscape, []

    def calculator(self, atoms, *, specorder):
        return ToyCalculator(atoms, self.landscape)

    def minimise(self, atoms, *, specorder, **settings):
        self.settings.append(settings)
        return Minimised(atoms.copy(), ToyCalculator(atoms, self.landscape).energy())


def _well(u0, v0, width=0.15):
    def landscape(u, v):
        du, dv = (np.mod(np.array([u - u0, v - v0]) + 0.5, 1.0) - 0.5)
        return -float(np.exp(-(du * du + dv * dv) / width**2))
    return landscape


def _search(model, **settings):
    return search_registry(AR, KR, model=model, lattice_constants_A=(A_LJ, A_LJ),
                           match=LJ_MATCH, **{"grid": 4, "refine": 2, "keep": 1,
                                              "cell": "coincidence", **settings})


def test_grid_then_refinement_converges_on_the_minimum():
    """Minimum at (0.3, 0.6) of the lateral cell: the 4 x 4 grid's best is (1/4, 1/2),
    the first round (step 1/8) moves to (1/4, 5/8), the second (1/16) to (5/16, 5/8)."""
    model = ToyModel(_well(0.3, 0.6))
    search = _search(model)
    assert search.denominator == 16 and search.cell_fractional == ((1.0, 0.0), (0.0, 1.0))
    assert len(search.candidates) == 16 + 8 + 8
    assert [c.stage for c in search.candidates].count(0) == 16
    best = search.best
    assert best.index == (5, 10) and best.stage == 2
    assert best.fraction == (5 / 16, -6 / 16)  # centred in (-1/2, 1/2]
    assert best.lateral_fraction == pytest.approx((5 / 16, -6 / 16))
    assert best.translation_A == pytest.approx(np.array(best.fraction) * LJ_MATCH.lateral_A)
    assert best.separation_A == pytest.approx(2.0, abs=1e-3)
    energies = np.array([c.energy_eV for c in search.candidates])
    assert np.all(np.diff(energies) >= -1e-7)  # increasing, ties (within 1e-7) by index
    assert search.unshifted.index == (0, 0) and search.unshifted.translation_A == (0.0, 0.0)
    # every candidate relaxed with atoms only (the stack is in vacuum)
    assert len(model.settings) == len(search.candidates)
    assert all(s == {"relax_z": False} for s in model.settings)


def test_keep_refines_the_best_few_of_distinct_energy():
    model = ToyModel(_well(0.3, 0.6))
    one, three = _search(model, refine=1, keep=1), _search(model, refine=1, keep=3)
    assert len(one.candidates) == 16 + 8
    assert 16 + 8 < len(three.candidates) <= 16 + 3 * 8
    assert three.best.energy_eV <= one.best.energy_eV


def test_ties_go_to_the_smallest_translation_and_the_search_is_deterministic():
    """A landscape of period 1/2 along both edges: (0, 0), (1/2, 0), (0, 1/2) and
    (1/2, 1/2) are equally good; the zero translation wins; two runs agree exactly."""
    def landscape(u, v):
        return -float(np.cos(4 * np.pi * u) + np.cos(4 * np.pi * v))

    first = _search(ToyModel(landscape), refine=1, keep=2)
    second = _search(ToyModel(landscape), refine=1, keep=2)
    assert first == second
    assert first.best.index == (0, 0)
    tied = [c.index for c in first.candidates[:4]]
    assert tied == sorted(tied) == [(0, 0), (0, 4), (4, 0), (4, 4)]


def test_rank_candidates_orders_ties_by_index():
    """Tolerance 1e-7 x 100 eV: 1e-9 eV apart is a tie, 2e-5 eV is not."""

    def candidate(index, energy):
        return RegistryCandidate(index, (0.0, 0.0), (0.0, 0.0), (0.0, 0.0), 2.0, energy, 2.0,
                                 (0.0, 0.0), 0)

    ranked = rank_candidates([candidate((2, 0), -100.0), candidate((1, 0), -100.0 + 1e-9),
                              candidate((0, 1), -99.0), candidate((0, 0), -100.0 + 2e-5)])
    assert [c.index for c in ranked] == [(1, 0), (2, 0), (0, 0), (0, 1)]


def test_search_settings_are_checked():
    with pytest.raises(ValueError, match="cell"):
        _search(ToyModel(_well(0.3, 0.6)), cell="hexagonal")
    with pytest.raises(ValueError, match="grid"):
        _search(ToyModel(_well(0.3, 0.6)), grid=0)


# --- the energetics' formulas -------------------------------------------------------------

def test_interface_energy_and_work_of_adhesion_formulas():
    area = 100.0
    e_a, e_b, n_a, n_b = -3.0, -2.0, 40, 60
    gamma = (0.5, 0.25)  # J/m²
    slabs = tuple(n * e + 2 * area * g / EV_PER_A2_IN_J_PER_M2
                  for n, e, g in zip((n_a, n_b), (e_a, e_b), gamma, strict=True))
    assert surface_energy_J_m2(slabs[0], n_a, e_a, area) == pytest.approx(gamma[0])
    ref = AdhesionReference(area, (n_a, n_b), (e_a, e_b), slabs, gamma)
    gamma_int = 0.1
    # the stack: both bulks, the two outer surfaces and the interface
    e_ab = n_a * e_a + n_b * e_b + area * (gamma[0] + gamma[1] + gamma_int) / EV_PER_A2_IN_J_PER_M2
    assert interface_energy_J_m2(e_ab, ref) == pytest.approx(gamma_int)
    assert work_of_adhesion_J_m2(e_ab, ref) == pytest.approx(sum(gamma) - gamma_int)


# --- the config option ---------------------------------------------------------------------

def test_registry_search_is_opt_in_and_filled_from_the_schema(tmp_path):
    """Off where a config has no block (the LJ test study); the default Si/Cu study asks
    for it with an empty block, filled with the schema's defaults, as is a partial one."""
    import yaml

    from study.config import load_config
    from tests.conftest import REPO

    defaults = {"grid": 4, "refine": 2, "keep": 3, "cell": "reduced", "confirm": 3}
    config = load_config(REPO / "config" / "test_lj.yaml")
    assert all("registry_search" not in s for s in config["systems"].values())
    assert load_config(REPO / "config" / "config.yaml")["systems"]["SiCu"][
        "registry_search"] == defaults
    raw = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    raw["systems"]["SiCu"]["registry_search"] = {"grid": 3}
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw))
    assert load_config(path)["systems"]["SiCu"]["registry_search"] == {**defaults, "grid": 3}


# --- LAMMPS: the homo-interface ---------------------------------------------------------------

#: 3 cells per side: thicker than the short stack (2 cells), so the confirmation differs
LJ_BUILD = {"side_a": AR, "side_b": KR, "length_a_A": 16.0, "length_b_A": 16.0,
            "max_lateral_A": 11.0, "min_lateral_A": 10.0, "max_strain": 0.01,
            "allow_rotated": False}


@pytest.fixture(scope="module")
def lj_model():
    from engine.lammps_model import LammpsModel

    return LammpsModel("lj_argon")


def gamma_s_short(registry: dict) -> float:
    return registry["reference_short"]["surface_energy_J_m2"][0]


@pytest.mark.lammps
def test_homo_interface_finds_the_perfect_crystal(lj_model):
    from structures.interface import build_bonded_interface

    plain, plain_info = build_bonded_interface(model=lj_model, **LJ_BUILD)
    atoms, info = build_bonded_interface(
        model=lj_model, **LJ_BUILD,
        registry_search={"grid": 2, "refine": 1, "keep": 1, "cell": "reduced", "confirm": 2})
    registry = info["registry"]
    assert info["registry_translation_A"] == [0.0, 0.0]
    assert registry["candidates"][0]["index"] == [0, 0]
    assert registry["n_z_short"] == [2, 2] and registry["n_z_built"] == [3, 3]
    assert registry["confirmed"][0]["index"] == [0, 0]
    assert len(registry["confirmed"]) == 2  # the best two of distinct energy (one unshifted)
    assert abs(registry["candidates"][0]["gamma_int_J_m2"]) < 1e-3 * gamma_s_short(registry)
    # the perfect crystal: no interface energy, W_ad = 2 γ_surface
    gamma_s = info["gamma_a_J_m2"]
    assert 0.01 < gamma_s < 0.1 and info["gamma_b_J_m2"] == pytest.approx(gamma_s, rel=1e-9)
    assert abs(info["gamma_int_J_m2"]) < 1e-3 * gamma_s
    assert info["work_of_adhesion_J_m2"] == pytest.approx(2 * gamma_s, rel=1e-3)
    # the bridge and on-top registries (grid points (1/2, 0) and (1/2, 1/2)) bind less
    worse = {tuple(c["index"]): c for c in registry["candidates"]}
    for index in ((2, 0), (2, 2)):
        assert worse[index]["gamma_int_J_m2"] > 0.3 * gamma_s
        assert worse[index]["work_of_adhesion_J_m2"] < 1.7 * gamma_s
    # the structure is the one built without the search (same registry and separation)
    assert np.array_equal(atoms.positions, plain.positions)
    assert info["separation_A"] == plain_info["separation_A"]
    json.dumps(info)  # the record is JSON-serialisable


@pytest.mark.lammps
def test_translations_equivalent_by_symmetry_have_equal_energies(lj_model):
    """Bridge and on-top sites of fcc(001) on fcc(001), related by the 4-fold axis, the
    mirrors and the lattice translations (of a side and of the lateral cell)."""
    from structures.registry import relax_registry

    a = LJ_MATCH.lateral_A / 2
    lateral = LJ_MATCH.lateral_A
    families = {
        "bridge": [(a / 4, a / 4), (a / 4, -a / 4), (-a / 4, a / 4), (3 * a / 4, 3 * a / 4),
                   (a / 4 + lateral, a / 4)],
        "on-top": [(a / 2, 0.0), (0.0, a / 2), (-a / 2, 0.0), (a / 2, a)],
        "low": [(0.3, 0.7), (0.7, 0.3), (-0.3, 0.7), (0.3 + a / 2, 0.7 + a / 2)],
    }
    energies = {}
    for name, translations in families.items():
        values = [relax_registry(AR, KR, model=lj_model, lattice_constants_A=(A_LJ, A_LJ),
                                 match=LJ_MATCH, translation_A=t).energy_eV
                  for t in translations]
        assert np.ptp(values) <= 1e-6 * abs(values[0]), (name, values)
        energies[name] = values[0]
    assert energies["on-top"] > energies["bridge"]


@pytest.mark.lammps
def test_the_search_is_deterministic(lj_model):
    runs = [search_registry(AR, KR, model=lj_model, lattice_constants_A=(A_LJ, A_LJ),
                            match=LJ_MATCH, grid=2, refine=1, keep=2, cell="reduced")
            for _ in range(2)]
    assert runs[0] == runs[1]
    assert runs[0].best.index == (0, 0)


@pytest.mark.lammps
def test_build_structure_records_the_registry(tmp_path):
    from study.build_structure import build

    system = {"name": "LJ", "potential": "lj_argon", "type": "bonded_interface",
              **{k: v for k, v in LJ_BUILD.items() if k != "allow_rotated"},
              "separation_A": None,
              "registry_search": {"grid": 2, "refine": 0, "keep": 1, "cell": "reduced",
                                  "confirm": 1}}
    build(system, tmp_path / "built.data", tmp_path / "built.json")
    record = json.loads((tmp_path / "built.json").read_text())
    assert record["registry"]["n_candidates"] == 4
    for key in ("gamma_a_J_m2", "gamma_b_J_m2", "gamma_int_J_m2", "work_of_adhesion_J_m2",
                "registry_translation_A", "registry_translation_fraction"):
        assert key in record
    for candidate in record["registry"]["candidates"]:
        assert {"translation_A", "fraction", "lateral_fraction", "energy_eV",
                "gamma_int_J_m2", "work_of_adhesion_J_m2"} <= set(candidate)


def test_registry_search_on_a_grain_boundary_is_refused_before_any_md():
    """The config check names the field (not the build job, minutes later)."""
    import yaml

    from study.config import ConfigError, check_config, validate_config
    from tests.conftest import REPO

    config = yaml.safe_load((REPO / "config" / "grain_boundaries.yaml").read_text())
    name = next(n for n, s in config["systems"].items() if s.get("type") == "grain_boundary")
    config["systems"][name]["registry_search"] = {}
    with pytest.raises(ConfigError, match=rf"systems\.{name}\.registry_search: the registry "
                                          "search is for bonded interfaces"):
        check_config(validate_config(config))


@pytest.mark.lammps
def test_rank_builds_the_next_lowest_registry(lj_model):
    """rank = 2 builds the second lowest confirmed registry (higher γ_int, lower W_ad than
    rank 1); a rank beyond the confirmed registries of distinct energy is refused."""
    from structures.interface import build_bonded_interface

    search = {"grid": 2, "refine": 0, "keep": 1, "cell": "reduced", "confirm": 2}
    _, first = build_bonded_interface(model=lj_model, **LJ_BUILD, registry_search=search)
    _, second = build_bonded_interface(model=lj_model, **LJ_BUILD,
                                       registry_search={**search, "rank": 2})
    assert first["registry_rank"] == 1 and second["registry_rank"] == 2
    confirmed = second["registry"]["confirmed"]
    assert second["registry_translation_A"] == confirmed[1]["translation_A"] != [0.0, 0.0]
    assert second["gamma_int_J_m2"] == pytest.approx(confirmed[1]["gamma_int_J_m2"])
    assert second["gamma_int_J_m2"] > first["gamma_int_J_m2"] + 0.1 * first["gamma_a_J_m2"]
    assert second["work_of_adhesion_J_m2"] < first["work_of_adhesion_J_m2"]
    assert second["registry"]["confirmed"] == first["registry"]["confirmed"]
    with pytest.raises(ValueError, match="rank = 3, but only 2 confirmed registries"):
        build_bonded_interface(model=lj_model, **LJ_BUILD, registry_search={**search, "rank": 3})
