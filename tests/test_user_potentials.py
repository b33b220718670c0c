"""User potentials (issue 17): defined in a study config, checked before any MD, used by
the engine like the registry's, recorded with their checksums."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
import yaml

from potentials import (
    USER_POTENTIALS_ENV,
    PotentialError,
    activate_user_potentials,
    default_search_path,
    get_potential,
    pair_commands,
    provenance,
    sha256_of,
    user_potentials,
)
from study.config import ConfigError, check_config, load_config, validate_config
from tests.conftest import REPO

EXAMPLES = sorted((REPO / "config" / "examples").glob("*.yaml"))
WHEEL = default_search_path()[0]


@pytest.fixture(autouse=True)
def _no_user_potentials_left(monkeypatch):
    """Each test starts and ends without active user potentials."""
    monkeypatch.delenv(USER_POTENTIALS_ENV, raising=False)
    yield
    activate_user_potentials({})


@pytest.fixture
def my_sw(tmp_path):
    """A copy of the wheel's Si.sw in a user folder, and its definition."""
    folder = tmp_path / "mine"
    folder.mkdir()
    shutil.copy(WHEEL / "Si.sw", folder / "Si.sw")
    return {"my_sw": {"pair_style": "sw", "pair_coeff": "* * {file:Si.sw} {types}",
                      "files": {"Si.sw": "mine/Si.sw"}, "elements": ["Si"],
                      "citation": "Stillinger & Weber (1985)"}}


def lj_study(potentials: dict, potential: str, **system) -> dict:
    raw = yaml.safe_load((REPO / "config" / "test_lj.yaml").read_text())
    raw["potentials"] = potentials
    raw["systems"]["LJ-AB"].update(potential=potential, **system)
    return raw


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_every_example_config_validates(path):
    raw = yaml.safe_load(path.read_text())
    config = load_config(path)
    own = "potentials" in raw or "potentials_file" in raw  # the user-potential examples
    for name in config["systems"]:
        potential = get_potential(config["systems"][name]["potential"])
        assert potential.source.startswith("potentials") if own else potential.source == "registry"
        assert all(len(v) == 64 for v in potential.files.values())


def test_a_user_potential_is_loaded_with_its_checksum(my_sw, tmp_path):
    found = user_potentials(my_sw, tmp_path)["my_sw"]
    assert found.files == {"Si.sw": sha256_of(WHEEL / "Si.sw")}
    assert found.file_paths["Si.sw"] == str((tmp_path / "mine" / "Si.sw").resolve())
    activate_user_potentials({"my_sw": found})
    assert get_potential("my_sw") == found
    record = provenance(found)
    assert record["source"] == "potentials"
    assert record["files"]["Si.sw"]["sha256"] == sha256_of(WHEEL / "Si.sw")
    assert pair_commands(found, ["Si"]) == [
        "pair_style sw", f"pair_coeff * * {(tmp_path / 'mine' / 'Si.sw').resolve()} Si"]


