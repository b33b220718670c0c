# Shared set-up: config validation, paths, target lists and the MPI launcher.
import json
import re
import shutil
import sys
from pathlib import Path

from snakemake.utils import validate
from snakemake_interface_executor_plugins.settings import DeploymentMethod

sys.path.insert(0, workflow.basedir)

from study.jobenv import export_project_path  # noqa: E402
from study.config import (  # noqa: E402
    agf_settings,
    analysis_settings,
    check_config,
    emd_analysis_settings,
    emd_replicas,
    emd_settings,
    nemd_replicas,
    nemd_settings,
    nemd_target,
    spectral_replicas,
    spectral_settings,
    spectral_systems,
    system_names,
    system_temperatures,
    ttm_analysis_settings,
    ttm_replicas,
    ttm_settings,
    ttm_systems,
    validate_config,
)
from study.interface_sides import mismatch_not_applicable  # noqa: E402

# Every job imports the project's packages from this checkout (also under conda/SLURM).
export_project_path(workflow.basedir)

# 1. JSON schema (types, ranges, unknown keys): our validator first, for messages that
#    name the field ("config field 'replicas': 0 is less than the minimum of 1"), then
#    Snakemake's, which also fills the schema defaults into `config`;
# 2. facts the schema cannot know (potential/element pairs, lengths vs baths, ...).
CONFIG = validate_config(config)
validate(config, schema="../schemas/config.schema.yaml")
check_config(CONFIG)

RESULTS = CONFIG["results_dir"]
CONDA_ENV = "../../envs/kapitza.yaml"  # relative to the .smk files in workflow/rules/
# With --sdm conda each job runs in envs/kapitza.yaml and finds python/mpirun on its PATH.
# Otherwise use Snakemake's own interpreter and the mpirun beside it (the venv's), so the
# workflow also works when Snakemake is started by full path without activating the venv.
if DeploymentMethod.CONDA in workflow.deployment_settings.deployment_method:
    PYTHON, MPIRUN = "python", "mpirun"
else:
    PYTHON = sys.executable
    _VENV_MPIRUN = Path(sys.executable).parent / "mpirun"
    MPIRUN = str(_VENV_MPIRUN) if _VENV_MPIRUN.exists() else (shutil.which("mpirun") or "mpirun")


wildcard_constraints:
    system="[A-Za-z0-9_-]+",
    temperature=r"\d+(\.\d+)?",
    replica=r"\d+",


def temperature_label(temperature_K):
    """Wildcard form of a temperature: 300.0 -> '300'."""
    return f"{float(temperature_K):g}"


def run_dir(system, temperature, replica):
    return f"{RESULTS}/{system}/T{temperature}K/nemd/rep{replica}"


def nemd_run_settings(wildcards):
    """The NEMD driver's settings for one run, as a JSON string."""
    return json.dumps(
        nemd_settings(CONFIG, wildcards.system, float(wildcards.temperature), int(wildcards.replica))
    )


def system_json(wildcards):
    """The system's entry for the structure rules (its replica count does not change the cell)."""
    system = {k: v for k, v in CONFIG["systems"][wildcards.system].items() if k != "replicas"}
    if any("amorphous" in system[side] for side in ("side_a", "side_b")):
        system["seed"] = CONFIG["seed"]  # the melt-quench's random start
    return json.dumps({"name": wildcards.system, **system})


def replica_results(wildcards):
    return [
        f"{run_dir(wildcards.system, wildcards.temperature, r)}/nemd.json"
        for r in range(nemd_replicas(CONFIG, wildcards.system))
    ]


def emd_dir(system, temperature, replica):
    return f"{RESULTS}/{system}/T{temperature}K/emd/rep{replica}"


def emd_run_settings(wildcards):
    """The EMD driver's settings for one run, as a JSON string."""
    return json.dumps(emd_settings(CONFIG, wildcards.system, float(wildcards.temperature),
                                   int(wildcards.replica)))


def ttm_dir(system, temperature, replica):
    return f"{RESULTS}/{system}/T{temperature}K/ttm/rep{replica}"


def ttm_run_settings(wildcards):
    """The two-temperature driver's settings for one run, as a JSON string."""
    return json.dumps(ttm_settings(CONFIG, wildcards.system, float(wildcards.temperature),
                                   int(wildcards.replica)))


def ttm_replica_results(wildcards):
    return [f"{ttm_dir(wildcards.system, wildcards.temperature, r)}/ttm.json"
            for r in range(ttm_replicas(CONFIG))]


def ttm_combined_results():
    """Combined two-temperature records of every metal-containing system and temperature."""
    return [f"{RESULTS}/{system}/T{temperature_label(t)}K/ttm/combined.json"
            for system in ttm_systems(CONFIG) for t in system_temperatures(CONFIG, system)]


def spectral_dir(system, temperature, replica):
    return f"{RESULTS}/{system}/T{temperature}K/spectral/rep{replica}"


def spectral_run_settings(wildcards):
    """The spectral driver's settings for one run, as a JSON string (the inelastic cut-off
    may still be null: rule spectral_settings resolves it from the AGF leads)."""
    return json.dumps(spectral_settings(CONFIG, wildcards.system, float(wildcards.temperature),
                                        int(wildcards.replica)))


