# Equilibrium MD (Green-Kubo): periodic A/B cell, NVT then NVE, side energies and temperatures.
# Needs the `emd:` config block (workflow/schemas/config.schema.yaml) and
# `include: "workflow/rules/emd.smk"` in the Snakefile after nemd.smk.
from workflow.config import run_seeds as _run_seeds  # noqa: E402

_EMD_RUN_KEYS = ("equilibration_ps", "production_ps", "sample_every_fs", "restart_every_ps",
                 "langevin_damping_ps", "minimize")
_EMD_ANALYSIS_KEYS = ("estimator", "fit_start_ps", "n_blocks", "window_taus_dT",
                      "window_taus_flux")


def emd_dir(system, temperature, replica):
    return f"{RESULTS}/{system}/T{temperature}K/emd/rep{replica}"


def emd_run_settings(wildcards):
    """The EMD driver's settings for one run, as a JSON string (seeds independent of NEMD)."""
    nemd = nemd_settings(CONFIG, wildcards.system, float(wildcards.temperature),
                         int(wildcards.replica))
    emd = CONFIG["emd"]
    seeds = _run_seeds(CONFIG["seed"], f"{wildcards.system}/emd", float(wildcards.temperature),
                       int(wildcards.replica))
    return json.dumps({
        "potential": nemd["potential"], "specorder": nemd["specorder"],
        "temperature_K": nemd["temperature_K"], "replica": nemd["replica"],
        "timestep_fs": emd.get("timestep_fs") or nemd["timestep_fs"],
        "seeds": {"velocity": seeds["velocity"], "equilibration": seeds["equilibration"]},
        **{k: emd[k] for k in _EMD_RUN_KEYS if k in emd},
    })


def emd_replica_results(wildcards):
    return [f"{emd_dir(wildcards.system, wildcards.temperature, r)}/emd.json"
            for r in range(CONFIG["emd"].get("replicas") or CONFIG["replicas"])]


def emd_combined_results():
    return [f"{RESULTS}/{system}/T{temperature_label(t)}K/emd/combined.json"
            for system in system_names(CONFIG) for t in system_temperatures(CONFIG, system)]


rule emd_run:
    input:
        data=rules.relax_structure.output.data,
        info=rules.relax_structure.output.info,
    output:
        raw=f"{RESULTS}/{{system}}/T{{temperature}}K/emd/rep{{replica}}/raw.npz",
        run=f"{RESULTS}/{{system}}/T{{temperature}}K/emd/rep{{replica}}/run.json",
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/{{system}}/T{{temperature}}K/emd_rep{{replica}}.log",
    params:
        python=PYTHON,
        settings=emd_run_settings,
        outdir=lambda wildcards: emd_dir(wildcards.system, wildcards.temperature, wildcards.replica),
    threads: 1
    resources:
        tasks=lambda wildcards, threads: threads,
        mpi=MPIRUN,
    message:
        "EMD {wildcards.system} at {wildcards.temperature} K, replica {wildcards.replica} "
        "({resources.tasks} MPI rank(s))"
    shell:
        "{resources.mpi} -n {resources.tasks} {params.python} -m workflow.emd "
        "--structure {input.data} --info {input.info} --settings {params.settings:q} "
        "--outdir {params.outdir} > {log} 2>&1"


rule analyse_emd_run:
    input:
        raw=rules.emd_run.output.raw,
        run=rules.emd_run.output.run,
    output:
        result=f"{RESULTS}/{{system}}/T{{temperature}}K/emd/rep{{replica}}/emd.json",
        acf=f"{RESULTS}/{{system}}/T{{temperature}}K/emd/rep{{replica}}/acf.csv",
        figure=f"{RESULTS}/{{system}}/T{{temperature}}K/emd/rep{{replica}}/emd.png",
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/{{system}}/T{{temperature}}K/analyse_emd_rep{{replica}}.log",
    params:
        python=PYTHON,
        analysis=lambda wildcards: json.dumps(
            {k: CONFIG["emd"][k] for k in _EMD_ANALYSIS_KEYS if k in CONFIG["emd"]}),
    message:
        "Green-Kubo analysis of {wildcards.system} at {wildcards.temperature} K, "
        "replica {wildcards.replica}"
    shell:
        "{params.python} -m workflow.analyse_emd --raw {input.raw} --run {input.run} "
        "--analysis {params.analysis:q} --out-json {output.result} --out-csv {output.acf} "
        "--out-figure {output.figure} > {log} 2>&1"


rule combine_emd:
    input:
        emd_replica_results,
    output:
        f"{RESULTS}/{{system}}/T{{temperature}}K/emd/combined.json",
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/{{system}}/T{{temperature}}K/combine_emd.log",
    params:
        python=PYTHON,
        system=lambda wildcards: wildcards.system,
    message:
        "Combining {wildcards.system} EMD replicas at {wildcards.temperature} K"
    shell:
        "{params.python} -m workflow.combine --method green-kubo --system {params.system} "
        "--temperature {wildcards.temperature} --out {output} {input} > {log} 2>&1"