def test_processes_started_later_see_the_user_potentials(my_sw, tmp_path):
    activate_user_potentials(user_potentials(my_sw, tmp_path))
    code = "from potentials import get_potential; print(get_potential('my_sw').files['Si.sw'])"
    out = subprocess.run([sys.executable, "-c", code],
                         capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == sha256_of(WHEEL / "Si.sw")


def test_a_changed_file_is_caught_at_run_time(my_sw, tmp_path):
    found = user_potentials(my_sw, tmp_path)["my_sw"]
    (tmp_path / "mine" / "Si.sw").write_text("# edited\n")
    with pytest.raises(PotentialError, match="changed since the config was read"):
        pair_commands(found, ["Si"])


BAD = {
    "missing file": ({"files": {"Si.sw": "mine/none.sw"}}, r"my_sw\.files\.Si\.sw\.path: .* does not exist"),
    "wrong sha256": ({"files": {"Si.sw": {"path": "mine/Si.sw", "sha256": "0" * 64}}},
                     r"my_sw\.files\.Si\.sw\.sha256: .* not the 0+ given"),
    "unknown field": ({"pair_sytle": "sw"}, r"my_sw: unknown field\(s\) \['pair_sytle'\]"),
    "file not listed": ({"pair_coeff": "* * {file:Other.sw} {types}"},
                        r"my_sw\.pair_coeff: uses \{file:Other\.sw\}"),
    "species of no element": ({"species": {"Ge": "Ge"}}, r"my_sw\.species: \['Ge'\]"),
    "no elements": ({"elements": []}, r"my_sw\.elements: missing"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_user_potentials_are_named(case, my_sw, tmp_path):
    change, message = BAD[case]
    with pytest.raises(PotentialError, match=message):
        user_potentials({"my_sw": {**my_sw["my_sw"], **change}}, tmp_path)


def test_a_registry_name_cannot_be_redefined(my_sw, tmp_path):
    with pytest.raises(PotentialError, match="potentials.sw_si: 'sw_si' is a potential of the "
                                             "registry"):
        user_potentials({"sw_si": my_sw["my_sw"]}, tmp_path)


def test_config_errors_name_the_field_before_any_md(tmp_path):
    lj = {"my_lj": {"pair_style": "lj/cut 8.5", "pair_coeff": "* * 0.0103 3.405",
                    "elements": ["Ar"]}}
    config = validate_config(lj_study(lj, "my_lj"))  # side B is Kr: not modelled
    with pytest.raises(ConfigError, match=r"systems\.LJ-AB\.side_b\.element: 'Kr' is not "
                                          r"modelled by potential 'my_lj'"):
        check_config(config)
    raw = lj_study({}, "lj_argon")
    raw["potentials_file"] = str(tmp_path / "none.yaml")
    with pytest.raises(ConfigError, match=r"potentials_file: .*none\.yaml' does not exist"):
        validate_config(raw)
    (tmp_path / "mine.yaml").write_text(yaml.safe_dump({"my_lj": lj["my_lj"]}))
    raw = lj_study(lj, "my_lj")
    raw["potentials_file"] = str(tmp_path / "mine.yaml")
    with pytest.raises(ConfigError, match="potentials.my_lj: also defined in potentials_file"):
        validate_config(raw)


def test_potentials_file_paths_start_from_its_folder(my_sw, tmp_path):
    (tmp_path / "pots.yaml").write_text(yaml.safe_dump(my_sw))
    raw = lj_study({}, "lj_argon")
    raw["potentials_file"] = str(tmp_path / "pots.yaml")
    validate_config(raw)
    assert get_potential("my_sw").file_paths["Si.sw"] == str((tmp_path / "mine" / "Si.sw").resolve())
    assert json.loads(__import__("os").environ[USER_POTENTIALS_ENV])["my_sw"]["source"] == (
        "potentials_file")


def test_hybrid_placeholders_follow_the_cell():
    config = load_config(REPO / "config" / "examples" / "hybrid_sw_eam_morse_sicu.yaml")
    potential = get_potential(config["systems"]["SiCu-hybrid"]["potential"])
    both = pair_commands(potential, ["Si", "Cu"])
    assert both[0] == "pair_style hybrid sw eam/alloy morse 6.0"
    assert both[1].endswith("Si.sw Si NULL") and both[2].endswith("Cu_mishin1.eam.alloy NULL Cu")
    assert both[3] == "pair_coeff 1 2 morse 0.5 1.5 2.4"
    swapped = pair_commands(potential, ["Cu", "Si"])
    assert swapped[1].endswith("NULL Si") and swapped[3] == "pair_coeff 1 2 morse 0.5 1.5 2.4"
    # Si on both sides of an interface (types 1 and 3): one cross term per Si type
    repeated = pair_commands(potential, ["Si", "Cu", "Si"])
    assert repeated[1].endswith("Si.sw Si NULL Si") and repeated[2].endswith("NULL Cu NULL")
    assert repeated[3:] == ["pair_coeff 1 2 morse 0.5 1.5 2.4", "pair_coeff 2 3 morse 0.5 1.5 2.4"]
    alone = pair_commands(potential, ["Si"])  # no Cu: the cross term is left out
    assert len(alone) == 3 and alone[1].endswith("Si.sw Si") and alone[2].endswith("NULL")


# -- real LAMMPS ------------------------------------------------------------------------

def _energy(potential, atoms, specorder) -> float:
    from engine.energy import LammpsEnergy

    with LammpsEnergy(atoms, potential=potential, specorder=specorder) as calc:
        return calc.energy()


@pytest.mark.lammps
def test_a_user_copy_gives_the_registry_energy(my_sw, tmp_path):
    from ase.build import bulk

    atoms = bulk("Si", "diamond", a=5.431, cubic=True).repeat(2)
    atoms.rattle(0.05, seed=1)
    found = user_potentials(my_sw, tmp_path)["my_sw"]
    assert _energy(found, atoms, ["Si"]) == pytest.approx(_energy("sw_si", atoms, ["Si"]),
                                                          rel=1e-12)


@pytest.mark.lammps
def test_hybrid_is_sw_in_si_eam_in_cu_and_morse_between():
    import numpy as np
    from ase import Atoms
    from ase.build import bulk

    config = load_config(REPO / "config" / "examples" / "hybrid_sw_eam_morse_sicu.yaml")
    hybrid = get_potential(config["systems"]["SiCu-hybrid"]["potential"])
    si = bulk("Si", "diamond", a=5.431, cubic=True).repeat(2)
    cu = bulk("Cu", "fcc", a=3.615, cubic=True).repeat(3)
    assert _energy(hybrid, si, ["Si", "Cu"]) == pytest.approx(_energy("sw_si", si, ["Si"]),
                                                              rel=1e-12)
    assert _energy(hybrid, cu, ["Si", "Cu"]) == pytest.approx(
        _energy("eam_cu_mishin", cu, ["Cu"]), rel=1e-12)
    # one Si and one Cu atom 2.4 A apart (r0) in a large box: the Morse minimum, -D0
    pair = Atoms("SiCu", positions=[[5, 5, 5], [5, 5, 7.4]], cell=[20, 20, 20], pbc=True)
    assert _energy(hybrid, pair, ["Si", "Cu"]) - _energy(hybrid, pair[:1], ["Si", "Cu"]) - \
        _energy(hybrid, pair[1:], ["Si", "Cu"]) == pytest.approx(-0.5, abs=1e-9)
    assert np.isfinite(_energy(hybrid, pair, ["Si", "Cu"]))


@pytest.mark.lammps
def test_snap_silicon_through_the_same_path():
    from ase.build import bulk

    config = load_config(REPO / "config" / "examples" / "snap_si_grain_boundary.yaml")
    snap = get_potential(config["systems"]["Si-S5-310-tilt-snap"]["potential"])
    atoms = bulk("Si", "diamond", a=5.43, cubic=True).repeat(2)
    per_atom = _energy(snap, atoms, ["Si"]) / len(atoms)
    print(f"SNAP Si (Zuo 2020) at a = 5.43 A: {per_atom:.4f} eV/atom")
    assert -5.6 < per_atom < -5.2  # silicon's cohesive energy, 4.63 eV/atom + the SNAP reference


@pytest.mark.lammps
def test_an_element_with_two_types_keeps_its_cross_terms():
    """Si as types 1 and 3 ([Si, Cu, Si]: an element on both sides) gives the energy of
    Si as one type: the hybrid's Morse Si-Cu term is set for both Si types."""
    import numpy as np
    from ase.build import bulk

    config = load_config(REPO / "config" / "examples" / "hybrid_sw_eam_morse_sicu.yaml")
    hybrid = get_potential(config["systems"]["SiCu-hybrid"]["potential"])
    atoms = bulk("Si", "diamond", a=5.431, cubic=True).repeat(2)
    atoms.symbols[[0, 9, 17]] = "Cu"
    atoms.rattle(0.03, seed=2)
    one = _energy(hybrid, atoms, ["Si", "Cu"])
    types = np.where(atoms.numbers == 29, 2, 1)
    types[(atoms.numbers == 14) & (atoms.positions[:, 2] > 5.4)] = 3
    atoms.arrays["lammps_type"] = types
    assert _energy(hybrid, atoms, ["Si", "Cu", "Si"]) == pytest.approx(one, rel=1e-12)
