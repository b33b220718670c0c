"""Electronic parameters of metals for two-temperature NEMD, in SI units.

Classical MD has no conduction electrons.  A two-temperature run (LAMMPS ``fix ttm/mod``)
adds them to the metal and needs, per metal: the electronic heat capacity C_e = γ T_e,
the electronic thermal conductivity κ_e and the electron–phonon coupling factor G_ep
(energy exchanged per volume Q = G_ep (T_e − T_p)).  The numbers, each with its units,
citation and how it was checked, live in ``electrons.yaml`` beside this file; this module
reads them and converts them to SI once:

* γ [J/(m³K²)] = γ_molar [mJ/(mol K²)] × 10⁻³ × ρ [kg/m³] / M [kg/mol];
* κ_e [W/(m K)]: the measured total conductivity at 300 K (an upper bound, the lattice
  part of these metals being a few per cent), or the Wiedemann–Franz form
  κ_e = L₀ T / ρ_el with the Sommerfeld Lorenz number L₀ = π² k_B² / (3 e²)
  (Ashcroft & Mermin, *Solid State Physics* (1976), eq. 2.93);
* G_ep [W/(m³K)] as entered.

The coupling length over which electrons and phonons of the metal equilibrate next to an
interface the electrons cannot cross is ℓ = sqrt(κ_e κ_p / (G_ep (κ_e + κ_p)))
(Majumdar & Reddy, Appl. Phys. Lett. 84, 4768 (2004); see
:mod:`analysis.two_temperature`).  Converting these SI values to LAMMPS metal-unit inputs
of ``fix ttm/mod`` is the engine's job.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from scipy import constants

__all__ = [
    "ELECTRONS_PATH",
    "FIELDS",
    "ElectronDataError",
    "ElectronParameters",
    "Quantity",
    "SOMMERFELD_LORENZ_W_Ohm_K2",
    "coupling_length_nm",
    "electron_parameters",
    "electron_quantity",
    "load_electron_registry",
    "metal_coupling_length_nm",
    "wiedemann_franz_kappa_W_mK",
]

ELECTRONS_PATH = Path(__file__).with_name("electrons.yaml")

#: Field name -> units it must be entered in (the loader checks the ``units`` key).
FIELDS = {
    "gamma_mJ_molK2": "mJ/(mol K^2)",
    "molar_mass_g_mol": "g/mol",
    "density_g_cm3": "g/cm^3",
    "kappa_300K_W_mK": "W/(m K)",
    "resistivity_300K_uOhm_cm": "uOhm cm",
    "G_ep_W_m3K": "W/(m^3 K)",
}

#: Sommerfeld value of the Lorenz number π² k_B² / (3 e²) [W Ω/K²] (≈ 2.443e-8).
SOMMERFELD_LORENZ_W_Ohm_K2 = math.pi**2 * constants.k**2 / (3.0 * constants.e**2)

_KAPPA_METHODS = ("measured", "wiedemann_franz")


class ElectronDataError(ValueError):
    """A metal, or one of its electronic fields, is missing or malformed in the registry."""


@dataclass(frozen=True)
class Quantity:
    """One registry number.

    Attributes
    ----------
    value : float
        The number, in ``units``.
    units : str
        Its units.
    citation : str
        Source (authors, journal, volume, page, year).
    verified : str
        How it was checked when entered, or ``"no"``.
    note : str
        Optional remark.
    """

    value: float
    units: str
    citation: str
    verified: str = "no"
    note: str = ""


@dataclass(frozen=True)
class ElectronParameters:
    """SI electronic parameters of one metal.

    Attributes
    ----------
    metal : str
        Chemical symbol.
    gamma_J_m3K2 : float
        Electronic heat capacity coefficient, C_e = γ T_e (J/(m³K²)).
    kappa_e_W_mK : float
        Electronic thermal conductivity at ``T_K`` (W/(m K)).
    G_ep_W_m3K : float
        Electron–phonon coupling factor (W/(m³K)).
    T_K : float
        Temperature of ``kappa_e_W_mK`` (K).
    kappa_e_method : str
        ``"measured"`` or ``"wiedemann_franz"``.
    citations : dict
        Field name -> citation of every registry number used.
    """

    metal: str
    gamma_J_m3K2: float
    kappa_e_W_mK: float
    G_ep_W_m3K: float
    T_K: float
    kappa_e_method: str
    citations: dict[str, str]

    def electron_heat_capacity_J_m3K(self, T_e_K: float) -> float:
        """C_e = γ T_e (J/(m³K)) at electron temperature ``T_e_K`` (K)."""
        return self.gamma_J_m3K2 * T_e_K


def _quantity(metal: str, name: str, raw: object, path: Path) -> Quantity:
    where = f"metal '{metal}', field '{name}' in {path}"
    if not isinstance(raw, dict):
        raise ElectronDataError(f"{where}: expected a mapping with value/units/citation")
    for key in ("value", "units", "citation"):
        if key not in raw or raw[key] in (None, ""):
            raise ElectronDataError(f"{where}: '{key}' is missing")
    if name in FIELDS and raw["units"] != FIELDS[name]:
        raise ElectronDataError(f"{where}: units '{raw['units']}', expected '{FIELDS[name]}'")
    try:
        value = float(raw["value"])
    except (TypeError, ValueError) as error:
        raise ElectronDataError(f"{where}: value {raw['value']!r} is not a number") from error
    if not math.isfinite(value) or value <= 0:
        raise ElectronDataError(f"{where}: value {value} must be positive and finite")
    return Quantity(value=value, units=str(raw["units"]), citation=str(raw["citation"]),
                    verified=str(raw.get("verified", "no")), note=str(raw.get("note", "")))


@cache
def load_electron_registry(path: str | Path = ELECTRONS_PATH) -> dict[str, dict[str, Quantity]]:
    """Read ``electrons.yaml`` into ``{metal: {field: Quantity}}``.

    Every entered field is validated (value, units and citation present; units as in
    :data:`FIELDS`; value positive).  Fields may be absent; :func:`electron_quantity`
    reports them when asked for.
    """
    path = Path(path)
    raw = yaml.safe_load(path.read_text()) or {}
    registry = {}
    for metal, entry in raw.items():
        if not isinstance(entry, dict):
            raise ElectronDataError(f"metal '{metal}' in {path}: expected a mapping of fields")
        unknown = set(entry) - set(FIELDS)
        if unknown:
            raise ElectronDataError(f"metal '{metal}' in {path}: unknown fields "
                                    f"{sorted(unknown)}; known fields are {sorted(FIELDS)}")
        registry[metal] = {name: _quantity(metal, name, value, path)
                           for name, value in entry.items()}
    return registry


def electron_quantity(metal: str, field: str, path: str | Path = ELECTRONS_PATH) -> Quantity:
    """The registry number ``field`` of ``metal``; the error names both when missing."""
    registry = load_electron_registry(path)
    if metal not in registry:
        raise ElectronDataError(f"no electronic parameters for metal '{metal}' in {path}; "
                                f"known metals are {sorted(registry)}")
    if field not in FIELDS:
        raise ElectronDataError(f"unknown field '{field}'; known fields are {sorted(FIELDS)}")
    if field not in registry[metal]:
        raise ElectronDataError(f"metal '{metal}' has no field '{field}' ({FIELDS[field]}) in "
                                f"{path}: add it with a citation before using it")
    return registry[metal][field]


def wiedemann_franz_kappa_W_mK(
    resistivity_Ohm_m: float, T_K: float, lorenz_W_Ohm_K2: float = SOMMERFELD_LORENZ_W_Ohm_K2
) -> float:
    """Electronic conductivity from the Wiedemann–Franz law, κ_e = L T / ρ_el.

    Parameters
    ----------
    resistivity_Ohm_m : float
        Electrical resistivity (Ω m).
    T_K : float
        Temperature (K).
    lorenz_W_Ohm_K2 : float, optional
        Lorenz number (W Ω/K²); the Sommerfeld value by default (Ashcroft & Mermin,
        *Solid State Physics* (1976), eq. 2.93).  Real noble metals at 300 K sit a few
        per cent below it.

    Returns
    -------
    float
        κ_e (W/(m K)).
    """
    if resistivity_Ohm_m <= 0 or T_K <= 0:
        raise ValueError("resistivity and temperature must be positive")
    return lorenz_W_Ohm_K2 * T_K / resistivity_Ohm_m


def electron_parameters(
    metal: str,
    *,
    kappa_e_method: str = "measured",
    T_K: float = 300.0,
    path: str | Path = ELECTRONS_PATH,
) -> ElectronParameters:
    """SI electronic parameters of ``metal`` (γ, κ_e, G_ep) with their citations.

    Parameters
    ----------
    metal : str
        Chemical symbol, e.g. ``"Cu"``.
    kappa_e_method : {"measured", "wiedemann_franz"}, optional
        ``"measured"``: the tabulated total conductivity at 300 K (includes the few-per-cent
        lattice part; only valid for ``T_K`` = 300).  ``"wiedemann_franz"``: L₀ T / ρ_el
        with the 300 K resistivity, i.e. ρ_el is not extrapolated in temperature.
    T_K : float, optional
        Temperature for κ_e (K).
    path : str or Path, optional
        Registry file.

    Returns
    -------
    ElectronParameters
        Raises :class:`ElectronDataError` naming the metal and field when one is missing.
    """
    if kappa_e_method not in _KAPPA_METHODS:
        raise ValueError(f"kappa_e_method must be one of {_KAPPA_METHODS}, got {kappa_e_method!r}")
    used = ["gamma_mJ_molK2", "molar_mass_g_mol", "density_g_cm3", "G_ep_W_m3K"]
    gamma = electron_quantity(metal, "gamma_mJ_molK2", path).value * 1e-3  # J/(mol K²)
    molar_mass_kg_mol = electron_quantity(metal, "molar_mass_g_mol", path).value * 1e-3
    density_kg_m3 = electron_quantity(metal, "density_g_cm3", path).value * 1e3
    G_ep = electron_quantity(metal, "G_ep_W_m3K", path).value
    if kappa_e_method == "measured":
        if T_K != 300.0:
            raise ValueError("the measured conductivity is tabulated at 300 K only; use "
                             "kappa_e_method='wiedemann_franz' for another temperature")
        kappa_e = electron_quantity(metal, "kappa_300K_W_mK", path).value
        used.append("kappa_300K_W_mK")
    else:
        rho_uOhm_cm = electron_quantity(metal, "resistivity_300K_uOhm_cm", path).value
        kappa_e = wiedemann_franz_kappa_W_mK(rho_uOhm_cm * 1e-8, T_K)  # 1 µΩ cm = 1e-8 Ω m
        used.append("resistivity_300K_uOhm_cm")
    return ElectronParameters(
        metal=metal,
        gamma_J_m3K2=gamma * density_kg_m3 / molar_mass_kg_mol,
        kappa_e_W_mK=kappa_e,
        G_ep_W_m3K=G_ep,
        T_K=T_K,
        kappa_e_method=kappa_e_method,
        citations={name: electron_quantity(metal, name, path).citation for name in used},
    )


def coupling_length_nm(kappa_p_W_mK: float, kappa_e_W_mK: float, G_ep_W_m3K: float) -> float:
    """Electron–phonon coupling length ℓ = sqrt(κ_p κ_e / (G_ep (κ_p + κ_e))), in nm.

    The decay length of T_e − T_p in a metal whose electrons cannot cross an interface
    (Majumdar & Reddy, Appl. Phys. Lett. 84, 4768 (2004); derivation in
    :mod:`analysis.two_temperature`).

    Parameters
    ----------
    kappa_p_W_mK, kappa_e_W_mK : float
        Lattice and electronic thermal conductivities of the metal (W/(m K)).
    G_ep_W_m3K : float
        Electron–phonon coupling factor (W/(m³K)).

    Returns
    -------
    float
        ℓ (nm).
    """
    if min(kappa_p_W_mK, kappa_e_W_mK, G_ep_W_m3K) <= 0:
        raise ValueError("conductivities and G_ep must be positive")
    kappa_red = kappa_p_W_mK * kappa_e_W_mK / (kappa_p_W_mK + kappa_e_W_mK)
    return math.sqrt(kappa_red / G_ep_W_m3K) * 1e9


def metal_coupling_length_nm(
    metal: str, kappa_p_W_mK: float, *, kappa_e_method: str = "measured",
    path: str | Path = ELECTRONS_PATH,
) -> float:
    """ℓ (nm) of ``metal`` from its registry κ_e and G_ep and the given lattice κ_p.

    ``kappa_p_W_mK`` is the lattice conductivity of the *potential* used in the MD
    (W/(m K)), not the experimental one.
    """
    params = electron_parameters(metal, kappa_e_method=kappa_e_method, path=path)
    return coupling_length_nm(kappa_p_W_mK, params.kappa_e_W_mK, params.G_ep_W_m3K)