def spectral_cutoff_source(wildcards):
    """The system's AGF record when the inelastic cut-off comes from its leads, else nothing."""
    if CONFIG["spectral"]["inelastic_cutoff_THz"] is not None:
        return []
    return [f"{RESULTS}/{wildcards.system}/agf/agf.json"]


def spectral_replica_results(wildcards):
    return [f"{spectral_dir(wildcards.system, wildcards.temperature, r)}/spectral.json"
            for r in range(spectral_replicas(CONFIG))]


def spectral_combined_results():
    """Summary records of the spectral runs and the AGF (rows 'spectral', 'spectral-quantum'
    and 'agf') of every spectral system and temperature; nothing without a spectral block."""
    return [f"{RESULTS}/{system}/T{temperature_label(t)}K/spectral/{name}.json"
            for system in spectral_systems(CONFIG) for t in system_temperatures(CONFIG, system)
            for name in ("combined", "combined_quantum", "combined_agf")]


def emd_replica_results(wildcards):
    return [f"{emd_dir(wildcards.system, wildcards.temperature, r)}/emd.json"
            for r in range(emd_replicas(CONFIG))]


def bonded_systems():
    """Systems with two different crystals (not grain boundaries)."""
    return [s for s in system_names(CONFIG) if CONFIG["systems"][s]["type"] != "grain_boundary"]


def mismatch_systems():
    """Bonded systems the mismatch models apply to (two single-element cubic crystals;
    study.interface_sides.mismatch_not_applicable says why not for the others)."""
    return [s for s in bonded_systems() if mismatch_not_applicable(CONFIG["systems"][s]) is None]


def grain_boundary_systems():
    return [s for s in system_names(CONFIG) if CONFIG["systems"][s]["type"] == "grain_boundary"]


def mismatch_table(wildcards):
    """The system's mismatch-model table, or nothing where the models do not apply."""
    if mismatch_not_applicable(CONFIG["systems"][wildcards.system]) is not None:
        return []
    return [f"{RESULTS}/{wildcards.system}/mismatch/R_K_models.csv"]


def mismatch_record(wildcards):
    """The system's mismatch JSON record, or nothing where the models do not apply."""
    if mismatch_not_applicable(CONFIG["systems"][wildcards.system]) is not None:
        return []
    return [f"{RESULTS}/{wildcards.system}/mismatch/mismatch.json"]


def combined_results(method="nemd"):
    """Combined records of one method ("nemd" or "emd") for every system and temperature."""
    if method == "emd" and not emd_replicas(CONFIG):
        return []
    return [
        f"{RESULTS}/{system}/T{temperature_label(t)}K/{method}/combined.json"
        for system in system_names(CONFIG)
        for t in system_temperatures(CONFIG, system)
    ]


def all_targets():
    """Every output of a study: the summary table and the figures."""
    runs = [
        f"{RESULTS}/{system}/T{temperature_label(t)}K/{method}/rep{r}/{figure}"
        for system in system_names(CONFIG)
        for t in system_temperatures(CONFIG, system)
        for method, figure, n in (("nemd", "profile.png", nemd_replicas(CONFIG, system)),
                                  ("emd", "emd.png", emd_replicas(CONFIG)))
        for r in range(n)
    ]
    per_system = [f"{RESULTS}/{system}/mismatch/R_K_models.png" for system in mismatch_systems()]
    if grain_boundary_systems():
        per_system.append(f"{RESULTS}/figures/grain_boundaries.png")
    if any(CONFIG["systems"][s].get("registry_search") is not None for s in bonded_systems()):
        per_system.append(f"{RESULTS}/figures/R_K_vs_W_ad.png")
    per_system += [
        f"{ttm_dir(system, temperature_label(t), r)}/ttm.png"
        for system in ttm_systems(CONFIG)
        for t in system_temperatures(CONFIG, system)
        for r in range(ttm_replicas(CONFIG))
    ]
    per_system += [
        f"{RESULTS}/{system}/T{temperature_label(t)}K/spectral/spectral.png"
        for system in spectral_systems(CONFIG)
        for t in system_temperatures(CONFIG, system)
    ]
    if emd_replicas(CONFIG):
        per_system += [f"{RESULTS}/figures/{system}_nemd_vs_emd.png"
                       for system in system_names(CONFIG)]
    return [f"{RESULTS}/summary.csv", f"{RESULTS}/figures/R_K_vs_T.png", *runs, *per_system]


def target_systems():
    """Systems whose NEMD runs go to a target precision (config nemd.target; rules/target.smk)."""
    return [s for s in system_names(CONFIG) if nemd_target(CONFIG, s) is not None]


def target_dir(system, temperature):
    """Folder of a run to a target precision: the replicas' runs and target.json."""
    return f"{RESULTS}/{system}/T{temperature}K/nemd/target"


def target_run_settings(wildcards):
    """Every replica's NEMD driver settings (first round), as a JSON list."""
    return json.dumps([
        nemd_settings(CONFIG, wildcards.system, float(wildcards.temperature), r)
        for r in range(nemd_replicas(CONFIG, wildcards.system))
    ])
