"""Atomic planes from z coordinates (structures.planes): noisy crystals, two spacings,
bins of whole planes, slabs and region bounds between planes."""

from __future__ import annotations

import numpy as np
import pytest

from structures.planes import (
    MIN_GAP_FRACTION,
    bin_planes,
    check_planes,
    find_planes,
    interior_slab,
    plane_edges,
    plane_spacings,
    side_planes,
    snap_to_edges,
)

SI_D001_A = 5.431 / 4  # diamond (001) spacing, 1.358 Å
CU_D001_A = 3.615 / 2  # fcc (001) spacing, 1.8075 Å


def noisy_stack(z0_A: float, spacing_A: float, n_planes: int, per_plane: int, sigma_A: float,
                rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """z of a crystal's atoms (shuffled) with Gaussian thermal noise; the ideal plane z."""
    planes = z0_A + spacing_A * np.arange(n_planes)
    z = np.repeat(planes, per_plane) + rng.normal(0.0, sigma_A, n_planes * per_plane)
    return rng.permutation(z), planes


def test_noisy_crystal_gives_its_planes():
    rng = np.random.default_rng(1)
    z, ideal = noisy_stack(3.0, CU_D001_A, 25, 18, 0.12, rng)  # Cu at ~600 K: σ ≈ 0.12 Å
    planes = find_planes(z, min_gap_A=MIN_GAP_FRACTION * CU_D001_A)
    assert len(planes) == 25
    np.testing.assert_array_equal(planes.counts, 18)
    np.testing.assert_allclose(planes.z_A, ideal, atol=4 * 0.12 / np.sqrt(18))
    np.testing.assert_allclose(planes.spread_A, 0.12, rtol=0.5)
    # each atom is labelled with its own plane
    np.testing.assert_array_less(np.abs(z - ideal[planes.labels]), CU_D001_A / 2)
    assert check_planes(planes, CU_D001_A) == []


def test_two_sides_with_different_spacings():
    """Si (001) below Cu (001), 8 and 18 atoms per plane, a 2.2 Å interface gap."""
    rng = np.random.default_rng(2)
    z_a, ideal_a = noisy_stack(0.0, SI_D001_A, 32, 8, 0.08, rng)
    z_b, ideal_b = noisy_stack(ideal_a[-1] + 2.2, CU_D001_A, 24, 18, 0.1, rng)
    z = np.concatenate([z_a, z_b])
    types = np.repeat([1, 2], [z_a.size, z_b.size])
    order = rng.permutation(z.size)
    planes = side_planes(z[order], types[order], {"A": SI_D001_A, "B": CU_D001_A})
    assert (len(planes["A"]), len(planes["B"])) == (32, 24)
    np.testing.assert_array_equal(planes["A"].counts, 8)
    np.testing.assert_array_equal(planes["B"].counts, 18)
    np.testing.assert_allclose(planes["A"].z_A, ideal_a, atol=0.1)
    np.testing.assert_allclose(planes["B"].z_A, ideal_b, atol=0.1)

    one = bin_planes(planes["A"], planes["B"], 1)
    assert one.side == ["A"] * 32 + ["B"] * 24
    np.testing.assert_array_equal(one.atoms, [8] * 32 + [18] * 24)
    np.testing.assert_allclose(one.centres_A, np.concatenate([planes["A"].z_A, planes["B"].z_A]))
    interface = 0.5 * (planes["A"].z_A[-1] + planes["B"].z_A[0])
    assert one.edges_A[31] == pytest.approx(interface)  # an edge at the interface
    # every atom falls in its plane's bin when binned by the edges
    chunk = np.searchsorted(one.edges_A, z)
    np.testing.assert_array_equal(np.bincount(chunk), one.atoms)

    three = bin_planes(planes["A"], planes["B"], 3)
    # from the interface outwards: A has 32 = 2 + 10 x 3 planes, B 24 = 8 x 3
    np.testing.assert_array_equal(three.planes, [2] + [3] * 10 + [3] * 8)
    np.testing.assert_array_equal(three.atoms, [16] + [24] * 10 + [54] * 8)
    assert three.edges_A[10] == pytest.approx(interface)
    assert three.side.count("A") == 11


def test_merged_planes_are_flagged():
    """Too large a gap criterion merges neighbouring planes: check_planes says so."""
    rng = np.random.default_rng(3)
    z, _ = noisy_stack(0.0, SI_D001_A, 10, 8, 0.08, rng)
    merged = find_planes(z, min_gap_A=1.5 * SI_D001_A)
    assert len(merged) == 1
    assert check_planes(merged, SI_D001_A)
    with pytest.raises(ValueError, match="side A"):
        side_planes(z, np.ones(z.size, int), {"A": 4 * SI_D001_A, "B": CU_D001_A})


def test_edges_snap_and_slabs():
    z = np.array([0.0, 2.0, 4.0, 6.0, 8.0])
    np.testing.assert_allclose(plane_edges(z), [1.0, 3.0, 5.0, 7.0])
    assert snap_to_edges(3.9, plane_edges(z)) == 3.0
    assert snap_to_edges(4.1, plane_edges(z)) == 5.0
    # planes at 2, 4, 6 lie in [1.5, 6.5]: slab between their outer neighbours' midpoints
    assert interior_slab(z, 1.5, 6.5) == (1.0, 7.0, 3)
    # no neighbour beyond the last plane: the slab ends at the interval's bound
    assert interior_slab(z, 5.0, 9.0) == (5.0, 9.0, 2)
    with pytest.raises(ValueError):
        interior_slab(z, 8.5, 9.5)


def test_plane_spacings_from_the_structure_record():
    info = {"lattice_a": "diamond", "lattice_constant_a_A": 5.431,
            "lattice_b": "fcc", "lattice_constant_b_A": 3.615}
    spacings = plane_spacings(info)
    assert spacings == pytest.approx({"A": SI_D001_A, "B": CU_D001_A})
    assert plane_spacings({"lattice": "diamond", "lattice_constant_A": 5.431}) is None  # a GB
    assert plane_spacings({**info, "type": "grain_boundary"}) is None
