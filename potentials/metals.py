"""Which elements are metals: classical MD omits their conduction electrons.

The registry of electronic parameters per metal (issue 16) will live beside this list.
"""

from __future__ import annotations

__all__ = ["METALS", "physics_note"]

#: Elements whose heat is carried mostly by conduction electrons in the solid.
METALS = frozenset({"Cu", "Al", "Ag", "Au", "Fe", "Mg", "Ni", "Pd", "Pt", "Ti", "W", "Mo", "Ta", "Zr"})


def physics_note(elements: list[str]) -> str:
    """What a reader must know about the heat carriers in this classical-MD result."""
    metals = [e for e in elements if e in METALS]
    if metals:
        return (f"Classical MD: heat is carried by phonons only; the electrons of {', '.join(metals)} "
                "and the electron-phonon coupling at the interface are absent, so this is the "
                "phonon-phonon boundary resistance.")
    return "Classical MD: phonon transport with classical (equipartition) statistics."
