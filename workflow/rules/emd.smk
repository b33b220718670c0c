# Equilibrium MD (Green-Kubo): periodic A/B cell, NVT then NVE, side energies and temperatures.
# Active when the config has an `emd:` block (workflow/schemas/config.schema.yaml).


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
        "{resources.mpi} -n {resources.tasks} {params.python} -m engine.emd "
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
        analysis=lambda wildcards: json.dumps(emd_analysis_settings(CONFIG)),
        run_settings=emd_run_settings,  # unused: ties the result to its run (see analysis.smk)
    message:
        "Green-Kubo analysis of {wildcards.system} at {wildcards.temperature} K, "
        "replica {wildcards.replica}"
    shell:
        "{params.python} -m study.analyse_emd --raw {input.raw} --run {input.run} "
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
        "{params.python} -m study.combine --method green-kubo --system {params.system} "
        "--temperature {wildcards.temperature} --out {output} {input} > {log} 2>&1"


rule compare_methods:
    input:
        nemd=lambda wildcards: [
            f"{RESULTS}/{wildcards.system}/T{temperature_label(t)}K/nemd/combined.json"
            for t in system_temperatures(CONFIG, wildcards.system)
        ],
        emd=lambda wildcards: [
            f"{RESULTS}/{wildcards.system}/T{temperature_label(t)}K/emd/combined.json"
            for t in system_temperatures(CONFIG, wildcards.system)
        ],
        models=mismatch_table,
    output:
        figure=f"{RESULTS}/figures/{{system}}_nemd_vs_emd.png",
        table=f"{RESULTS}/figures/{{system}}_nemd_vs_emd.csv",
    conda:
        CONDA_ENV
    log:
        f"{RESULTS}/logs/{{system}}/compare_methods.log",
    params:
        python=PYTHON,
    message:
        "NEMD against EMD for {wildcards.system}, with the Simons/Zeng-Chen ratio"
    shell:
        "{params.python} -m study.compare_methods --system {wildcards.system} "
        "--nemd {input.nemd} --emd {input.emd} --models {input.models} "
        "--out-figure {output.figure} --out-csv {output.table} > {log} 2>&1"
